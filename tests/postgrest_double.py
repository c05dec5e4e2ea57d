"""A test double of PostgREST, as Supabase serves it at /rest/v1, for driving the real supabase-py client.

No PostgREST server can be installed where these tests run, so this small HTTP server implements the part
of PostgREST's documented contract that the leadstroom client uses, and runs every request against the
real test database (the real functions, grants and row level security):

- `POST /rest/v1/rpc/<function>` with a JSON object of named arguments; the function is found by name and
  argument names in `public` (else 404 PGRST202). A set-returning function answers a JSON array of rows,
  any other its value as JSON.
- `GET /rest/v1/<table>?select=a,b&col=eq.v&col=in.(v,w)&order=col.desc&limit=n` (else 404 PGRST205).
- Authentication: the `apikey` header is required (Supabase's gateway answers 401 without it); the JWT is
  `Authorization: Bearer <jwt>`, else the apikey. It is verified (HS256, expiry) with the double's secret;
  a bad one is 401 PGRST301. The request runs in one transaction as PostgREST does it: `set local role` to
  the JWT's `role` claim (anon when absent), `request.jwt.claims`, `request.headers`, `request.method` and
  `request.path` set; committed on success, rolled back on error.
- Errors: SQLSTATE to HTTP status by PostgREST's documented table (42501 is 401 for anon, 403 otherwise;
  22023 and other class 22/23 errors 400, 23503/23505 409, 42883 404, PT404 404, ...), with the body
  `{"code", "message", "details", "hint"}`.

Not covered: other verbs (insert/update/delete through tables), embedding, filters other than eq and in,
Prefer headers, counting, schemas other than public, media types other than JSON, the schema cache (it looks
functions up per request), connection pooling, and the authenticator role (it connects as the test
database's owner and drops to the request's role with `set local role`, which is what PostgREST's
authenticator does).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import jwt
import psycopg
from psycopg import sql

API_ROLES = {"anon", "authenticated", "service_role"}


def http_status(sqlstate: str, role: str) -> int:
    """PostgREST's documented mapping of SQLSTATE to HTTP status; `PTxyz` is a custom status xyz."""
    if sqlstate.startswith("PT") and sqlstate[2:].isdigit():
        return int(sqlstate[2:])
    exact = {
        "23503": 409,
        "23505": 409,
        "25006": 405,
        "P0001": 400,
        "42883": 404,
        "42P01": 404,
        "42P17": 500,
        "42501": 401 if role == "anon" else 403,
    }
    if sqlstate in exact:
        return exact[sqlstate]
    by_class = {
        "08": 503,
        "09": 500,
        "0L": 403,
        "0P": 403,
        "25": 500,
        "28": 403,
        "2D": 500,
        "38": 500,
        "39": 500,
        "3B": 500,
        "40": 500,
        "53": 503,
        "54": 500,
        "55": 500,
        "57": 500,
        "58": 500,
        "F0": 500,
        "HV": 500,
        "P0": 500,
        "XX": 500,
    }
    return by_class.get(sqlstate[:2], 400)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: Any = None, hint: Any = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"code": code, "message": message, "details": details, "hint": hint}


class PostgrestDouble:
    def __init__(self, database_url: str, jwt_secret: str) -> None:
        self.database_url = database_url
        self.jwt_secret = jwt_secret
        self.requests: list[tuple[str, str]] = []
        handler = type("Handler", (_Handler,), {"double": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> PostgrestDouble:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def token(self, role: str, sub: str | None = None, **claims: Any) -> str:
        """A JWT as Supabase Auth issues them (HS256 with the project's secret)."""
        payload: dict[str, Any] = {"role": role, "iss": "supabase", "exp": int(time.time()) + 3600, **claims}
        if sub is not None:
            payload["sub"] = sub
        return jwt.encode(payload, self.jwt_secret, algorithm="HS256")

    # request handling

    def claims_for(self, headers: dict[str, str]) -> dict[str, Any]:
        apikey = headers.get("apikey")
        if not apikey:
            raise ApiError(401, "", "No API key found in request", hint="No `apikey` request header or url param.")
        authorization = headers.get("authorization", "")
        token = authorization[7:] if authorization.lower().startswith("bearer ") else apikey
        try:
            claims = jwt.decode(token, self.jwt_secret, algorithms=["HS256"], options={"verify_aud": False})
        except jwt.ExpiredSignatureError as exc:
            raise ApiError(401, "PGRST303", "JWT expired") from exc
        except jwt.InvalidTokenError as exc:
            raise ApiError(401, "PGRST301", f"JWSError: {exc}") from exc
        role = claims.get("role", "anon")
        if role not in API_ROLES:
            raise ApiError(401, "PGRST301", f"role {role!r} is not an API role")
        return claims

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Any:
        self.requests.append((method, raw_path))
        parts = urlsplit(raw_path)
        path = unquote(parts.path)
        if not path.startswith("/rest/v1/"):
            raise ApiError(404, "", f"no route for {path}")
        claims = self.claims_for(headers)
        resource = path.removeprefix("/rest/v1/")
        with psycopg.connect(self.database_url, autocommit=False) as conn:
            conn.execute(sql.SQL("set local role {}").format(sql.Identifier(claims.get("role", "anon"))))
            conn.execute(
                "select set_config('request.jwt.claims', %s, true), set_config('request.headers', %s, true), "
                "set_config('request.method', %s, true), set_config('request.path', %s, true)",
                (json.dumps(claims), json.dumps(headers), method, path),
            )
            try:
                if method == "POST" and resource.startswith("rpc/"):
                    result = self.call(conn, resource.removeprefix("rpc/"), body)
                elif method == "GET" and "/" not in resource:
                    result = self.read(conn, resource, parse_qsl(parts.query, keep_blank_values=True))
                else:
                    raise ApiError(405, "", f"{method} {path} is not supported by this double")
            except psycopg.errors.Error as exc:
                conn.rollback()
                diag = exc.diag
                raise ApiError(
                    http_status(exc.sqlstate or "XX000", claims.get("role", "anon")),
                    exc.sqlstate or "XX000",
                    diag.message_primary or str(exc),
                    diag.message_detail,
                    diag.message_hint,
                ) from exc
            conn.commit()
            return result

    def call(self, conn: psycopg.Connection, function: str, body: bytes) -> Any:
        try:
            args = json.loads(body or b"{}")
        except ValueError as exc:
            raise ApiError(400, "PGRST102", "Empty or invalid json") from exc
        if not isinstance(args, dict):
            raise ApiError(400, "PGRST102", "the body must be a JSON object of named arguments")
        candidates = conn.execute(
            "select p.proretset, coalesce(p.proargnames, '{}') as names, p.pronargs, p.pronargdefaults, "
            "array(select format_type(t, null) from unnest(p.proargtypes) t) as types "
            "from pg_proc p where p.pronamespace = 'public'::regnamespace and p.proname = %s",
            (function,),
        ).fetchall()

        def accepts(names: list[str], nargs: int, ndefaults: int) -> bool:
            inputs = names[:nargs]
            return set(inputs[: nargs - ndefaults]) <= set(args) <= set(inputs)

        match = next((c for c in candidates if accepts(c[1], c[2], c[3])), None)
        if match is None:
            signature = ", ".join(sorted(args))
            raise ApiError(
                404,
                "PGRST202",
                f"Could not find the function public.{function}({signature}) in the schema cache",
                hint="Perhaps you meant to call another function",
            )
        returns_set, names, nargs, _, types = match
        typed = dict(zip(names[:nargs], types, strict=True))
        params = {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in args.items()}
        call = sql.SQL("{}({})").format(
            sql.Identifier("public", function),
            sql.SQL(", ").join(
                sql.SQL("{} => ({})::{}").format(sql.Identifier(k), sql.Placeholder(k), sql.SQL(typed[k])) for k in args
            ),
        )
        if returns_set:
            statement = sql.SQL("select coalesce(jsonb_agg(to_jsonb(r)), '[]') from {} as r").format(call)
        else:
            statement = sql.SQL("select to_jsonb({})").format(call)
        return conn.execute(statement, params).fetchone()[0]

    def read(self, conn: psycopg.Connection, table: str, query: list[tuple[str, str]]) -> Any:
        exists = conn.execute("select to_regclass(%s) is not null", (f"public.{table}",)).fetchone()[0]
        if not exists:
            raise ApiError(404, "PGRST205", f"Could not find the table 'public.{table}' in the schema cache")
        columns: list[sql.Composable] = [sql.SQL("*")]
        conditions: list[sql.Composable] = []
        order: sql.Composable = sql.SQL("")
        limit: sql.Composable = sql.SQL("")
        params: list[Any] = []
        for key, value in query:
            if key == "select":
                columns = [sql.Identifier(c.strip()) for c in value.split(",") if c.strip()] or columns
            elif key == "order":
                column, _, direction = value.partition(".")
                order = sql.SQL(" order by {} {}").format(
                    sql.Identifier(column), sql.SQL("desc" if direction.startswith("desc") else "asc")
                )
            elif key == "limit":
                limit = sql.SQL(" limit {}").format(sql.Literal(int(value)))
            elif value.startswith("eq."):
                conditions.append(sql.SQL("{}::text = %s").format(sql.Identifier(key)))
                params.append(value[3:])
            elif value.startswith("in.(") and value.endswith(")"):
                conditions.append(sql.SQL("{}::text = any(%s)").format(sql.Identifier(key)))
                params.append([v.strip().strip('"') for v in value[4:-1].split(",")])
            else:
                raise ApiError(400, "PGRST100", f'"failed to parse filter ({value})" (this double: eq and in only)')
        where = sql.SQL(" where ") + sql.SQL(" and ").join(conditions) if conditions else sql.SQL("")
        statement = sql.SQL("select coalesce(jsonb_agg(to_jsonb(r)), '[]') from (select {} from {}{}{}{}) as r").format(
            sql.SQL(", ").join(columns), sql.Identifier("public", table), where, order, limit
        )
        return conn.execute(statement, params).fetchone()[0]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    double: PostgrestDouble

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            status, payload = 200, self.double.handle(method, self.path, headers, body)
        except ApiError as exc:
            status, payload = exc.status, exc.body
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the tests assert on results
        return None
