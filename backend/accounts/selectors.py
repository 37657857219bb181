"""Reads for employees."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import QuerySet

from backend.accounts.models import Employee

# Every authenticated request runs this. The SQL is written out because compiling the
# equivalent queryset costs more CPU than running the query (measured in bench/RESULTS.md).
_EMPLOYEE_WITH_ROLES = """
    SELECT e.*, ARRAY(
        SELECT g.name FROM accounts_employee_groups AS eg
        JOIN auth_group AS g ON g.id = eg.group_id
        WHERE eg.employee_id = e.id
    ) AS group_names
    FROM accounts_employee AS e WHERE e.id = %s
"""


def employee_get_with_roles(*, employee_id: Any) -> Employee | None:
    """The employee with their role names loaded (one query on PostgreSQL), or None."""
    try:
        pk = int(employee_id)
    except (TypeError, ValueError):
        return None
    if connection.vendor != "postgresql":
        # SQLite (the demo): roles are read on first use.
        return Employee.objects.filter(pk=pk).order_by().first()
    found = list(Employee.objects.raw(_EMPLOYEE_WITH_ROLES, [pk]))
    if not found:
        return None
    employee = found[0]
    employee._role_names = frozenset(employee.group_names)  # type: ignore[attr-defined]
    return employee


def employee_personal_code(*, employee: Employee) -> str | None:
    """The employee's live personal referral code (canonical), if any (one query)."""
    from referrals.selectors import personal_code_of

    return personal_code_of(employee=employee)


def employees_active() -> QuerySet[Employee]:
    return Employee.objects.filter(is_active=True)
