"""What makes a token belong to a session that is still open.

A token pair carries two claims about the employee as they were when it was issued:
simplejwt's password claim (a hash of the stored password hash, `CHECK_REVOKE_TOKEN`) and
our session epoch. Any password change (admin form, `changepassword`, `set_password()`
anywhere, a reset) changes the first; ending all sessions (`employee_sessions_end`, which
leaving calls) bumps the second. Refresh and every authenticated request compare both
with the stored row, so no call site has to remember to revoke anything: a token from
before the change simply stops matching.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from backend.accounts.models import Employee

SESSION_EPOCH_CLAIM = "session_epoch"


def session_claims(employee: Employee) -> dict[str, Any]:
    """The claims a new token pair for `employee` carries."""
    return {
        api_settings.REVOKE_TOKEN_CLAIM: get_md5_hash_password(employee.password),
        SESSION_EPOCH_CLAIM: employee.session_epoch,
    }


def session_is_current(*, employee: Employee, claims: Token | Mapping[str, Any]) -> bool:
    """True when the token (or its decoded claims) was issued after the employee's last
    password change and after their sessions were last ended."""
    return all(claims.get(claim) == value for claim, value in session_claims(employee).items())
