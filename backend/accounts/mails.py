"""The invitation and password reset mails, in the employee's language (nl or en).

Sent through Django's email framework (EMAIL_* settings); the link opens the set-password
page on this backend. The link is the only secret in the mail and is valid for
PASSWORD_RESET_TIMEOUT seconds, once.
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from backend.accounts.models import Employee

logger = logging.getLogger(__name__)

COPY: dict[str, dict[str, str]] = {
    "nl": {
        "invite_subject": "Welkom bij de CEO-app: kies je wachtwoord",
        "invite_body": (
            "Hoi {name},\n\n"
            "Je kunt nu de CEO-app gebruiken. Kies eerst je wachtwoord via deze link:\n\n"
            "{link}\n\n"
            "De link werkt één keer en is {days} dagen geldig. Open daarna de app en log in "
            "met {email}.\n"
        ),
        "reset_subject": "Nieuw wachtwoord voor de CEO-app",
        "reset_body": (
            "Hoi {name},\n\n"
            "Iemand (hopelijk jij) vroeg een nieuw wachtwoord aan voor {email}. Kies het "
            "via deze link:\n\n{link}\n\n"
            "De link werkt één keer en is {days} dagen geldig. Vroeg je niets aan? Dan kun "
            "je deze mail negeren: je wachtwoord blijft hetzelfde.\n"
        ),
        "page_title": "Kies je wachtwoord",
        "page_intro": "Kies een wachtwoord voor {email}.",
        "password": "Nieuw wachtwoord",
        "password_again": "Nog een keer",
        "submit": "Wachtwoord opslaan",
        "mismatch": "De twee wachtwoorden zijn niet gelijk.",
        "done_title": "Je wachtwoord is opgeslagen",
        "done_text": "Open de CEO-app en log in met {email} en je nieuwe wachtwoord.",
        "invalid_title": "Deze link werkt niet meer",
        "invalid_text": (
            "De link is verlopen of al gebruikt. Vraag in de app een nieuwe aan via "
            "'Wachtwoord vergeten'."
        ),
    },
    "en": {
        "invite_subject": "Welcome to the CEO app: choose your password",
        "invite_body": (
            "Hi {name},\n\n"
            "You can now use the CEO app. First choose your password with this link:\n\n"
            "{link}\n\n"
            "The link works once and is valid for {days} days. Then open the app and sign "
            "in with {email}.\n"
        ),
        "reset_subject": "A new password for the CEO app",
        "reset_body": (
            "Hi {name},\n\n"
            "Someone (hopefully you) asked for a new password for {email}. Choose it with "
            "this link:\n\n{link}\n\n"
            "The link works once and is valid for {days} days. Didn't ask? Ignore this "
            "mail: your password stays the same.\n"
        ),
        "page_title": "Choose your password",
        "page_intro": "Choose a password for {email}.",
        "password": "New password",
        "password_again": "Once more",
        "submit": "Save password",
        "mismatch": "The two passwords are not the same.",
        "done_title": "Your password is saved",
        "done_text": "Open the CEO app and sign in with {email} and your new password.",
        "invalid_title": "This link no longer works",
        "invalid_text": (
            "The link has expired or was already used. Ask for a new one in the app with "
            "'Forgot password'."
        ),
    },
}


def copy_for(language: str) -> dict[str, str]:
    return COPY.get(language, COPY["en"])


def password_link(employee: Employee) -> str:
    uid = urlsafe_base64_encode(force_bytes(employee.pk))
    token = default_token_generator.make_token(employee)
    return f"{settings.PUBLIC_BASE_URL}/account/set-password/{uid}/{token}/"


class MailNotSent(Exception):
    """The mail server could not be reached or refused the mail. Carries only the error's
    class name: smtplib's own errors can quote the recipient, and this one ends up in the
    job queue's log."""


def password_link_deliver(*, employee: Employee, kind: str) -> None:
    """Mails the employee a set-password link; `kind` is "invite" or "reset". Raises
    MailNotSent, after logging why (by employee id, never the address or the link), when
    the mail server cannot be reached or refuses the mail."""
    copy = copy_for(employee.language)
    days = max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)
    body = copy[f"{kind}_body"].format(
        name=employee.first_name, email=employee.email, link=password_link(employee), days=days
    )
    try:
        send_mail(
            subject=copy[f"{kind}_subject"],
            message=body,
            from_email=None,  # DEFAULT_FROM_EMAIL
            recipient_list=[employee.email],
        )
    except (smtplib.SMTPException, OSError) as exc:
        logger.error(
            "password link mail not sent",
            extra={"kind": kind, "employee_id": employee.pk, "error": type(exc).__name__},
        )
        raise MailNotSent(type(exc).__name__) from None


def password_link_send(*, employee: Employee, kind: str) -> bool:
    """password_link_deliver for a caller that reports rather than retries: False when
    the mail was not sent (and logged)."""
    try:
        password_link_deliver(employee=employee, kind=kind)
    except MailNotSent:
        return False
    return True
