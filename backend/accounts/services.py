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
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError
from rest_framework_simplejwt.state import token_backend
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from backend.accounts.employment import employee_hire, employee_leave
from backend.accounts.identifiers import IdentifierKind
from backend.accounts.models import Employee, EmployeeIdentifier
from backend.accounts.roles import ROLE_PERMISSIONS, Role
from backend.accounts.sessions import session_claims, session_is_current
from backend.api.errors import DomainError


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
    for claim, value in session_claims(employee).items():
        refresh[claim] = value  # the access token copies them
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def auth_login(*, email: str, password: str, request: HttpRequest | None = None) -> TokenPair:
    """Email + password -> a new token pair. Inactive employees are refused like a bad password.

    `request` goes to the authentication backends (the admin login limit needs it to tell
    an API login from an admin one)."""
    employee = authenticate(request, email=email.strip().lower(), password=password)
    if employee is None or not employee.is_active:
        raise AuthenticationError()
    return _pair_for(employee)  # type: ignore[arg-type]


def auth_sso_login(*, id_token: str) -> TokenPair:
    """An ID token from the company's OpenID provider -> a new token pair for the active
    employee it names (see `backend.accounts.sso` for what is verified); each ID token
    signs in once."""
    from backend.accounts.sso import id_token_use, id_token_verify, sso_employee

    claims = id_token_verify(token=id_token)
    employee = sso_employee(claims=claims)
    with transaction.atomic():
        id_token_use(token=id_token, claims=claims)
        return _pair_for(employee)


def expired_tokens_purge() -> None:
    """Forgets tokens that can no longer be used: ID tokens that signed someone in, and
    refresh tokens with their blacklist entries, once they have expired (the daily job
    `accounts.purge_expired_tokens`)."""
    from backend.accounts.sso import used_id_tokens_purge

    used_id_tokens_purge()
    OutstandingToken.objects.filter(expires_at__lt=timezone.now()).delete()


def _parse_refresh(raw: str) -> RefreshToken:
    try:
        # Verifies signature, expiry and the blacklist.
        return RefreshToken(raw)  # type: ignore[arg-type]  # simplejwt types the encoded token as a Token
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
    """Rotates a refresh token: the old one is blacklisted, a new pair is returned.

    The employee is checked before the blacklist, so that a session ended by a leave or
    `employee_sessions_end` (which also blacklists) is reported as such.
    """
    try:
        # Signature and expiry.
        claims = token_backend.decode(refresh, verify=True)  # type: ignore[arg-type]  # simplejwt types the encoded token as a Token
    except TokenBackendError:
        raise TokenInvalid() from None
    user_id = claims.get("user_id")
    employee = None if user_id is None else Employee.objects.filter(pk=user_id).first()
    if employee is None or not employee.is_active:
        raise AuthenticationError("This account is not active.", code="account_inactive")
    if not session_is_current(employee=employee, claims=claims):
        raise TokenInvalid(
            "This session has ended: the password was changed or all sessions were ended.",
            code="session_ended",
        )
    token = _parse_refresh(refresh)
    _blacklist(token)
    return _pair_for(employee)


@transaction.atomic
def auth_logout(*, employee: Employee, refresh: str) -> None:
    """Blacklists the caller's refresh token. Logging out twice is harmless."""
    try:
        # Signature and expiry only: an already blacklisted token is a finished logout.
        payload = token_backend.decode(refresh, verify=True)  # type: ignore[arg-type]  # simplejwt types the encoded token as a Token
    except TokenBackendError:
        raise TokenInvalid() from None
    if payload.get("token_type") != "refresh" or str(payload.get("user_id")) != str(employee.pk):
        raise TokenInvalid("This is not a refresh token of your session.")
    with contextlib.suppress(TokenInvalid):
        _blacklist(RefreshToken(refresh, verify=False))  # type: ignore[arg-type]  # simplejwt types the encoded token as a Token


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
    external_id: str = "",
) -> Employee:
    """Hires an employee from plain values. Without a password the account cannot log in
    until one is set (invitation, reset or single sign-on)."""
    employee = Employee(
        email=email,
        employee_number=employee_number,
        display_name=display_name,
        department=department,
        team=team,
        language=language,
        is_staff=is_staff,
        is_superuser=is_staff,
        external_id=external_id,
    )
    employee.set_password(password)
    return employee_hire(employee=employee, roles=roles)


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
    """Marks an employee as left (see `employee_leave`). Returns False when they already were."""
    return employee_leave(employee=employee, left_at=left_at)


@transaction.atomic
def employee_sessions_end(*, employee: Employee) -> None:
    """Ends every session of the employee: no refresh token issued before this call works.

    Raising the session epoch is what ends them (see `backend.accounts.sessions`), also for
    a refresh running concurrently: the pair it returns carries the old epoch and is refused
    at its next use. The outstanding refresh tokens are blacklisted as well, so the token
    admin shows them as ended. Access tokens are checked against the epoch on every request.
    """
    Employee.objects.filter(pk=employee.pk).update(session_epoch=F("session_epoch") + 1)
    employee.refresh_from_db(fields=["session_epoch"])
    outstanding = OutstandingToken.objects.filter(
        user_id=employee.pk, blacklistedtoken__isnull=True, expires_at__gt=timezone.now()
    )
    BlacklistedToken.objects.bulk_create(
        [BlacklistedToken(token=token) for token in outstanding], ignore_conflicts=True
    )


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
