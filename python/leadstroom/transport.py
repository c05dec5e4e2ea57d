"""What the client needs from a connection: call a function the way PostgREST does, and read a table.

Results are JSON values (dicts, lists, str, int, float, bool, None) in both transports, so every command
gives identical results over the REST API and over a direct connection.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, Protocol

JSON = Any
Operator = Literal["eq", "in"]


@dataclass(frozen=True)
class TableQuery:
    """A read of one table: the subset of PostgREST's GET /rest/v1/<table> that the client uses."""

    table: str
    columns: tuple[str, ...]
    filters: tuple[tuple[str, Operator, Any], ...] = ()
    order_by: str | None = None
    descending: bool = False
    limit: int | None = None


class Transport(Protocol):
    description: str

    def rpc(self, function: str, params: dict[str, Any]) -> JSON:
        """Call public.<function> with named arguments, as POST /rest/v1/rpc/<function>."""
        ...

    def select(self, query: TableQuery) -> JSON:
        """Read rows, as GET /rest/v1/<table>: a JSON array of objects."""
        ...

    def close(self) -> None: ...
