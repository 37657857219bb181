"""HR roster import: validate every row first, then upsert everything in one transaction.

Columns (header row required; `,` or `;` separated; UTF-8):

| column            | required | meaning                                                   |
|-------------------|----------|-----------------------------------------------------------|
| employee_number   | yes      | HR key; rows are matched on it                           |
| email             | yes      | work email, the login                                    |
| display_name      | yes      | full name as shown in the app                            |
| department        | no       |                                                          |
| team              | no       |                                                          |
| language          | no       | `nl` (default) or `en`                                   |
| status            | no       | `active` (default) or `left`                             |
| left_on           | no       | YYYY-MM-DD; with status `left` (default: today)          |
| personal_email    | no       | hashed for self-referral checks, never stored in clear   |
| personal_phone    | no       | idem                                                     |
| customer_account  | no       | idem: the employee's own customer account number         |
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.employment import (
    employee_change,
    employee_hire,
    employee_leave,
    employee_return,
    employment_batch,
)
from backend.accounts.identifiers import IdentifierKind, identifier_hash, normalize_email
from backend.accounts.models import Employee, Language
from backend.accounts.services import employee_identifiers_replace
from backend.api.errors import Conflict

REQUIRED_COLUMNS = ("employee_number", "email", "display_name")
OPTIONAL_COLUMNS = (
    "department",
    "team",
    "language",
    "status",
    "left_on",
    "personal_email",
    "personal_phone",
    "customer_account",
)
_IDENTIFIER_COLUMNS = {
    "personal_email": IdentifierKind.EMAIL,
    "personal_phone": IdentifierKind.PHONE,
    "customer_account": IdentifierKind.ACCOUNT,
}
_PROFILE_FIELDS = ("email", "display_name", "department", "team", "language")


class RosterError(Exception):
    """The file is refused; `errors` holds one message per problem, with line numbers."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class RosterRow:
    line: int
    employee_number: str
    email: str
    display_name: str
    department: str
    team: str
    language: str
    left_at: datetime | None
    identifier_hashes: dict[str, str | None]


@dataclass
class RosterResult:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    reactivated: int = 0
    unchanged: int = 0
    created_employees: list[Employee] = field(default_factory=list)


def _roster_reader(text: str) -> csv.DictReader[str]:
    """A reader over the file's rows with normalised column names; RosterError when the
    header misses a required column or names an unknown one."""
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    problems = []
    if missing:
        problems.append(f"line 1: missing column(s): {', '.join(missing)}")
    if unknown:
        problems.append(f"line 1: unknown column(s): {', '.join(unknown)}")
    if problems:
        raise RosterError(problems)
    reader.fieldnames = header
    return reader


class _FirstLines:
    """The line each employee number and email first appeared on, to name repeats."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.emails: dict[str, int] = {}

    def repeats(self, line: int, values: dict[str, str]) -> list[str]:
        number, email = values.get("employee_number", ""), values.get("email", "").lower()
        found = []
        if number and number in self.numbers:
            found.append(f"employee_number {number} repeats line {self.numbers[number]}")
        if email and email in self.emails:
            found.append(f"email repeats line {self.emails[email]}")
        if number:
            self.numbers.setdefault(number, line)
        if email:
            self.emails.setdefault(email, line)
        return found


def roster_parse(text: str) -> list[RosterRow]:
    """Parses and validates the whole file; raises RosterError listing every bad row."""
    reader = _roster_reader(text)
    rows: list[RosterRow] = []
    errors: list[str] = []
    first_lines = _FirstLines()
    for raw in reader:
        line = reader.line_num
        if None in raw:
            errors.append(f"line {line}: more values than columns")
            continue
        values = {key: (value or "").strip() for key, value in raw.items()}
        if not any(values.values()):
            continue
        row_errors, row = _parse_row(line, values)
        row_errors.extend(first_lines.repeats(line, values))
        if row_errors:
            errors.extend(f"line {line}: {message}" for message in row_errors)
        elif row is not None:
            rows.append(row)
    if errors:
        raise RosterError(errors)
    return rows


_MAX_LENGTHS = {"employee_number": 32, "display_name": 150, "department": 100, "team": 100}


def _email(values: dict[str, str], errors: list[str]) -> str:
    if not values.get("email"):
        return ""
    try:
        return normalize_email(values["email"])
    except ValidationError:
        errors.append(f"email {values['email']!r} is not a valid address")
        return ""


def _left_at(values: dict[str, str], status: str, errors: list[str]) -> datetime | None:
    """When a leaver left (midnight of `left_on`, or now when the file gives no date)."""
    if not values.get("left_on"):
        return timezone.now() if status == "left" else None
    left_at = None
    try:
        left_on = date.fromisoformat(values["left_on"])
        left_at = timezone.make_aware(datetime.combine(left_on, time.min))
    except ValueError:
        errors.append(f"left_on {values['left_on']!r} is not a date (YYYY-MM-DD)")
    if status == "active":
        errors.append("left_on is set but status is active")
    return left_at


def _identifier_hashes(values: dict[str, str], errors: list[str]) -> dict[str, str | None]:
    """Keyed hashes of the identifier columns present (None clears one)."""
    hashes: dict[str, str | None] = {}
    for column, kind in _IDENTIFIER_COLUMNS.items():
        if column not in values:
            continue
        if not values[column]:
            hashes[kind] = None
            continue
        try:
            hashes[kind] = identifier_hash(kind, values[column])
        except ValidationError:
            # Never echo a personal value back into logs or terminals.
            errors.append(f"{column} is not a valid {kind.label.lower()}")
    return hashes


def _parse_row(line: int, values: dict[str, str]) -> tuple[list[str], RosterRow | None]:
    errors = [f"{name} is required" for name in REQUIRED_COLUMNS if not values.get(name)]
    email = _email(values, errors)
    errors.extend(
        f"{name} is longer than {limit} characters"
        for name, limit in _MAX_LENGTHS.items()
        if len(values.get(name, "")) > limit
    )
    language = values.get("language") or Language.NL
    if language not in Language.values:
        errors.append(f"language must be nl or en, not {language!r}")
    status = (values.get("status") or "active").lower()
    if status not in ("active", "left"):
        errors.append(f"status must be active or left, not {status!r}")
    left_at = _left_at(values, status, errors)
    hashes = _identifier_hashes(values, errors)
    if errors:
        return errors, None
    return [], RosterRow(
        line=line,
        employee_number=values["employee_number"],
        email=email,
        display_name=values["display_name"],
        department=values.get("department", ""),
        team=values.get("team", ""),
        language=language,
        left_at=left_at if status == "left" else None,
        identifier_hashes=hashes,
    )


def roster_import(*, rows: Iterable[RosterRow]) -> RosterResult:
    """Upserts employees by employee_number, all or nothing.

    Holds FOR UPDATE locks on the matched employees (pk order) for the whole import, so a
    concurrent admin edit cannot interleave with it. Raises RosterError when a row would
    take the email of an employee outside the file.
    """
    rows = list(rows)
    result = RosterResult()
    with transaction.atomic(), employment_batch():
        existing = {
            employee.employee_number: employee
            for employee in Employee.objects.select_for_update()
            .filter(employee_number__in=[row.employee_number for row in rows])
            .order_by("pk")
        }
        _check_email_conflicts(rows, existing)
        try:
            for row in rows:
                employee = existing.get(row.employee_number)
                if employee is None:
                    employee = _create(row)
                    result.created += 1
                    result.created_employees.append(employee)
                else:
                    outcome = _update(employee, row)
                    setattr(result, outcome, getattr(result, outcome) + 1)
                if row.identifier_hashes:
                    employee_identifiers_replace(employee=employee, hashes=row.identifier_hashes)
        except (IntegrityError, Conflict) as exc:
            raise RosterError([f"the roster conflicts with stored employees: {exc}"]) from None
    return result


def _check_email_conflicts(rows: list[RosterRow], existing: dict[str, Employee]) -> None:
    owners = dict(
        Employee.objects.filter(email__in=[row.email for row in rows]).values_list(
            "email", "employee_number"
        )
    )
    errors = [
        f"line {row.line}: email {row.email} belongs to employee {owners[row.email]}"
        for row in rows
        if row.email in owners and owners[row.email] != row.employee_number
    ]
    if errors:
        raise RosterError(errors)


def _create(row: RosterRow) -> Employee:
    employee = Employee(**{name: getattr(row, name) for name in _PROFILE_FIELDS})
    employee.employee_number = row.employee_number
    employee.set_unusable_password()  # set later through an invitation or single sign-on
    employee_hire(employee=employee)
    if row.left_at is not None:
        employee_leave(employee=employee, left_at=row.left_at)
    return employee


def _update(employee: Employee, row: RosterRow) -> str:
    changed = employee_change(
        employee=employee, data={name: getattr(row, name) for name in _PROFILE_FIELDS}
    )
    if row.left_at is not None and employee_leave(employee=employee, left_at=row.left_at):
        return "deactivated"
    if row.left_at is None and employee_return(employee=employee):
        return "reactivated"
    return "updated" if changed else "unchanged"
