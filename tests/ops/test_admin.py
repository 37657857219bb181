"""The sales ops workspace in the admin: queue, filters, search, decisions, CSV."""

from __future__ import annotations

import pytest
from django.test import Client

from referrals.models import AttributionEvent
from tests.factories import PASSWORD
from tests.referrals.conftest import personal_code

pytestmark = pytest.mark.django_db
QUEUE = "/admin/referrals/attribution/"


def admin_client(person) -> Client:
    client = Client()
    assert client.login(email=person.email, password=PASSWORD)
    return client


def test_sales_ops_filter_the_queue_and_search_by_code_or_external_id(
    sales_ops, employee, other_employee, referred_by
) -> None:
    flagged = referred_by(employee, sales_channel="dealer", external_id="ORD-FLAG-1")
    plain = referred_by(other_employee, external_id="ORD-PLAIN-2")
    client = admin_client(sales_ops)

    review = client.get(QUEUE, {"status__exact": "needs_review"})
    by_code = client.get(QUEUE, {"q": personal_code(other_employee).display.lower()})
    by_id = client.get(QUEUE, {"q": "ORD-FLAG"})
    by_name = client.get(QUEUE, {"q": "Bram"})

    assert review.status_code == 200
    assert [a.pk for a in review.context["cl"].result_list] == [flagged.pk]
    assert [a.pk for a in by_code.context["cl"].result_list] == [plain.pk]
    assert [a.pk for a in by_id.context["cl"].result_list] == [flagged.pk]
    assert [a.pk for a in by_name.context["cl"].result_list] == [plain.pk]
    assert "Download CSV" in review.content.decode()


def test_approving_asks_for_the_reason_first_and_then_decides(
    sales_ops, employee, referred_by
) -> None:
    flagged = referred_by(employee, sales_channel="dealer")
    client = admin_client(sales_ops)
    selection = {"action": "approve_selected", "_selected_action": [flagged.pk]}

    page = client.post(QUEUE, selection)
    flagged.refresh_from_db()
    assert page.status_code == 200
    assert "Reason" in page.content.decode()
    assert flagged.status == "needs_review"

    empty = client.post(
        QUEUE, {**selection, "confirm": "Approve", "reason": "", f"version_{flagged.pk}": 1}
    )
    flagged.refresh_from_db()
    assert empty.status_code == 200
    assert flagged.status == "needs_review"

    done = client.post(
        QUEUE,
        {
            **selection,
            "confirm": "Approve",
            "reason": "Store confirmed",
            f"version_{flagged.pk}": 1,
        },
        follow=True,
    )
    flagged.refresh_from_db()
    assert flagged.status == "pending"
    assert "1 attribution(s) approved." in done.content.decode()
    event = AttributionEvent.objects.filter(attribution=flagged).latest("id")
    assert (event.actor, event.note) == (sales_ops, "Store confirmed")


def test_a_decision_on_a_record_that_changed_since_the_reason_page_changes_nothing(
    sales_ops, employee, referred_by
) -> None:
    flagged = referred_by(employee, sales_channel="dealer")
    client = admin_client(sales_ops)

    response = client.post(
        QUEUE,
        {
            "action": "reject_selected",
            "_selected_action": [flagged.pk],
            "confirm": "Reject",
            "reason": "Looks wrong",
            f"version_{flagged.pk}": 0,
        },
        follow=True,
    )

    flagged.refresh_from_db()
    assert flagged.status == "needs_review"
    assert "Changed since you saw it" in response.content.decode()


def test_events_are_read_only_in_the_admin(sales_ops, staff, employee, referred_by) -> None:
    attribution = referred_by(employee)
    event = AttributionEvent.objects.get(attribution=attribution)

    for person in (sales_ops, staff):
        client = admin_client(person)
        detail = client.get(f"{QUEUE}{attribution.pk}/change/")
        delete = client.post(
            f"/admin/referrals/attributionevent/{event.pk}/delete/", {"post": "yes"}
        )
        assert detail.status_code == 200
        assert "Rule trace" in detail.content.decode()
        assert delete.status_code == 403
    assert AttributionEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_csv_holds_the_filtered_rows(sales_ops, employee, referred_by) -> None:
    flagged = referred_by(employee, sales_channel="dealer")
    referred_by(employee)

    response = admin_client(sales_ops).get(QUEUE + "export/", {"status__exact": "needs_review"})

    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert [line.split(",")[0] for line in lines[1:]] == [str(flagged.pk)]


def test_editors_and_employees_cannot_open_the_workspace(editor, employee) -> None:
    assert admin_client(editor).get(QUEUE).status_code == 403
    assert admin_client(editor).get(QUEUE + "export/").status_code == 403
    employee_response = admin_client(employee).get(QUEUE)
    assert employee_response.status_code == 302
    assert "/admin/login/" in employee_response["Location"]
