"""Typed errors, the same whichever transport raised them. Each has a one-line message and an exit code:
1 for a failed check or run, 2 for bad usage, bad input or a refused call."""

from __future__ import annotations


class LeadstroomError(Exception):
    exit_code = 2

    def __init__(self, message: str, *, sqlstate: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = " ".join(message.split())
        self.sqlstate = sqlstate
        self.hint = hint

    def one_line(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        return f"{self.label}: {self.message}{hint}"

    label = "error"


class CannotConnect(LeadstroomError):
    label = "cannot connect"


class RefusedCredentials(LeadstroomError):
    label = "credentials refused"


class NotAdmin(LeadstroomError):
    label = "not an admin"


class PermissionDenied(LeadstroomError):
    """A refusal other than the admin check (a grant, `set role`, row level security)."""

    label = "permission denied"


class InvalidMethod(LeadstroomError):
    label = "invalid method"


class InvalidInput(LeadstroomError):
    label = "invalid input"


class NotFound(LeadstroomError):
    label = "not found"


class RunFailed(LeadstroomError):
    exit_code = 1
    label = "run failed"


class CheckFailed(LeadstroomError):
    exit_code = 1
    label = "check failed"


# how guarded.assert_admin words its refusal: the one 42501 that means "not an admin"
ADMIN_REFUSAL = "only admins may"
# how guarded.admin_sync_segments words its refusal: the one 22023 that means "invalid method"; every other
# 22023 is bad input that names its own problem (a hold without a reason, a setting out of bounds)
METHOD_REFUSAL = "unsupported sync method"

EXCERPT_LENGTH = 100


def excerpt(text: str) -> str:
    """What a message quotes of an input: at most its first 100 characters (as guarded.input_excerpt)."""
    return text if len(text) <= EXCERPT_LENGTH else text[:EXCERPT_LENGTH] + "…"


def from_sqlstate(sqlstate: str | None, message: str, hint: str | None = None) -> LeadstroomError:
    """The typed error for a database error, by its SQLSTATE (as the database or PostgREST reported it)."""
    code = sqlstate or ""
    if code == "42501":
        if message.startswith(ADMIN_REFUSAL):
            return NotAdmin(message, sqlstate=code, hint=hint)
        return PermissionDenied(message, sqlstate=code, hint=hint)
    if code == "22023" and message.startswith(METHOD_REFUSAL):
        return InvalidMethod(message, sqlstate=code, hint=hint)
    if code in ("PT404", "PGRST202", "42883"):
        return NotFound(message, sqlstate=code, hint=hint)
    if code.startswith(("PGRST3", "28")):
        return RefusedCredentials(message, sqlstate=code, hint=hint)
    if code.startswith("08") or code in ("57P01", "57P02", "57P03"):  # connection failed or server shut it
        return CannotConnect(message, sqlstate=code, hint=hint)
    if code.startswith(("22", "23")):
        return InvalidInput(message, sqlstate=code, hint=hint)
    return LeadstroomError(message, sqlstate=code or None, hint=hint)
