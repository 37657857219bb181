"""What the apps add to the platform's employee features, without the platform importing them.

Dependencies point one way (`backend` ← `knowledge` ← `referrals`): an app registers its
part here from its `AppConfig.ready()`, and the platform calls whatever was registered.
Registering the same function twice (a second `ready()` in tests) changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from backend.accounts.models import Employee

# The personal referral code `/me` shows for an employee (`XXXXX-XXXXX`), or None.
PersonalCodeReader = Callable[[Employee], str | None]
# One app's share of `seed_demo`: creates its demo content (idempotently) and returns the
# lines to print about what it did.
DemoPart = Callable[[], list[str]]

_personal_code_readers: list[PersonalCodeReader] = []
_demo_parts: list[DemoPart] = []


def personal_code_reader_register(reader: PersonalCodeReader) -> None:
    """Let `/me` show personal codes; without a reader it shows none (null)."""
    if reader not in _personal_code_readers:
        _personal_code_readers.append(reader)


def personal_code_of(employee: Employee) -> str | None:
    """The first code a registered reader finds for `employee`, or None."""
    for reader in _personal_code_readers:
        code = reader(employee)
        if code is not None:
            return code
    return None


def demo_part_register(part: DemoPart) -> None:
    """Add an app's demo content to `seed_demo`. Parts run after the demo employees exist,
    in the order they were registered: `INSTALLED_APPS` order, so an app's part runs after
    the parts of the apps it builds on."""
    if part not in _demo_parts:
        _demo_parts.append(part)


def demo_parts() -> list[DemoPart]:
    return list(_demo_parts)
