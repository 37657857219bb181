"""Identifier normalisation: whatever the schema lets through is accepted, and a value
normalises to itself, so a number hashes alike however often it was normalised."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.accounts.identifiers import (
    ACCOUNT_PATTERN,
    PHONE_PATTERN,
    normalize_account,
    normalize_phone,
)

PROPERTY = settings(max_examples=400, database=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(st.from_regex(PHONE_PATTERN, fullmatch=True))
def test_every_phone_number_the_schema_allows_normalises_to_a_fixed_point(value: str) -> None:
    normalized = normalize_phone(value)

    assert re.fullmatch(r"\+?[0-9]{6,17}", normalized)
    assert normalize_phone(normalized) == normalized


@PROPERTY
@given(st.from_regex(ACCOUNT_PATTERN, fullmatch=True))
def test_every_account_number_the_schema_allows_normalises_to_a_fixed_point(value: str) -> None:
    normalized = normalize_account(value)

    assert normalize_account(normalized) == normalized


@pytest.mark.parametrize(
    ("written", "normalized"),
    [
        ("06-12345678", "+31612345678"),
        ("+31 (0)6 1234 5678", "+31612345678"),
        ("0031 6 12345678", "+31612345678"),
        ("+44 20 7946 0958", "+442079460958"),
        ("00 68 98 2", "0068982"),
    ],
)
def test_phone_numbers_as_people_write_them(written: str, normalized: str) -> None:
    assert normalize_phone(written) == normalized


@pytest.mark.parametrize("value", ["12", "+12345", "0612345678x", "++31612345678", ""])
def test_a_phone_number_outside_the_syntax_is_refused(value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        normalize_phone(value)

    assert refused.value.code == "invalid_phone"
