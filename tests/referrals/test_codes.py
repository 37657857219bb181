from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.models import Employee
from backend.accounts.roster import roster_import, roster_parse
from backend.accounts.services import employee_deactivate
from referrals.codes import (
    ALPHABET,
    CodeMalformed,
    CodeTypo,
    check_symbol,
    format_code,
    generate_code,
    normalize_code,
)
from referrals.models import Campaign, ReferralCode
from referrals.services.codes import MAX_LIVE_EXTRA_CODES
from tests.factories import PASSWORD
from tests.referrals.conftest import personal_code

# --- the code format -------------------------------------------------------------------


def test_generated_codes_are_ten_crockford_symbols_with_a_valid_check() -> None:
    codes = {generate_code() for _ in range(500)}

    assert len(codes) == 500
    for code in codes:
        assert len(code) == 10
        assert set(code) <= set(ALPHABET)
        assert not set(code) & set("ILOU")
        assert normalize_code(code) == code


def test_typed_input_is_normalised() -> None:
    code = "0K1D3MQX2" + check_symbol("0K1D3MQX2")
    typed = f" o{code[1].lower()}i{code[3:5]}-{code[5:].lower()} "

    assert normalize_code(typed) == code
    assert normalize_code(format_code(code).replace("1", "l")) == code


def test_every_single_wrong_symbol_and_neighbour_swap_is_a_typo() -> None:
    code = generate_code()
    typos = [code[:i] + s + code[i + 1 :] for i in range(10) for s in ALPHABET if s != code[i]]
    typos += [code[:i] + code[i + 1] + code[i] + code[i + 2 :] for i in range(9)]
    typos = [t for t in typos if t != code]

    for typo in typos:
        with pytest.raises(CodeTypo):
            normalize_code(typo)


@pytest.mark.parametrize("raw", ["", "ABC", "ABCDE-FGHJK-M", "ABCDE-FGHJU", "ABCDE?FGHJK"])
def test_input_that_cannot_be_a_code_is_malformed_not_a_typo(raw: str) -> None:
    with pytest.raises(CodeMalformed):
        normalize_code(raw)


def test_codes_are_shown_with_a_dash() -> None:
    assert format_code("7KD3MQX2A9") == "7KD3M-QX2A9"


# --- every active employee has a personal code ---------------------------------------------


def test_a_new_employee_has_a_personal_code(employee: Employee) -> None:
    code = personal_code(employee)

    assert code.is_personal is True
    assert code.status == "active"


def test_roster_import_issues_codes_in_bulk_in_a_fixed_number_of_queries(
    db: None, django_assert_max_num_queries
) -> None:
    lines = ["employee_number,email,display_name"] + [
        f"R{n:03d},r{n}@ceo-telecom.example,Person {n}" for n in range(40)
    ]

    # 40 employees: one INSERT each (the roster's own), but codes cost a constant few.
    with django_assert_max_num_queries(40 * 2 + 12):
        roster_import(rows=roster_parse("\n".join(lines)))

    assert (
        ReferralCode.objects.filter(
            is_personal=True, owner__employee_number__startswith="R"
        ).count()
        == 40
    )


def test_leaving_freezes_every_code_and_coming_back_unfreezes(employee: Employee) -> None:
    extra = ReferralCode.objects.create(code=generate_code(), owner=employee, label="poster")
    left_at = timezone.now() - timedelta(days=1)

    employee_deactivate(employee=employee, left_at=left_at)

    assert set(ReferralCode.objects.filter(owner=employee).values_list("frozen_at", flat=True)) == {
        left_at
    }
    roster_import(
        rows=roster_parse(
            "employee_number,email,display_name,status\n"
            f"{employee.employee_number},{employee.email},{employee.display_name},active\n"
        )
    )
    extra.refresh_from_db()
    assert extra.frozen_at is None
    assert personal_code(employee).frozen_at is None


def test_roster_deactivation_freezes_codes(employee: Employee) -> None:
    roster_import(
        rows=roster_parse(
            "employee_number,email,display_name,status,left_on\n"
            f"{employee.employee_number},{employee.email},{employee.display_name},left,2026-01-31\n"
        )
    )

    assert personal_code(employee).frozen_at is not None
    assert personal_code(employee).status == "frozen"


def test_employees_created_in_the_admin_get_a_personal_code(staff: Employee) -> None:
    client = Client()
    assert client.login(email=staff.email, password=PASSWORD)

    response = client.post(
        "/admin/accounts/employee/add/",
        {
            "email": "new.person@ceo-telecom.example",
            "employee_number": "A0001",
            "display_name": "New Person",
            "language": "nl",
            "password1": "a-Long-password-123",
            "password2": "a-Long-password-123",
            "identifiers-TOTAL_FORMS": "0",
            "identifiers-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content
    created = Employee.objects.get(employee_number="A0001")
    assert personal_code(created).owner == created


def test_me_shows_the_personal_code_in_a_fixed_number_of_queries(
    employee: Employee, employee_client: APIClient, django_assert_num_queries
) -> None:
    # the employee with role names (authentication), then the code
    with django_assert_num_queries(2):
        response = employee_client.get("/api/v1/me/")

    assert response.json()["personal_code"] == personal_code(employee).display


# --- the codes API ----------------------------------------------------------------------


def test_employee_creates_a_labelled_code_for_a_campaign(
    employee: Employee, employee_client: APIClient, running_campaign: Campaign
) -> None:
    campaign = running_campaign

    response = employee_client.post(
        "/api/v1/referrals/codes/", {"label": "Poster kantine", "campaign": campaign.pk}
    )

    assert response.status_code == 201
    body = response.json()
    stored = ReferralCode.objects.get(owner=employee, is_personal=False)
    assert body["code"] == stored.display
    assert body["label"] == "Poster kantine"
    assert body["campaign"]["name"] == "Zomer"
    assert body["status"] == "active"
    assert body["is_personal"] is False
    assert body["signup_url"].endswith(f"?code={stored.display}")


def test_creating_a_code_refuses_fields_a_client_may_not_set(
    employee: Employee, other_employee: Employee, employee_client: APIClient
) -> None:
    response = employee_client.post(
        "/api/v1/referrals/codes/", {"label": "x", "owner": other_employee.pk, "code": "ABC"}
    )

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"owner", "code"}
    assert response.json()["fields"]["owner"][0]["code"] == "unknown_field"
    assert ReferralCode.objects.filter(is_personal=False).count() == 0


def test_a_code_for_an_ended_campaign_is_refused(employee_client: APIClient) -> None:
    ended = Campaign.objects.create(
        name="Lente",
        starts_at=timezone.now() - timedelta(days=60),
        ends_at=timezone.now() - timedelta(days=1),
        friend_perk_nl="x",
        friend_perk_en="x",
    )

    response = employee_client.post("/api/v1/referrals/codes/", {"campaign": ended.pk})

    assert response.status_code == 409
    assert response.json()["fields"]["campaign"][0]["code"] == "campaign_ended"
    assert ReferralCode.objects.filter(is_personal=False).count() == 0


def test_live_extra_codes_are_limited(employee: Employee, employee_client: APIClient) -> None:
    ReferralCode.objects.bulk_create(
        [
            ReferralCode(code=generate_code(), owner=employee, label=str(n))
            for n in range(MAX_LIVE_EXTRA_CODES)
        ]
    )

    response = employee_client.post("/api/v1/referrals/codes/", {"label": "one more"})

    assert response.status_code == 409
    assert response.json()["code"] == "too_many_codes"


def test_codes_list_shows_only_own_codes_in_bounded_queries(
    employee: Employee,
    other_employee: Employee,
    employee_client: APIClient,
    django_assert_num_queries,
) -> None:
    ReferralCode.objects.bulk_create(
        [ReferralCode(code=generate_code(), owner=employee, label=str(n)) for n in range(7)]
    )

    for size in (2, 8):
        # user (authentication), the page
        with django_assert_num_queries(2):
            response = employee_client.get(f"/api/v1/referrals/codes/?page_size={size}")
        assert len(response.json()["results"]) == size
    owners = {c.owner_id for c in ReferralCode.objects.filter(owner=employee)}
    assert owners == {employee.pk}
    assert personal_code(other_employee).display not in str(response.json())


def test_revoking_the_personal_code_issues_a_new_one(
    employee: Employee, employee_client: APIClient
) -> None:
    old = personal_code(employee)

    response = employee_client.post(f"/api/v1/referrals/codes/{old.display.lower()}/revoke/")

    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    new = personal_code(employee)
    assert new.pk != old.pk
    assert employee_client.get("/api/v1/me/").json()["personal_code"] == new.display


def test_revoking_twice_is_harmless(employee: Employee, employee_client: APIClient) -> None:
    extra = ReferralCode.objects.create(code=generate_code(), owner=employee, label="x")
    url = f"/api/v1/referrals/codes/{extra.code}/revoke/"

    first = employee_client.post(url)
    second = employee_client.post(url)

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()


@pytest.mark.parametrize("kind", ["typo", "malformed"])
def test_a_code_in_the_address_that_cannot_exist_is_not_found(
    employee: Employee, employee_client: APIClient, kind: str
) -> None:
    code = personal_code(employee).code
    wrong = code[:9] + next(s for s in ALPHABET if s != code[9]) if kind == "typo" else "X!"

    revoke = employee_client.post(f"/api/v1/referrals/codes/{wrong}/revoke/")
    qr = employee_client.get(f"/api/v1/referrals/codes/{wrong}/qr/")

    assert revoke.status_code == qr.status_code == 404
    assert revoke.json()["code"] == "code_not_found"
    assert personal_code(employee).code == code


def test_another_employees_code_is_not_found(
    other_employee: Employee, employee_client: APIClient
) -> None:
    theirs = personal_code(other_employee)

    revoke = employee_client.post(f"/api/v1/referrals/codes/{theirs.code}/revoke/")
    qr = employee_client.get(f"/api/v1/referrals/codes/{theirs.code}/qr/")

    assert revoke.status_code == qr.status_code == 404
    assert personal_code(other_employee).pk == theirs.pk


def test_qr_code_as_svg_and_png(employee: Employee, employee_client: APIClient) -> None:
    code = personal_code(employee)

    svg = employee_client.get(f"/api/v1/referrals/codes/{code.display}/qr/?format=svg")
    png = employee_client.get(f"/api/v1/referrals/codes/{code.display}/qr/?format=png")
    default = employee_client.get(f"/api/v1/referrals/codes/{code.display}/qr/")
    bad = employee_client.get(f"/api/v1/referrals/codes/{code.display}/qr/?format=gif")

    assert svg.status_code == png.status_code == default.status_code == 200
    assert svg["Content-Type"] == default["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    assert png["Content-Type"] == "image/png"
    assert png.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert bad.status_code == 400
    assert bad.json()["fields"]["format"][0]["code"] == "invalid_choice"


def test_qr_code_as_generic_bytes_only_when_accept_prefers_them(
    employee: Employee, employee_client: APIClient
) -> None:
    url = f"/api/v1/referrals/codes/{personal_code(employee).display}/qr/?format=png"

    generic = employee_client.get(url, HTTP_ACCEPT="application/octet-stream")
    image = employee_client.get(url, HTTP_ACCEPT="image/png, application/octet-stream;q=0.5")
    anything = employee_client.get(url, HTTP_ACCEPT="*/*")
    neither = employee_client.get(url, HTTP_ACCEPT="application/json")

    assert generic["Content-Type"] == "application/octet-stream"
    assert generic.content == image.content == anything.content == neither.content
    assert generic.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert image["Content-Type"] == anything["Content-Type"] == neither["Content-Type"]
    assert neither["Content-Type"] == "image/png"
    assert generic["Vary"] == image["Vary"] == "Accept, origin"


def test_staff_revoke_codes_in_the_admin_and_sales_ops_only_read_them(
    staff: Employee, sales_ops: Employee, employee: Employee
) -> None:
    old = personal_code(employee)
    admin_client, ops_client = Client(), Client()
    assert admin_client.login(email=staff.email, password=PASSWORD)
    assert ops_client.login(email=sales_ops.email, password=PASSWORD)

    ops_listing = ops_client.get("/admin/referrals/referralcode/")
    ops_attempt = ops_client.post(
        "/admin/referrals/referralcode/",
        {"action": "revoke_selected", "_selected_action": [old.pk]},
    )
    old.refresh_from_db()
    assert ops_listing.status_code == 200
    assert ops_attempt.status_code == 200  # Django refuses an action it does not offer
    assert old.revoked_at is None

    response = admin_client.post(
        "/admin/referrals/referralcode/",
        {"action": "revoke_selected", "_selected_action": [old.pk]},
    )

    old.refresh_from_db()
    assert response.status_code == 302
    assert old.revoked_at is not None
    assert personal_code(employee).pk != old.pk
