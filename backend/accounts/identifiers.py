"""Personal identifiers (email, phone, customer account) as keyed hashes.

Friends' and employees' contact data is never stored in the clear. Each value is
normalised (so `Jan@Example.com ` and `jan@example.com` match, and `06-12345678` and
`+31 6 1234 5678` match) and then hashed with HMAC-SHA256 under IDENTIFIER_PEPPER, a
server-side secret: without it, the hashes cannot be brute-forced from a database dump.
"""

from __future__ import annotations

import hashlib
import hmac
import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models


class IdentifierKind(models.TextChoices):
    EMAIL = "email", "Email address"
    PHONE = "phone", "Phone number"
    ACCOUNT = "account", "Customer account"


_ACCOUNT = re.compile(r"^[A-Z0-9]{3,40}$")

# The accepted syntax, also published in the OpenAPI schema. A phone number as people write
# it: an optional `+` or `00`, then 6 to 15 digits with spaces, dots, dashes or brackets.
PHONE_PATTERN = r"^(?:\+|00)?(?:[ ().\-]*[0-9]){6,15}[ ().\-]*$"
# A customer account number: 3 to 40 letters and digits, with spaces, dots, dashes or
# slashes between them.
ACCOUNT_PATTERN = r"^[ ./\-]*(?:[A-Za-z0-9][ ./\-]*){3,40}$"
_PHONE = re.compile(PHONE_PATTERN)
_E164 = re.compile(r"^\+[0-9]{6,15}$")


def normalize_email(value: str) -> str:
    email = value.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError("Enter a valid email address.", code="invalid_email") from None
    return email


def normalize_phone(value: str) -> str:
    """E.164, reading numbers without a country prefix as PHONE_DEFAULT_REGION.

    Only the syntax is checked (PHONE_PATTERN), not whether the number is in service:
    the hash is for matching, and the sign-up system may hold numbers a numbering plan
    does not know yet. A number phonenumbers cannot place as 6 to 15 digits after the `+`
    keeps its own digits.

    The result normalises to itself, so a number matches however often it went through
    here (a serializer, then a service): phonenumbers alone does not promise that, as it
    drops one trunk `0` after the country code per pass (`+31 0 0…`).
    """
    if not _PHONE.match(value):
        raise ValidationError(
            "Enter a phone number of 6 to 15 digits, optionally starting with + or 00.",
            code="invalid_phone",
        )
    normalized, valid = _place_phone(value)
    if valid:  # A number valid in its numbering plan is already in its final form.
        return normalized
    for _ in range(15):  # Each further pass can only drop a digit.
        again, _ = _place_phone(normalized)
        if again == normalized:
            break
        normalized = again
    return normalized


def _place_phone(value: str) -> tuple[str, bool]:
    """The number in E.164 if phonenumbers can place it, and whether it is a valid one."""
    try:
        number = phonenumbers.parse(value, settings.PHONE_DEFAULT_REGION)
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        e164 = ""
    if _E164.match(e164):
        return e164, phonenumbers.is_valid_number(number)
    # Unplaceable, or placed outside E.164's length (`00` read as the international
    # prefix with too few digits after it, or a long national number given a country
    # code): the digits as written, with the `+` if there was one.
    digits = re.sub(r"[^0-9]", "", value)
    return ("+" + digits if value.startswith("+") else digits), False


def normalize_account(value: str) -> str:
    account = re.sub(r"[\s.\-/]", "", value).upper()
    if not _ACCOUNT.match(account):
        raise ValidationError(
            "Enter a customer account number of 3 to 40 letters and digits.",
            code="invalid_account",
        )
    return account


_NORMALIZERS = {
    IdentifierKind.EMAIL: normalize_email,
    IdentifierKind.PHONE: normalize_phone,
    IdentifierKind.ACCOUNT: normalize_account,
}


def normalize_identifier(kind: str, value: str) -> str:
    return _NORMALIZERS[IdentifierKind(kind)](value)


def hash_normalized(kind: str, normalized: str) -> str:
    key = settings.IDENTIFIER_PEPPER.encode()
    return hmac.new(key, f"{kind}:{normalized}".encode(), hashlib.sha256).hexdigest()


def identifier_hash(kind: str, value: str) -> str:
    """Normalise and hash; raises ValidationError when the value is not a valid `kind`."""
    return hash_normalized(kind, normalize_identifier(kind, value))


def work_email_hash(email: str) -> str | None:
    """The keyed hash of an employee's work email: it is their own identifier as much as
    the personal ones HR provides, so a sign-up with it is a self-referral."""
    try:
        return identifier_hash(IdentifierKind.EMAIL, email)
    except ValidationError:
        return None
