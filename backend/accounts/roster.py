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

from backend.accounts.identifiers import IdentifierKind, identifier_hash, normalize_email
from backend.accounts.models import Employee, Language
from backend.accounts.services import employee_identifiers_replace, employee_sessions_end
from referrals.services.codes import referral_codes_follow_employment

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


def roster_parse(text: str) -> list[RosterRow]:
    """Parses and validates the whole file; raises RosterError listing every bad row."""
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown:
        problems = []
        if missing:
            problems.append(f"line 1: missing column(s): {', '.join(missing)}")
        if unknown:
            problems.append(f"line 1: unknown column(s): {', '.join(unknown)}")
        raise RosterError(problems)
    reader.fieldnames = header

    rows: list[RosterRow] = []
    errors: list[str] = []
    seen_numbers: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        if None in raw:
            errors.append(f"line {line}: more values than columns")
            continue
        values = {key: (value or "").strip() for key, value in raw.items()}
        if not any(values.values()):
            continue
        row_errors, row = _parse_row(line, values)
        number, email = values.get("employee_number", ""), values.get("email", "").lower()
        if number and number in seen_numbers:
            row_errors.append(f"employee_number {number} repeats line {seen_numbers[number]}")
        if email and email in seen_emails:
            row_errors.append(f"email repeats line {seen_emails[email]}")
        if number:
            seen_numbers.setdefault(number, line)
        if email:
            seen_emails.setdefault(email, line)
        if row_errors:
            errors.extend(f"line {line}: {message}" for message in row_errors)
        elif row is not None:
            rows.append(row)
    if errors:
        raise RosterError(errors)
    return rows


def _parse_row(line: int, values: dict[str, str]) -> tuple[list[str], RosterRow | None]:
    errors = [f"{name} is required" for name in REQUIRED_COLUMNS if not values.get(name)]
    email = ""
    if values.get("email"):
        try:
            email = normalize_email(values["email"])
        except ValidationError:
            errors.append(f"email {values['email']!r} is not a valid address")
    if len(values.get("employee_number", "")) > 32:
        errors.append("employee_number is longer than 32 characters")
    if len(values.get("display_name", "")) > 150:
        errors.append("display_name is longer than 150 characters")
    for name in ("department", "team"):
        if len(values.get(name, "")) > 100:
            errors.append(f"{name} is longer than 100 characters")
    language = values.get("language") or Language.NL
    if language not in Language.values:
        errors.append(f"language must be nl or en, not {language!r}")
    status = (values.get("status") or "active").lower()
    if status not in ("active", "left"):
        errors.append(f"status must be active or left, not {status!r}")
    left_at: datetime | None = None
    if values.get("left_on"):
        try:
            left_on = date.fromisoformat(values["left_on"])
            left_at = timezone.make_aware(datetime.combine(left_on, time.min))
        except ValueError:
            errors.append(f"left_on {values['left_on']!r} is not a date (YYYY-MM-DD)")
    if status == "left" and left_at is None and not values.get("left_on"):
        left_at = timezone.now()
    if status == "active" and values.get("left_on"):
        errors.append("left_on is set but status is active")
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
    with transaction.atomic():
        existing = {
            employee.employee_number: employee
            for employee in Employee.objects.select_for_update()
            .filter(employee_number__in=[row.employee_number for row in rows])
            .order_by("pk")
        }
        _check_email_conflicts(rows, existing)
        employment_changed: list[Employee] = []
        try:
            for row in rows:
                employee = existing.get(row.employee_number)
                if employee is None:
                    employee = _create(row)
                    result.created += 1
                    result.created_employees.append(employee)
                    employment_changed.append(employee)
                else:
                    outcome = _update(employee, row)
                    setattr(result, outcome, getattr(result, outcome) + 1)
                    if outcome in ("deactivated", "reactivated"):
                        employment_changed.append(employee)
                if row.identifier_hashes:
                    employee_identifiers_replace(employee=employee, hashes=row.identifier_hashes)
            # Personal codes for the new, frozen codes for the leavers: in bulk.
            referral_codes_follow_employment(employees=employment_changed)
        except IntegrityError as exc:
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
    employee = Employee(
        employee_number=row.employee_number,
        email=row.email,
        display_name=row.display_name,
        department=row.department,
        team=row.team,
        language=row.language,
        is_active=row.left_at is None,
        left_at=row.left_at,
    )
    employee.set_unusable_password()  # people sign in once an admin or SSO sets a password
    employee.save()
    return employee


def _update(employee: Employee, row: RosterRow) -> str:
    changed = [name for name in _PROFILE_FIELDS if getattr(employee, name) != getattr(row, name)]
    for name in changed:
        setattr(employee, name, getattr(row, name))
    outcome = "updated" if changed else "unchanged"
    if row.left_at is not None and employee.is_active:
        employee.is_active = False
        employee.left_at = row.left_at
        changed += ["is_active", "left_at"]
        outcome = "deactivated"
    elif row.left_at is None and not employee.is_active and employee.left_at is not None:
        employee.is_active = True
        employee.left_at = None
        changed += ["is_active", "left_at"]
        outcome = "reactivated"
    if changed:
        employee.save(update_fields=changed)
    if outcome == "deactivated":
        employee_sessions_end(employee=employee)
    return outcome
