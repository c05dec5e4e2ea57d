"""DATABASE_URL transport (psycopg): the functions called as PostgREST calls them.

Each call is one transaction that switches to the request's role (`set local role`) and sets the JWT claims
(`request.jwt.claims`) PostgREST would set, so the database applies the same grants, row level security
and admin checks as over the REST API. Without an access token the role is service_role; with one, its
role and claims are used (the token is not verified here: a database login is trusted already).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

import psycopg
from psycopg import sql

from leadstroom.errors import CannotConnect, InvalidInput, excerpt, from_sqlstate
from leadstroom.transport import JSON, TableQuery

API_ROLES = ("anon", "authenticated", "service_role")


def claims_from_token(token: str) -> dict[str, Any]:
    """The claims of a JWT's payload (unverified)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error) as exc:
        raise InvalidInput("the access token is not a JWT") from exc
    if not isinstance(claims, dict):
        raise InvalidInput("the access token is not a JWT")
    return claims


class DirectTransport:
    def __init__(self, database_url: str, access_token: str | None = None) -> None:
        self.claims: dict[str, Any] = claims_from_token(access_token) if access_token else {"role": "service_role"}
        role = self.claims.get("role", "anon")
        if role not in API_ROLES:
            raise InvalidInput(f"the access token's role {excerpt(str(role))!r} is not one of {', '.join(API_ROLES)}")
        self.role: str = role
        try:
            self.conn = psycopg.connect(database_url, application_name="leadstroom", connect_timeout=10)
        except psycopg.OperationalError as exc:
            raise CannotConnect(str(exc).strip().splitlines()[0] if str(exc).strip() else "no answer") from exc
        except psycopg.ProgrammingError as exc:
            raise CannotConnect(f"invalid DATABASE_URL: {exc}") from exc
        self.description = f"direct connection as {self.role}"
        self._returns_set: dict[str, bool] = {}

    def _request(self, statement: sql.Composed, params: dict[str, Any]) -> JSON:
        try:
            with self.conn.transaction():
                self.conn.execute(sql.SQL("set local role {}").format(sql.Identifier(self.role)))
                self.conn.execute(
                    "select set_config('request.jwt.claims', %s, true), set_config('request.method', 'POST', true)",
                    (json.dumps(self.claims),),
                )
                row = self.conn.execute(statement, params).fetchone()
        except psycopg.Error as exc:
            if exc.sqlstate is None:  # no answer from the server: the connection is gone
                raise CannotConnect(
                    str(exc).strip().splitlines()[0] if str(exc).strip() else "connection lost"
                ) from exc
            diag = exc.diag
            raise from_sqlstate(exc.sqlstate, diag.message_primary or str(exc), diag.message_hint) from exc
        return row[0] if row else None

    def _is_set_returning(self, function: str) -> bool:
        if function not in self._returns_set:
            row = self.conn.execute(
                "select bool_or(p.proretset) from pg_proc p where p.pronamespace = 'public'::regnamespace "
                "and p.proname = %s",
                (function,),
            ).fetchone()
            self.conn.commit()
            if row is None or row[0] is None:
                raise from_sqlstate("PGRST202", f"no function public.{function}")
            self._returns_set[function] = bool(row[0])
        return self._returns_set[function]

    def rpc(self, function: str, params: dict[str, Any]) -> JSON:
        call = sql.SQL("{}({})").format(
            sql.Identifier("public", function),
            sql.SQL(", ").join(sql.SQL("{} => {}").format(sql.Identifier(k), sql.Placeholder(k)) for k in params),
        )
        if self._is_set_returning(function):
            statement = sql.SQL("select coalesce(jsonb_agg(to_jsonb(r)), '[]') from {} as r").format(call)
        else:
            statement = sql.SQL("select to_jsonb({})").format(call)
        return self._request(statement, params)

    def select(self, query: TableQuery) -> JSON:
        conditions: list[sql.Composable] = []
        params: dict[str, Any] = {}
        for n, (column, operator, value) in enumerate(query.filters):
            name = f"f{n}"
            params[name] = list(value) if operator == "in" else value
            template = "{} = any({})" if operator == "in" else "{} = {}"
            conditions.append(sql.SQL(template).format(sql.Identifier(column), sql.Placeholder(name)))
        inner = sql.SQL("select {} from {}{}{}{}").format(
            sql.SQL(", ").join(sql.Identifier(c) for c in query.columns),
            sql.Identifier("public", query.table),
            sql.SQL(" where ") + sql.SQL(" and ").join(conditions) if conditions else sql.SQL(""),
            sql.SQL(" order by {} {}").format(
                sql.Identifier(query.order_by), sql.SQL("desc" if query.descending else "asc")
            )
            if query.order_by
            else sql.SQL(""),
            sql.SQL(" limit {}").format(sql.Literal(query.limit)) if query.limit is not None else sql.SQL(""),
        )
        statement = sql.SQL("select coalesce(jsonb_agg(to_jsonb(r)), '[]') from ({}) as r").format(inner)
        return self._request(statement, params)

    def close(self) -> None:
        self.conn.close()
