"""leadstroom: client and command for the capacity-based segment sync.

It calls the database functions (over Supabase's REST API or a direct connection) and checks what they
return; every business rule lives in the database.
"""

from leadstroom.client import LeadstroomClient, connect
from leadstroom.errors import (
    CannotConnect,
    CheckFailed,
    InvalidInput,
    InvalidMethod,
    LeadstroomError,
    NotAdmin,
    NotFound,
    PermissionDenied,
    RefusedCredentials,
    RunFailed,
)

__all__ = [
    "CannotConnect",
    "CheckFailed",
    "InvalidInput",
    "InvalidMethod",
    "LeadstroomClient",
    "LeadstroomError",
    "NotAdmin",
    "NotFound",
    "PermissionDenied",
    "RefusedCredentials",
    "RunFailed",
    "connect",
]
