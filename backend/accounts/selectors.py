"""Reads for employees."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import OuterRef, QuerySet

from backend.accounts.extensions import personal_code_of
from backend.accounts.models import Employee

_FIELDS = tuple(field.attname for field in Employee._meta.concrete_fields)


@cache
def _employee_with_roles_sql() -> str:
    """The ORM's statement for one employee and their role names, compiled once.

    Every authenticated request runs it, and compiling the queryset costs more CPU than
    running it. The statement comes from the queryset, not a hand-written copy, so it
    follows the model; its one parameter is the primary key."""
    queryset = (
        Employee.objects.filter(pk=0)
        .order_by()
        .values_list(
            *_FIELDS,
            ArraySubquery(Group.objects.filter(user=OuterRef("pk")).values("name")),
        )
    )
    sql, params = queryset.query.sql_with_params()
    if params != (0,):
        raise RuntimeError(f"expected the primary key as the only parameter, got {params}")
    return sql


def employee_get_with_roles(*, employee_id: Any) -> Employee | None:
    """The employee with their role names loaded (one query on PostgreSQL), or None."""
    try:
        pk = int(employee_id)
    except (TypeError, ValueError):
        return None
    if connection.vendor != "postgresql":
        # SQLite (the demo): roles are read on first use.
        return Employee.objects.filter(pk=pk).order_by().first()
    with connection.cursor() as cursor:
        cursor.execute(_employee_with_roles_sql(), [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    # Every column of the model, as the ORM loads them: none of Employee's fields converts
    # its database value on PostgreSQL (a test compares with an ORM-loaded instance).
    employee = Employee.from_db(connection.alias, _FIELDS, row[:-1])
    employee._role_names = frozenset(row[-1])
    return employee


def employee_personal_code(*, employee: Employee) -> str | None:
    """The employee's personal referral code as shown (`XXXXX-XXXXX`), if the referrals
    app registered a reader for it and the employee has a live one."""
    return personal_code_of(employee)


def employees_active() -> QuerySet[Employee]:
    return Employee.objects.filter(is_active=True)
