"""Serializer fields for personal identifiers: they validate and normalise on the way in
(never echoing the value in an error) and publish their exact syntax in the schema."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.accounts.identifiers import (
    ACCOUNT_PATTERN,
    PHONE_PATTERN,
    normalize_account,
    normalize_email,
    normalize_phone,
)


class _IdentifierField(serializers.CharField):
    normalize: Callable[[str], str]
    max_chars: int

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", self.max_chars)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        # Validators run on the normalised value, which is shorter: check the length as sent.
        if self.max_length is not None and len(value) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        try:
            return type(self).normalize(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages[0], code=exc.code) from None


@extend_schema_field({"type": "string", "format": "email", "maxLength": 254})
class EmailIdentifierField(_IdentifierField):
    """An email address; the validated value is the normalised (lower-case) address."""

    normalize = staticmethod(normalize_email)
    max_chars = 254


@extend_schema_field({"type": "string", "pattern": PHONE_PATTERN, "maxLength": 40})
class PhoneIdentifierField(_IdentifierField):
    """A phone number; the validated value is E.164 (`+31612345678`)."""

    normalize = staticmethod(normalize_phone)
    max_chars = 40


@extend_schema_field({"type": "string", "pattern": ACCOUNT_PATTERN, "maxLength": 60})
class AccountIdentifierField(_IdentifierField):
    """A customer account number; the validated value is upper-case letters and digits."""

    normalize = staticmethod(normalize_account)
    max_chars = 60
