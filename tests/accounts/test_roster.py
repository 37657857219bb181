from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from backend.accounts.identifiers import IdentifierKind, identifier_hash
from backend.accounts.models import Employee, EmployeeIdentifier
from tests.factories import EmployeeFactory

HEADER = (
    "employee_number,email,display_name,department,team,language,status,left_on,"
    "personal_email,personal_phone,customer_account\n"
)


def write_roster(tmp_path: Path, body: str, header: str = HEADER) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(header + body, encoding="utf-8")
    return path


def run_import(path: Path) -> str:
    from io import StringIO

    out = StringIO()
    call_command("import_employees", str(path), stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
def test_import_creates_updates_and_deactivates(tmp_path: Path) -> None:
    EmployeeFactory(employee_number="H2", email="bram@ceo-telecom.example", team="Old")
    EmployeeFactory(employee_number="H3", email="cor@ceo-telecom.example")
    EmployeeFactory(employee_number="H4", email="dina@ceo-telecom.example", display_name="Dina")
    path = write_roster(
        tmp_path,
        "H1,Anna@CEO-telecom.example,Anna de Vries,Retail,Store A,nl,active,,"
        "anna@home.example,06 12345678,NL-1234-5678\n"
        "H2,bram@ceo-telecom.example,Bram Visser,Retail,New,en,active,,,,\n"
        "H3,cor@ceo-telecom.example,Cor Smit,Retail,Store,nl,left,2026-10-31,,,\n"
        "H4,dina@ceo-telecom.example,Dina,Retail,Store Amsterdam,nl,active,,,,\n",
    )

    output = run_import(path)

    assert output == "created=1 updated=1 deactivated=1 reactivated=0 unchanged=1"
    anna = Employee.objects.get(employee_number="H1")
    assert (anna.email, anna.display_name, anna.is_active) == (
        "anna@ceo-telecom.example",
        "Anna de Vries",
        True,
    )
    assert not anna.has_usable_password()
    assert Employee.objects.get(employee_number="H2").team == "New"
    cor = Employee.objects.get(employee_number="H3")
    assert cor.is_active is False
    assert cor.left_at is not None
    assert timezone.localtime(cor.left_at).date().isoformat() == "2026-10-31"


@pytest.mark.django_db
def test_personal_identifiers_are_stored_only_as_keyed_hashes(tmp_path: Path) -> None:
    path = write_roster(
        tmp_path,
        "H1,anna@ceo-telecom.example,Anna,Retail,A,nl,active,,Anna@Home.example,"
        "+31 6 1234 5678,nl-1234-5678\n",
    )

    run_import(path)

    stored = dict(EmployeeIdentifier.objects.values_list("kind", "value_hash"))
    assert stored == {
        "email": identifier_hash(IdentifierKind.EMAIL, "anna@home.example"),
        "phone": identifier_hash(IdentifierKind.PHONE, "0612345678"),
        "account": identifier_hash(IdentifierKind.ACCOUNT, "NL12345678"),
    }
    dump = " ".join(str(row) for row in EmployeeIdentifier.objects.values_list())
    assert "home.example" not in dump
    assert "612345678" not in dump


@pytest.mark.django_db
def test_importing_the_same_roster_twice_changes_nothing(tmp_path: Path) -> None:
    path = write_roster(
        tmp_path, "H1,anna@ceo-telecom.example,Anna,Retail,A,nl,active,,,0612345678,\n"
    )
    run_import(path)

    assert run_import(path) == "created=0 updated=0 deactivated=0 reactivated=0 unchanged=1"
    assert EmployeeIdentifier.objects.count() == 1


@pytest.mark.django_db
def test_a_malformed_roster_lists_every_bad_line_and_writes_nothing(tmp_path: Path) -> None:
    EmployeeFactory(employee_number="H9", email="keep@ceo-telecom.example", team="Unchanged")
    path = write_roster(
        tmp_path,
        "H1,anna@ceo-telecom.example,Anna,Retail,A,nl,active,,,,\n"
        "H2,not-an-email,Bram,Retail,A,nl,active,,,,\n"
        ",cor@ceo-telecom.example,Cor,Retail,A,fr,active,,,,\n"
        "H4,dina@ceo-telecom.example,Dina,Retail,A,nl,left,31-10-2026,,,\n"
        "H1,eva@ceo-telecom.example,Eva,Retail,A,nl,active,,,12,\n"
        "H9,keep@ceo-telecom.example,Keep,Retail,Changed,nl,active,,,,\n",
    )

    with pytest.raises(CommandError) as raised:
        run_import(path)

    message = str(raised.value)
    assert "nothing was written" in message
    assert "line 3: email 'not-an-email' is not a valid address" in message
    assert "line 4: employee_number is required" in message
    assert "line 4: language must be nl or en, not 'fr'" in message
    assert "line 5: left_on '31-10-2026' is not a date (YYYY-MM-DD)" in message
    assert "line 6: personal_phone is not a valid phone number" in message
    assert "line 6: employee_number H1 repeats line 2" in message
    assert "line 2:" not in message
    assert "line 7:" not in message
    assert Employee.objects.count() == 1
    assert Employee.objects.get().team == "Unchanged"


@pytest.mark.django_db
def test_a_roster_with_missing_columns_is_refused(tmp_path: Path) -> None:
    path = write_roster(tmp_path, "H1,Anna\n", header="employee_number,display_name,shoe_size\n")

    with pytest.raises(CommandError) as raised:
        run_import(path)

    assert "line 1: missing column(s): email" in str(raised.value)
    assert "line 1: unknown column(s): shoe_size" in str(raised.value)


@pytest.mark.django_db
def test_an_email_taken_by_another_employee_refuses_the_file(tmp_path: Path) -> None:
    EmployeeFactory(employee_number="H7", email="anna@ceo-telecom.example")
    path = write_roster(tmp_path, "H1,anna@ceo-telecom.example,Anna,Retail,A,nl,active,,,,\n")

    with pytest.raises(CommandError) as raised:
        run_import(path)

    assert "line 2: email anna@ceo-telecom.example belongs to employee H7" in str(raised.value)
    assert not Employee.objects.filter(employee_number="H1").exists()


@pytest.mark.django_db
def test_semicolon_separated_rosters_and_rehires_are_understood(tmp_path: Path) -> None:
    EmployeeFactory(employee_number="H1", email="anna@ceo-telecom.example", display_name="Anna")
    header = "employee_number;email;display_name;status;left_on\n"
    run_import(write_roster(tmp_path, "H1;anna@ceo-telecom.example;Anna;left;2026-01-01\n", header))

    output = run_import(
        write_roster(tmp_path, "H1;anna@ceo-telecom.example;Anna;active;\n", header)
    )

    assert output == "created=0 updated=0 deactivated=0 reactivated=1 unchanged=0"
    anna = Employee.objects.get(employee_number="H1")
    assert (anna.is_active, anna.left_at) == (True, None)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no such file"):
        run_import(tmp_path / "absent.csv")
