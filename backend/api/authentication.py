from __future__ import annotations

from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token
from rest_framework_simplejwt.utils import get_md5_hash_password

from backend.accounts.models import Employee
from backend.accounts.selectors import employee_get_with_roles


class EmployeeJWTAuthentication(JWTAuthentication):
    """Bearer JWT from /api/v1/auth/token/; an inactive employee's token is refused (401).

    Loads the employee together with their role names in one query, so that permission
    and role checks later in the request cost nothing (simplejwt's own lookup would leave
    them a query each)."""

    def get_user(self, validated_token: Token) -> Employee:
        user_id = validated_token.get(api_settings.USER_ID_CLAIM)
        if user_id is None:
            raise InvalidToken("Token contained no recognizable user identification")
        employee = employee_get_with_roles(employee_id=user_id)
        if employee is None:
            raise AuthenticationFailed("User not found", code="user_not_found")
        if api_settings.CHECK_USER_IS_ACTIVE and not employee.is_active:
            raise AuthenticationFailed("User is inactive", code="user_inactive")
        if api_settings.CHECK_REVOKE_TOKEN and validated_token.get(
            api_settings.REVOKE_TOKEN_CLAIM
        ) != get_md5_hash_password(employee.password):
            raise AuthenticationFailed(
                "The user's password has been changed.", code="password_changed"
            )
        return employee
