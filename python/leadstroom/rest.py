"""SUPABASE_URL transport: supabase-py's client.rpc() and table reads over PostgREST.

The key is the service_role key (admin work), or the project's anon key together with a signed-in user's
access token (then the user must be an admin). The `x-leadstroom-client` header lets the database log
these runs with trigger 'cli'.
"""

from __future__ import annotations

from typing import Any

import httpx
from postgrest.exceptions import APIError

from leadstroom.errors import CannotConnect, InvalidInput, LeadstroomError, RefusedCredentials, from_sqlstate
from leadstroom.transport import JSON, TableQuery
from supabase import ClientOptions, SupabaseException, create_client


class RestTransport:
    def __init__(self, url: str, key: str, access_token: str | None = None, timeout: float = 30.0) -> None:
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
                raise InvalidInput(f"SUPABASE_URL {url!r} is not an http(s) URL") from exc
            raise RefusedCredentials(exc.message) from exc
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
        except httpx.HTTPError as exc:
            raise CannotConnect(f"{self.url}: {exc or type(exc).__name__}") from exc
        except ValueError as exc:  # not JSON: not a PostgREST behind that URL
            raise LeadstroomError(f"{self.url} did not answer as Supabase's REST API does") from exc

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
