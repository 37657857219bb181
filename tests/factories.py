from __future__ import annotations

from typing import Any

import factory

from backend.accounts.models import Employee
from backend.accounts.services import employee_create

PASSWORD = "correct-horse-battery"


class EmployeeFactory(factory.django.DjangoModelFactory):
    """Builds employees through the real service, so they get what every employee gets."""

    class Meta:
        model = Employee

    email = factory.Sequence(lambda n: f"employee{n}@ceo-telecom.example")
    employee_number = factory.Sequence(lambda n: f"T{n:05d}")
    display_name = factory.Faker("name", locale="nl_NL")
    department = "Retail"
    team = "Store Amsterdam"
    language = "nl"
    password = PASSWORD

    @classmethod
    def _create(cls, model_class: type[Employee], *args: Any, **kwargs: Any) -> Employee:
        return employee_create(**kwargs)
