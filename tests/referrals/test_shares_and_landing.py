"""Shares, the friend's landing page, its JSON twin and the friend's feedback."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.models import Employee
from referrals.codes import generate_code
from referrals.models import Campaign, ReferralCode, Share, ShareFeedback, Visit
from tests.referrals.conftest import personal_code, visit


def share(client: APIClient, **data) -> dict:
    response = client.post("/api/v1/referrals/shares/", {"channel": "whatsapp", **data})
    assert response.status_code == 201, response.content
    return response.json()


# --- sharing -----------------------------------------------------------------------------


def test_sharing_an_answer_returns_an_unguessable_link(
    employee: Employee, employee_client: APIClient, article, settings
) -> None:
    settings.PUBLIC_BASE_URL = "https://ceo.example"

    body = share(employee_client, article=article.slug)

    stored = Share.objects.get()
    assert len(body["token"]) >= 22
    assert body["url"] == f"https://ceo.example/s/{body['token']}"
    assert body["code"] == personal_code(employee).display
    assert body["article"] == {"slug": article.slug, "title": article.title, "language": "nl"}
    assert (body["channel"], body["visit_count"]) == ("whatsapp", 0)
    assert (stored.employee, stored.article) == (employee, article)


def test_sharing_with_another_of_your_codes(employee: Employee, employee_client: APIClient) -> None:
    extra = ReferralCode.objects.create(code=generate_code(), owner=employee, label="poster")

    body = share(employee_client, code=extra.display, channel="qr")

    assert body["code"] == extra.display
    assert body["article"] is None


def test_sharing_refuses_a_draft_answer_another_employees_code_and_a_revoked_code(
    employee: Employee, other_employee: Employee, employee_client: APIClient, make_article
) -> None:
    draft = make_article(status="draft")
    revoked = ReferralCode.objects.create(
        code=generate_code(), owner=employee, revoked_at=timezone.now()
    )
    url = "/api/v1/referrals/shares/"

    draft_response = employee_client.post(url, {"channel": "sms", "article": draft.slug})
    foreign = employee_client.post(
        url, {"channel": "sms", "code": personal_code(other_employee).code}
    )
    revoked_response = employee_client.post(url, {"channel": "sms", "code": revoked.code})
    mass_assignment = employee_client.post(url, {"channel": "sms", "employee": other_employee.pk})

    assert draft_response.status_code == 404
    assert draft_response.json()["code"] == "article_not_found"
    assert draft_response.json()["fields"]["article"][0]["code"] == "article_not_found"
    assert foreign.status_code == 404
    assert revoked_response.status_code == 409
    assert mass_assignment.status_code == 400
    assert mass_assignment.json()["fields"]["employee"][0]["code"] == "unknown_field"
    assert not Share.objects.exists()


def test_shares_list_own_shares_with_visit_counts_in_bounded_queries(
    employee: Employee,
    other_employee: Employee,
    employee_client: APIClient,
    other_client: APIClient,
    article,
    django_assert_num_queries,
) -> None:
    mine = [share(employee_client, article=article.slug) for _ in range(5)]
    share(other_client)
    Client(REMOTE_ADDR="203.0.113.7").get(f"/s/{mine[0]['token']}")
    Client(REMOTE_ADDR="203.0.113.8").get(f"/s/{mine[0]['token']}")
    Client(REMOTE_ADDR="203.0.113.7").get(f"/s/{mine[0]['token']}")

    # auth, the page with visit counts, its feedback and its sign-ups (grouped)
    for size in (2, 5):
        with django_assert_num_queries(4):
            response = employee_client.get(f"/api/v1/referrals/shares/?page_size={size}")
        assert len(response.json()["results"]) == size
    results = response.json()["results"]
    assert {r["token"] for r in results} == {m["token"] for m in mine}
    counts = {r["token"]: r["visit_count"] for r in results}
    assert counts[mine[0]["token"]] == 2
    assert sum(counts.values()) == 2


def test_share_qr_code(employee_client: APIClient, other_client: APIClient) -> None:
    token = share(employee_client)["token"]

    png = employee_client.get(f"/api/v1/referrals/shares/{token}/qr/?format=png")
    foreign = other_client.get(f"/api/v1/referrals/shares/{token}/qr/")

    assert png.status_code == 200
    assert png["Content-Type"] == "image/png"
    assert foreign.status_code == 404


# --- the landing page ----------------------------------------------------------------------


def test_the_landing_page_shows_the_answer_code_name_and_call_to_action(
    employee: Employee, employee_client: APIClient, article, settings
) -> None:
    settings.SIGNUP_URL = "https://shop.example/aanmelden"
    token = share(employee_client, article=article.slug)["token"]
    code = personal_code(employee)

    response = Client().get(f"/s/{token}")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert article.title in html
    assert article.friend_text in html
    assert article.body not in html  # internal detail never reaches the friend
    assert code.display in html
    assert employee.first_name in html
    assert employee.display_name not in html
    assert f'href="https://shop.example/aanmelden?code={code.display}&amp;share={token}"' in html
    assert 'name="viewport"' in html


def test_the_landing_page_loads_nothing_from_elsewhere_and_no_inline_script(
    employee_client: APIClient, article
) -> None:
    token = share(employee_client, article=article.slug)["token"]

    response = Client().get(f"/s/{token}")

    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    external = [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert external == [next(s for s in sources if "code=" in s)]  # only the sign-up link
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["Cache-Control"] == "no-store"


def test_a_view_records_one_visit_per_visitor_per_day_without_storing_the_address(
    employee_client: APIClient, article
) -> None:
    token = share(employee_client, article=article.slug)["token"]
    friend = Client(REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="Friend's phone")

    for _ in range(3):
        friend.get(f"/s/{token}")
    Client(REMOTE_ADDR="203.0.113.8", HTTP_USER_AGENT="Other phone").get(f"/s/{token}")

    visits = list(Visit.objects.values())
    assert len(visits) == 2
    stored = str(visits)
    assert "203.0.113" not in stored
    assert "phone" not in stored
    assert {v["day"] for v in visits} == {timezone.localdate()}
    assert {f.name for f in Visit._meta.fields} == {"id", "share", "day", "visitor_hash", "at"}


def test_the_first_visit_marks_the_share_opened_and_later_visits_keep_that_day(
    employee_client: APIClient, article
) -> None:
    token = share(employee_client, article=article.slug)["token"]
    unopened = Share.objects.get(token=token).opened_on

    Client(REMOTE_ADDR="203.0.113.7").get(f"/s/{token}")
    after_first = Share.objects.get(token=token).opened_on
    later = timezone.localdate() + timedelta(days=2)
    visit(Share.objects.get(token=token), visitor_hash="l" * 64, day=later)

    assert unopened is None
    assert after_first == timezone.localdate()
    assert Share.objects.get(token=token).opened_on == timezone.localdate()
    assert Visit.objects.filter(share__token=token).count() == 2


def test_a_head_request_leaves_the_share_unopened(employee_client: APIClient, article) -> None:
    token = share(employee_client, article=article.slug)["token"]

    Client().head(f"/s/{token}")

    assert Share.objects.get(token=token).opened_on is None


def test_a_rotating_user_agent_from_one_address_is_one_visitor(
    employee_client: APIClient, article
) -> None:
    token = share(employee_client, article=article.slug)["token"]

    for n in range(20):
        Client(REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT=f"Bot/{n}").get(f"/s/{token}")

    assert Visit.objects.count() == 1


def test_addresses_of_one_ipv6_line_are_one_visitor(employee_client: APIClient, article) -> None:
    token = share(employee_client, article=article.slug)["token"]

    for address in ["2001:db8:1:2::1", "2001:db8:1:2:ffff::9", "2001:db8:1:3::1", "::ffff:1.2.3.4"]:
        Client(REMOTE_ADDR=address).get(f"/s/{token}")
    Client(REMOTE_ADDR="1.2.3.4").get(f"/s/{token}")

    # 2001:db8:1:2::/64 once, 2001:db8:1:3::/64 once, 1.2.3.4 (mapped or not) once
    assert Visit.objects.count() == 3


def test_a_head_request_records_no_visit(employee_client: APIClient, article) -> None:
    token = share(employee_client, article=article.slug)["token"]

    assert Client().head(f"/s/{token}").status_code == 200
    assert not Visit.objects.exists()


@pytest.mark.parametrize("token", ["unknown-token-000000000", "x", "a" * 80])
def test_an_unknown_link_is_a_friendly_404(db: None, token: str) -> None:
    response = Client().get(f"/s/{token}", HTTP_ACCEPT_LANGUAGE="nl")

    assert response.status_code == 404
    assert "Deze link werkt niet (meer)" in response.content.decode()
    assert not Visit.objects.exists()


def test_a_link_of_a_revoked_code_is_a_friendly_404(
    employee: Employee, employee_client: APIClient
) -> None:
    token = share(employee_client)["token"]
    employee_client.post(f"/api/v1/referrals/codes/{personal_code(employee).code}/revoke/")

    page = Client().get(f"/s/{token}")
    json = APIClient().get(f"/api/v1/public/shares/{token}/")

    assert page.status_code == json.status_code == 404
    assert json.json()["code"] == "share_not_found"
    assert not Visit.objects.exists()


def test_a_retired_answer_keeps_the_code_but_hides_the_text(
    employee_client: APIClient, article
) -> None:
    token = share(employee_client, article=article.slug)["token"]
    article.status = "archived"
    article.save()

    body = APIClient().get(f"/api/v1/public/shares/{token}/").json()

    assert (body["title"], body["friend_text"], body["answer_retired"]) == (None, None, True)


def test_a_running_campaign_shows_the_friends_perk(
    employee: Employee, employee_client: APIClient, running_campaign: Campaign
) -> None:
    code = ReferralCode.objects.create(
        code=generate_code(), owner=employee, campaign=running_campaign
    )
    token = share(employee_client, code=code.code)["token"]

    html = Client().get(f"/s/{token}").content.decode()

    assert "Eerste maand gratis" in html


def test_the_public_json_twin_shows_the_page_content_and_nothing_more(
    employee: Employee, employee_client: APIClient, article
) -> None:
    token = share(employee_client, article=article.slug)["token"]

    response = APIClient().get(f"/api/v1/public/shares/{token}/")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "token",
        "language",
        "answer_language",
        "title",
        "summary",
        "friend_text",
        "answer_retired",
        "referrer_first_name",
        "code",
        "perk",
        "signup_url",
    }
    assert body["referrer_first_name"] == employee.first_name
    assert body["friend_text"] == article.friend_text
    assert Visit.objects.count() == 1


def test_public_pages_are_throttled_per_visitor(
    employee_client: APIClient, article, throttle_rates
) -> None:
    token = share(employee_client, article=article.slug)["token"]
    throttle_rates(public="3/min")
    friend = Client(REMOTE_ADDR="198.51.100.1")

    statuses = [friend.get(f"/s/{token}").status_code for _ in range(3)]
    page = friend.get(f"/s/{token}")
    json = APIClient(REMOTE_ADDR="198.51.100.1").get(f"/api/v1/public/shares/{token}/")
    other_friend = Client(REMOTE_ADDR="198.51.100.2").get(f"/s/{token}")

    assert statuses == [200, 200, 200]
    assert page.status_code == json.status_code == 429
    assert int(page["Retry-After"]) > 0
    assert json.json()["code"] == "throttled"
    assert other_friend.status_code == 200


# --- the friend's feedback -----------------------------------------------------------------


def test_the_friend_says_whether_the_answer_helped_and_may_change_their_mind(
    employee_client: APIClient, article
) -> None:
    token = share(employee_client, article=article.slug)["token"]
    friend = APIClient(HTTP_USER_AGENT="phone")
    url = f"/api/v1/public/shares/{token}/feedback/"

    first = friend.post(url, {"helpful": False, "reason": "unclear"})
    second = friend.post(url, {"helpful": True})

    assert (first.status_code, second.status_code) == (201, 201)
    assert second.json() == {"helpful": True, "reason": ""}
    assert list(ShareFeedback.objects.values_list("helpful", "reason")) == [(True, "")]


def test_feedback_refuses_unknown_fields_and_links_without_an_answer(
    employee_client: APIClient,
) -> None:
    token = share(employee_client)["token"]
    url = f"/api/v1/public/shares/{token}/feedback/"

    extra = APIClient().post(url, {"helpful": True, "share": 1})
    no_answer = APIClient().post(url, {"helpful": True})

    assert extra.status_code == 400
    assert no_answer.status_code == 409
    assert not ShareFeedback.objects.exists()


def test_the_page_feedback_form_works_without_javascript(
    employee_client: APIClient, article
) -> None:
    token = share(employee_client, article=article.slug)["token"]
    friend = Client(enforce_csrf_checks=True)
    page = friend.get(f"/s/{token}")
    form_token = re.search(r'name="form_token" value="([^"]+)"', page.content.decode())[1]

    response = friend.post(f"/s/{token}/feedback", {"helpful": "yes", "form_token": form_token})
    thanks = friend.get(response["Location"])

    assert response.status_code == 302
    assert ShareFeedback.objects.get().helpful is True
    assert "Dank je wel" in thanks.content.decode()
