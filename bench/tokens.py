"""Access tokens for the load scripts and the profiler, as the login endpoint issues them."""

from __future__ import annotations

from rest_framework_simplejwt.tokens import RefreshToken

from backend.accounts.models import Employee
from backend.accounts.sessions import session_claims


def access_token(employee: Employee) -> str:
    """A token carrying the session claims every request checks (a token without them is
    refused with 401 `session_ended`, which would measure the refusal, not the endpoint)."""
    refresh = RefreshToken.for_user(employee)
    for claim, value in session_claims(employee).items():
        refresh[claim] = value
    return str(refresh.access_token)
