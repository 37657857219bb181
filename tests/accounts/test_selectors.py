from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext

from backend.accounts.models import Employee
from backend.accounts.roles import Role
from backend.accounts.selectors import employee_get_with_roles


def _columns(employee: Employee) -> dict[str, object]:
    return {field.attname: getattr(employee, field.attname) for field in Employee._meta.fields}


@pytest.mark.django_db
def test_the_employee_of_a_token_is_loaded_as_the_orm_loads_it_with_its_roles_in_one_query(
    make_employee: Callable[..., Employee],
) -> None:
    employee = make_employee(roles=(Role.EDITOR, Role.SALES_OPS))
    Employee.objects.filter(pk=employee.pk).update(
        ranking_opt_out=True,
        is_active=False,
        left_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
        last_login=datetime(2026, 2, 1, tzinfo=UTC),
    )

    with CaptureQueriesContext(connection) as queries:
        loaded = employee_get_with_roles(employee_id=str(employee.pk))
        roles = loaded.roles if loaded else None

    assert loaded is not None
    assert _columns(loaded) == _columns(Employee.objects.get(pk=employee.pk))
    assert model_to_dict(loaded) == model_to_dict(Employee.objects.get(pk=employee.pk))
    assert roles == ["editor", "sales_ops"]
    assert len(queries) == 1
    assert loaded._state.adding is False
    assert loaded._state.db == "default"


@pytest.mark.django_db
@pytest.mark.parametrize("employee_id", [None, "", "abc", 10**12, "1.5"])
def test_no_employee_for_an_identifier_that_names_none(employee_id: object) -> None:
    assert employee_get_with_roles(employee_id=employee_id) is None
