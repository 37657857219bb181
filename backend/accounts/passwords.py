"""Invitations and password reset, for companies without single sign-on and for
break-glass administrators. Tokens are Django's PasswordResetTokenGenerator: derived from
the password hash, so setting the password uses the token up, and expiring after
PASSWORD_RESET_TIMEOUT.

A reset request only queues a job (`accounts.password_reset_mail`); the worker looks the
address up and mails. So the request does the same work for any address, and neither its
answer nor its duration tells who works here. The address travels encrypted (Fernet, key
derived from SECRET_KEY): the queue logs each job's arguments, and nobody reading the log
or the jobs table should learn who asked."""

from __future__ import annotations

import base64
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode

from backend.accounts.mails import password_link_deliver, password_link_send
from backend.accounts.models import Employee
from backend.api.errors import InvalidInput
from backend.events.queue import job_defer

logger = logging.getLogger(__name__)

# The longest password any way of setting one (the API, the set-password page) accepts.
PASSWORD_MAX_LENGTH = 128


class ResetLinkInvalid(InvalidInput):
    default_code = "reset_link_invalid"
    default_message = "This link has expired or was already used: ask for a new one."


def _address_cipher() -> Fernet:
    key = hashlib.sha256(b"password-reset-address:" + settings.SECRET_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def password_reset_request(*, email: str) -> None:
    """Queues the reset mail for this address, in the caller's transaction, whether or not
    anybody has it: no lookup here (see the module docstring)."""
    from backend.accounts.tasks import password_reset_mail

    sealed = _address_cipher().encrypt(email.strip().lower().encode()).decode()
    job_defer(password_reset_mail, sealed_email=sealed)


def password_reset_mail_send(*, sealed_email: str) -> bool:
    """The job behind a reset request: mails a link when an active employee has the
    address, else does nothing; returns whether a mail went out. Raises MailNotSent when
    the mail server fails, so the queue retries (MAIL_RETRY_SCHEDULE)."""
    try:
        email = _address_cipher().decrypt(sealed_email.encode()).decode()
    except InvalidToken:  # SECRET_KEY changed since the request: nothing to do but drop it
        logger.warning("password reset request dropped: its address cannot be decrypted")
        return False
    employee = Employee.objects.filter(email=email, is_active=True).first()
    if employee is None:
        return False
    password_link_deliver(employee=employee, kind="reset")
    return True


def password_reset_employee(*, uid: str, token: str) -> Employee:
    """The active employee a link is for, while its token is valid; else ResetLinkInvalid."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uid)))
    except (ValueError, TypeError, OverflowError):
        raise ResetLinkInvalid() from None
    employee = Employee.objects.filter(pk=pk, is_active=True).first()
    if employee is None or not default_token_generator.check_token(employee, token):
        raise ResetLinkInvalid()
    return employee


@transaction.atomic
def password_reset_confirm(*, uid: str, token: str, new_password: str) -> Employee:
    """Sets the password a valid link allows. Django's password validators apply (a
    ValidationError names `new_password`). Setting it changes the hash the token derives
    from, so the link is used up, and every existing session of the employee ends.

    Holds a FOR UPDATE lock on the employee, so the same link used twice at once sets the
    password once and the second use is refused."""
    employee = password_reset_employee(uid=uid, token=token)
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    if not default_token_generator.check_token(employee, token):
        raise ResetLinkInvalid()
    try:
        if len(new_password) > PASSWORD_MAX_LENGTH:
            raise ValidationError(f"At most {PASSWORD_MAX_LENGTH} characters.")
        validate_password(new_password, user=employee)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from None
    employee.set_password(new_password)
    employee.save(update_fields=["password"])
    return employee


@dataclass
class InviteResult:
    invited: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)


def employees_invite(*, emails: Sequence[str] = (), everyone: bool = False) -> InviteResult:
    """Mails a set-password link to each active employee without a usable password: all of
    them (`everyone`) or those named. Employees who have a password, have left or are
    unknown are skipped with the reason."""
    result = InviteResult()
    wanted = [email.strip().lower() for email in emails]
    queryset = Employee.objects.filter(
        is_active=True, password__startswith=UNUSABLE_PASSWORD_PREFIX
    )
    if not everyone:
        queryset = queryset.filter(email__in=wanted)
    found = {employee.email: employee for employee in queryset.order_by("email")}
    for email in wanted:
        if email not in found:
            known = Employee.objects.filter(email=email).first()
            result.skipped[email] = (
                "unknown"
                if known is None
                else "has left"
                if not known.is_active
                else "already has a password"
            )
    for email, employee in found.items():
        if password_link_send(employee=employee, kind="invite"):
            result.invited.append(email)
        else:
            result.skipped[email] = "the mail could not be sent (see the log)"
    return result
