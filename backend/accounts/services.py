"""Writes for employees and their sessions."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from backend.accounts.identifiers import IdentifierKind
from backend.accounts.models import Employee, EmployeeIdentifier
from backend.accounts.roles import ROLE_PERMISSIONS, Role
from backend.api.errors import Conflict, DomainError


class AuthenticationError(DomainError):
    status_code = 401
    default_code = "invalid_credentials"
    default_message = "Email or password is wrong, or the account is not active."


class TokenInvalid(DomainError):
    status_code = 401
    default_code = "token_not_valid"
    default_message = "The token is invalid, expired or already used."


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


def _pair_for(employee: Employee) -> TokenPair:
    refresh = RefreshToken.for_user(employee)
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def auth_login(*, email: str, password: str, request: HttpRequest | None = None) -> TokenPair:
    """Email + password -> a new token pair. Inactive employees are refused like a bad password.

    `request` goes to the authentication backends (the admin login limit needs it to tell
    an API login from an admin one)."""
    employee = authenticate(request, email=email.strip().lower(), password=password)
    if employee is None or not employee.is_active:
        raise AuthenticationError()
    return _pair_for(employee)  # type: ignore[arg-type]


def _parse_refresh(raw: str) -> RefreshToken:
    try:
        return RefreshToken(raw)  # verifies signature, expiry and the blacklist
    except TokenError:
        raise TokenInvalid() from None


def _blacklist(token: RefreshToken) -> None:
    """Blacklists the token exactly once; a second use (or a concurrent one) raises.

    The one-to-one BlacklistedToken row is the lock: of two concurrent refreshes with the
    same token, only one insert succeeds, so a stolen token cannot be rotated twice.
    """
    jti = token["jti"]
    outstanding, _ = OutstandingToken.objects.get_or_create(
        jti=jti,
        defaults={
            "user_id": token.get("user_id"),
            "token": str(token),
            "expires_at": datetime.fromtimestamp(token["exp"], tz=UTC),
        },
    )
    try:
        with transaction.atomic():
            BlacklistedToken.objects.create(token=outstanding)
    except IntegrityError:
        raise TokenInvalid() from None


@transaction.atomic
def auth_refresh(*, refresh: str) -> TokenPair:
    """Rotates a refresh token: the old one is blacklisted, a new pair is returned."""
    token = _parse_refresh(refresh)
    employee = Employee.objects.filter(pk=token.get("user_id")).first()
    if employee is None or not employee.is_active:
        raise AuthenticationError("This account is not active.", code="account_inactive")
    _blacklist(token)
    return _pair_for(employee)


@transaction.atomic
def auth_logout(*, employee: Employee, refresh: str) -> None:
    """Blacklists the caller's refresh token. Logging out twice is harmless."""
    try:
        # Signature and expiry only: an already blacklisted token is a finished logout.
        payload = token_backend.decode(refresh, verify=True)
    except TokenBackendError:
        raise TokenInvalid() from None
    if payload.get("token_type") != "refresh" or str(payload.get("user_id")) != str(employee.pk):
        raise TokenInvalid("This is not a refresh token of your session.")
    with contextlib.suppress(TokenInvalid):
        _blacklist(RefreshToken(refresh, verify=False))


def employee_create(
    *,
    email: str,
    employee_number: str,
    display_name: str,
    department: str = "",
    team: str = "",
    language: str = "nl",
    password: str | None = None,
    roles: Iterable[Role] = (),
    is_staff: bool = False,
) -> Employee:
    """Creates an employee. Without a password the account cannot log in until one is set."""
    with transaction.atomic():
        try:
            employee = Employee.objects.create_user(
                email=email,
                password=password,
                employee_number=employee_number,
                display_name=display_name,
                department=department,
                team=team,
                language=language,
                is_staff=is_staff,
                is_superuser=is_staff,
            )
        except IntegrityError:
            raise Conflict(
                "An employee with this email or employee number exists.", code="duplicate_employee"
            ) from None
        if roles:
            employee_set_roles(employee=employee, roles=roles)
        _referral_codes_follow(employee)
    return employee


def _referral_codes_follow(*employees: Employee) -> None:
    """Every active employee has a personal referral code; leaving freezes all codes."""
    from referrals.services.codes import referral_codes_follow_employment

    referral_codes_follow_employment(employees=employees)


def employee_set_roles(*, employee: Employee, roles: Iterable[Role | str]) -> None:
    wanted = {Role(role) for role in roles}
    groups = [Group.objects.get_or_create(name=role.value)[0] for role in wanted]
    other = employee.groups.exclude(name__in=[r.value for r in wanted]).filter(name__in=Role.values)
    employee.groups.remove(*other)
    employee.groups.add(*groups)
    employee.__dict__.pop("_role_names", None)


def employee_update_preferences(*, employee: Employee, data: Mapping[str, Any]) -> Employee:
    """The fields an employee may change about themselves: language and ranking opt-out."""
    allowed = {"language", "ranking_opt_out"}
    changed = [name for name in allowed if name in data and getattr(employee, name) != data[name]]
    for name in changed:
        setattr(employee, name, data[name])
    if changed:
        employee.save(update_fields=changed)
    return employee


def employee_deactivate(*, employee: Employee, left_at: datetime | None = None) -> bool:
    """Marks an employee as left. Returns False when they already were."""
    if not employee.is_active and employee.left_at is not None:
        return False
    employee.is_active = False
    employee.left_at = left_at or timezone.now()
    with transaction.atomic():
        employee.save(update_fields=["is_active", "left_at"])
        _referral_codes_follow(employee)
    return True


def employee_identifiers_replace(*, employee: Employee, hashes: Mapping[str, str | None]) -> None:
    """Sets the employee's own identifier hashes; a kind mapped to None is removed."""
    for kind, value_hash in hashes.items():
        IdentifierKind(kind)
        EmployeeIdentifier.objects.filter(employee=employee, kind=kind).exclude(
            value_hash=value_hash or ""
        ).delete()
        if value_hash:
            EmployeeIdentifier.objects.get_or_create(
                employee=employee, kind=kind, value_hash=value_hash
            )


def roles_sync_permissions(*, using: str = "default") -> None:
    """Gives each role group exactly the model permissions ROLE_PERMISSIONS lists.

    Runs after every migrate (permissions only exist once their models are migrated).
    Raises LookupError for a listed permission that does not exist, so a typo fails loudly.
    """
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        permissions = []
        for name in names:
            app_label, _, codename = name.partition(".")
            permission = (
                Permission.objects.using(using)
                .filter(content_type__app_label=app_label, codename=codename)
                .first()
            )
            if permission is None:
                raise LookupError(f"ROLE_PERMISSIONS names unknown permission {name!r}")
            permissions.append(permission)
        group.permissions.set(permissions)
