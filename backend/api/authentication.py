from __future__ import annotations

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from backend.accounts.models import Employee
from backend.accounts.selectors import employee_get_with_roles
from backend.accounts.sessions import session_is_current


class EmployeeJWTAuthentication(JWTAuthentication):
    """Bearer JWT from /api/v1/auth/token/; an inactive employee's token is refused (401).

    Loads the employee together with their role names in one query, so that permission
    and role checks later in the request cost nothing (simplejwt's own lookup would leave
    them a query each)."""

    # simplejwt annotates the result with a TypeVar its signature does not bind, which no
    # concrete user class satisfies; an Employee is the AbstractBaseUser it stands for.
    def get_user(self, validated_token: Token) -> Employee:  # type: ignore[override]
        user_id = validated_token.get(api_settings.USER_ID_CLAIM)
        if user_id is None:
            raise InvalidToken("Token contained no recognizable user identification")
        employee = employee_get_with_roles(employee_id=user_id)
        if employee is None:
            raise AuthenticationFailed("User not found", code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not employee.is_active:
            raise AuthenticationFailed("User is inactive", code="user_inactive")
        if not session_is_current(employee=employee, claims=validated_token):
            raise AuthenticationFailed(
                "This session has ended: the password was changed or all sessions were ended.",
                code="session_ended",
            )
        return employee
