"""SUPABASE_URL transport: supabase-py's client.rpc() and table reads over PostgREST.

The key is the service_role key (admin work), or the project's anon key together with a signed-in user's
access token (then the user must be an admin). The `x-leadstroom-client` header lets the database log
these runs with trigger 'cli'.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
from postgrest.exceptions import APIError

from leadstroom.errors import (
    CannotConnect,
    InvalidInput,
    LeadstroomError,
    RefusedCredentials,
    excerpt,
    from_sqlstate,
)
from leadstroom.transport import JSON, TableQuery
from supabase import ClientOptions, SupabaseException, create_client


def checked_supabase_url(url: str) -> str:
    """The project URL, or one line saying what is wrong with it (a malformed host, a port out of range)."""
    shown = excerpt(url)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises for a port that is not a number or out of range)
    except ValueError as exc:
        raise InvalidInput(f"SUPABASE_URL {shown!r} is not a valid URL: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise InvalidInput(f"SUPABASE_URL {shown!r} is not an http(s) URL")
    if not parts.hostname:
        raise InvalidInput(f"SUPABASE_URL {shown!r} has no host name")
    return url


class RestTransport:
    def __init__(self, url: str, key: str, access_token: str | None = None, timeout: float = 30.0) -> None:
        url = checked_supabase_url(url)
        headers = {"x-leadstroom-client": "cli"}
        self.http = httpx.Client(timeout=timeout)
        if access_token:
            headers["Authorization"] = f"Bearer {access_token}"
        try:
            self.client = create_client(
                url,
                key,
                ClientOptions(headers=headers, httpx_client=self.http, postgrest_client_retry=False),
            )
        except SupabaseException as exc:
            if "url" in exc.message.lower():
                raise InvalidInput(f"SUPABASE_URL {excerpt(url)!r} is not an http(s) URL") from exc
            raise RefusedCredentials(exc.message) from exc
        except (ValueError, httpx.InvalidURL) as exc:  # what the checks above did not foresee
            raise InvalidInput(f"SUPABASE_URL {excerpt(url)!r} is not a valid URL: {exc}") from None
        self.description = f"Supabase REST API at {url}"
        self.url = url

    def _execute(self, request: Any) -> JSON:
        try:
            return request.execute().data
        except APIError as exc:
            message = exc.message or "the API refused the request"
            if exc.code and exc.code.startswith("PGRST3"):
                raise RefusedCredentials(f"{message} (check SUPABASE_SERVICE_ROLE_KEY or the access token)") from exc
            raise from_sqlstate(exc.code, message, exc.hint) from exc
        except httpx.InvalidURL as exc:
            raise InvalidInput(f"SUPABASE_URL {excerpt(self.url)!r} is not a valid URL: {exc}") from None
        except httpx.HTTPError as exc:
            raise CannotConnect(f"{excerpt(self.url)}: {exc or type(exc).__name__}") from exc
        except ValueError as exc:  # not JSON: not a PostgREST behind that URL
            raise LeadstroomError(f"{excerpt(self.url)} did not answer as Supabase's REST API does") from exc

    def rpc(self, function: str, params: dict[str, Any]) -> JSON:
        return self._execute(self.client.rpc(function, params))

    def select(self, query: TableQuery) -> JSON:
        request: Any = self.client.table(query.table).select(",".join(query.columns))
        for column, operator, value in query.filters:
            request = request.in_(column, list(value)) if operator == "in" else request.eq(column, value)
        if query.order_by:
            request = request.order(query.order_by, desc=query.descending)
        if query.limit is not None:
            request = request.limit(query.limit)
        return self._execute(request)

    def close(self) -> None:
        self.http.close()
