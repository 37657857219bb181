"""The public live code check: valid, typo with its correction, unknown; first name only."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.models import Employee
from referrals.codes import ALPHABET, format_code, generate_code, typo_corrections
from referrals.models import ReferralCode
from tests.referrals.conftest import personal_code


def check(raw: str, client: APIClient | None = None):
    return (client or APIClient()).get(f"/api/v1/public/codes/{raw}/")


def wrong_symbol(code: str, position: int) -> str:
    replacement = next(s for s in ALPHABET if s != code[position])
    return code[:position] + replacement + code[position + 1 :]


def swapped(code: str, first: int, second: int) -> str:
    symbols = list(code)
    symbols[first], symbols[second] = symbols[second], symbols[first]
    return "".join(symbols)


def test_a_live_code_is_valid_with_the_owners_first_name_only(employee: Employee) -> None:
    code = personal_code(employee)

    response = check(code.display.lower())

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "status": "valid",
        "code": code.display,
        "first_name": employee.display_name.split(" ")[0],
    }


@pytest.mark.parametrize("mistake", ["wrong-symbol", "neighbours-swapped"])
def test_a_typo_of_a_live_code_suggests_the_correction(employee: Employee, mistake: str) -> None:
    code = personal_code(employee).code
    position = next(i for i in range(9) if code[i] != code[i + 1])
    typed = (
        wrong_symbol(code, 3)
        if mistake == "wrong-symbol"
        else swapped(code, position, position + 1)
    )

    body = check(typed).json()

    assert body == {"status": "typo", "code": format_code(code), "first_name": employee.first_name}


def test_a_typo_near_no_live_code_gets_no_suggestion(employee: Employee) -> None:
    code = personal_code(employee)
    code.revoked_at = timezone.now()
    code.save()

    body = check(wrong_symbol(code.code, 0)).json()

    assert body == {"status": "typo", "code": None, "first_name": None}


def test_unknown_revoked_and_left_codes_are_all_unknown(
    employee: Employee, other_employee: Employee
) -> None:
    revoked = ReferralCode.objects.create(
        code=generate_code(), owner=employee, revoked_at=timezone.now()
    )
    other_employee.is_active = False
    other_employee.left_at = timezone.now()
    other_employee.save()
    left = personal_code(other_employee)

    answers = [check(raw).json() for raw in (generate_code(), revoked.code, left.code)]

    assert answers == [{"status": "unknown", "code": None, "first_name": None}] * 3


def test_malformed_input_is_a_400_naming_why(db: None) -> None:
    response = check("ABC")

    assert response.status_code == 400
    assert response.json()["code"] == "code_malformed"


def test_the_check_is_throttled_per_client(employee: Employee, throttle_rates) -> None:
    throttle_rates(code_check="3/min")
    client = APIClient()
    raw = personal_code(employee).code

    statuses = [check(raw, client).status_code for _ in range(4)]
    elsewhere = check(raw, APIClient(REMOTE_ADDR="192.0.2.7")).status_code

    assert statuses == [200, 200, 200, 429]
    assert elsewhere == 200


def test_every_correction_is_one_mistake_away_and_well_formed() -> None:
    code = generate_code()
    typed = wrong_symbol(code, 5)

    corrections = typo_corrections(typed)

    assert code in corrections
    assert typed not in corrections
    for candidate in corrections:
        differences = [i for i in range(10) if candidate[i] != typed[i]]
        assert len(differences) == 1 or (
            len(differences) == 2
            and candidate[differences[0]] == typed[differences[1]]
            and candidate[differences[1]] == typed[differences[0]]
        )
