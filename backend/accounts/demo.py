"""A believable demo organisation. Idempotent: rows are matched by employee number."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db import transaction

from backend.accounts.identifiers import IdentifierKind, identifier_hash
from backend.accounts.models import Employee
from backend.accounts.roles import Role
from backend.accounts.services import (
    employee_create,
    employee_identifiers_replace,
)

DEMO_PASSWORD = "ceo-demo-2026"  # noqa: S105  documented demo login
DEMO_DOMAIN = "ceo-telecom.example"

# (number, name, department, team, language, roles, staff)
_PEOPLE: list[tuple[str, str, str, str, str, tuple[Role, ...], bool]] = [
    ("E1001", "Anna de Vries", "Retail", "Store Amsterdam Centraal", "nl", (), False),
    ("E1002", "Eva Jansen", "Customer Service", "Knowledge Team", "nl", (Role.EDITOR,), False),
    ("E1003", "Sam Bakker", "Sales Operations", "Attribution Desk", "en", (Role.SALES_OPS,), False),
    ("E1004", "Admin Beheer", "IT", "Platform", "en", (), True),
    ("E1005", "Daan Visser", "Retail", "Store Amsterdam Centraal", "nl", (), False),
    ("E1006", "Lotte Smit", "Retail", "Store Utrecht Hoog Catharijne", "nl", (), False),
    ("E1007", "Noah Meijer", "Retail", "Store Utrecht Hoog Catharijne", "nl", (), False),
    ("E1008", "Sophie Mulder", "Retail", "Store Rotterdam Lijnbaan", "nl", (), False),
    ("E1009", "Liam de Boer", "Retail", "Store Rotterdam Lijnbaan", "nl", (), False),
    ("E1010", "Julia Bos", "Customer Service", "Billing", "nl", (), False),
    ("E1011", "Finn Vos", "Customer Service", "Billing", "nl", (), False),
    ("E1012", "Emma Peters", "Customer Service", "Mobile Support", "nl", (), False),
    ("E1013", "Lucas Hendriks", "Customer Service", "Mobile Support", "en", (), False),
    (
        "E1014",
        "Mila van Leeuwen",
        "Customer Service",
        "Knowledge Team",
        "nl",
        (Role.EDITOR,),
        False,
    ),
    ("E1015", "Levi Dekker", "Network Operations", "Radio Access", "en", (), False),
    ("E1016", "Sara Brouwer", "Network Operations", "Radio Access", "nl", (), False),
    ("E1017", "Jesse de Wit", "Network Operations", "Fixed Network", "nl", (), False),
    ("E1018", "Tess Dijkstra", "Network Operations", "Fixed Network", "nl", (), False),
    ("E1019", "Sem Smits", "Marketing", "Campaigns", "nl", (), False),
    ("E1020", "Zoë de Graaf", "Marketing", "Campaigns", "nl", (), False),
    ("E1021", "Milan van der Meer", "Marketing", "Brand", "en", (), False),
    ("E1022", "Nina van der Linden", "IT", "Platform", "en", (), False),
    ("E1023", "Thijs Kok", "IT", "Digital Channels", "nl", (), False),
    ("E1024", "Fleur Jacobs", "IT", "Digital Channels", "nl", (), False),
    ("E1025", "Ruben de Haan", "Finance", "Controlling", "nl", (), False),
    ("E1026", "Isa Vermeulen", "Finance", "Controlling", "nl", (), False),
    ("E1027", "Bram van den Berg", "HR", "People Services", "nl", (), False),
    ("E1028", "Lisa van Dijk", "HR", "People Services", "en", (), False),
    ("E1029", "Max Koster", "Sales Operations", "Attribution Desk", "nl", (Role.SALES_OPS,), False),
    ("E1030", "Yara Prins", "Retail", "Store Eindhoven Centrum", "nl", (), False),
    ("E1031", "Stijn Huisman", "Retail", "Store Eindhoven Centrum", "nl", (), False),
    ("E1032", "Femke Kuipers", "Customer Service", "Home Internet", "nl", (), False),
]


def demo_email(name: str) -> str:
    """'Zoë de Graaf' -> 'zoe.de.graaf@ceo-telecom.example'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return ".".join(ascii_name.lower().split()) + f"@{DEMO_DOMAIN}"


@dataclass
class DemoLogin:
    email: str
    role: str


@dataclass
class EmployeeSeedResult:
    created: int
    logins: list[DemoLogin]


@transaction.atomic
def demo_employees_seed() -> EmployeeSeedResult:
    created = 0
    logins: list[DemoLogin] = []
    existing = set(
        Employee.objects.filter(employee_number__in=[p[0] for p in _PEOPLE]).values_list(
            "employee_number", flat=True
        )
    )
    for number, name, department, team, language, roles, staff in _PEOPLE:
        email = demo_email(name)
        if number not in existing:
            employee = employee_create(
                email=email,
                employee_number=number,
                display_name=name,
                department=department,
                team=team,
                language=language,
                password=DEMO_PASSWORD,
                roles=roles,
                is_staff=staff,
            )
            # The demo employee's own phone, so a self-referral can be shown.
            employee_identifiers_replace(
                employee=employee,
                hashes={
                    IdentifierKind.PHONE: identifier_hash(
                        IdentifierKind.PHONE, f"+3161{number[1:]}000"
                    )
                },
            )
            created += 1
        if staff:
            logins.append(DemoLogin(email, "admin (staff)"))
        elif roles:
            logins.append(DemoLogin(email, ", ".join(role.label for role in roles)))
        elif number == "E1001":
            logins.append(DemoLogin(email, "employee"))
    return EmployeeSeedResult(created=created, logins=logins)
