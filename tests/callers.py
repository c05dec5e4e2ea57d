"""Callers as PostgREST presents them to the database: `set local role` to the JWT's role and the verified
claims in `request.jwt.claims`, inside one transaction per request (rolled back here, so a test's requests
leave nothing behind unless it commits)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg


@dataclass(frozen=True)
class Caller:
    name: str
    role: str
    user_id: uuid.UUID | None = None
    extra_claims: dict[str, Any] = field(default_factory=dict)

    @property
    def claims(self) -> dict[str, Any]:
        claims: dict[str, Any] = {"role": self.role, **self.extra_claims}
        if self.user_id is not None:
            claims["sub"] = str(self.user_id)
        return claims


@contextmanager
def request_as(conn: psycopg.Connection, caller: Caller, *, commit: bool = False) -> Iterator[psycopg.Connection]:
    with conn.transaction(force_rollback=not commit):
        conn.execute(f"set local role {caller.role}")
        conn.execute("select set_config('request.jwt.claims', %s, true)", (json.dumps(caller.claims),))
        yield conn
