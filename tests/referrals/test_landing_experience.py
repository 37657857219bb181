"""The friend's page beyond the basics: link previews, nl/en, feedback without cookies,
and answers that outlive a revoked code."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from backend.accounts.models import Employee
from knowledge.models import Article
from referrals.models import ReferralCode, Share, ShareFeedback, Visit
from referrals.services.codes import referral_codes_follow_employment
from tests.referrals.conftest import personal_code


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        key = values.get("property") or values.get("name")
        if tag == "meta" and key and values.get("content") is not None:
            self.tags[key] = values["content"] or ""


def meta_tags(html: str) -> dict[str, str]:
    parser = _Meta()
    parser.feed(html)
    return parser.tags


def form_token_of(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html)[1]


# --- 1. link previews ------------------------------------------------------------------


def test_the_page_carries_open_graph_and_twitter_tags_on_our_own_origin(
    answer_share: Share, settings
) -> None:
    settings.PUBLIC_BASE_URL = "https://ceo.example"

    html = Client().get(f"/s/{answer_share.token}").content.decode()

    image = "https://ceo.example/s/experience-token-00001/preview.png?lang=nl"
    tags = meta_tags(html)
    assert {key: value for key, value in tags.items() if ":" in key} == {
        "og:type": "website",
        "og:title": "Bellen in het buitenland",
        "og:description": "Binnen de EU bel je zonder extra kosten.",
        "og:url": "https://ceo.example/s/experience-token-00001?lang=nl",
        "og:image": image,
        "og:image:type": "image/png",
        "og:image:width": "1200",
        "og:image:height": "630",
        "og:image:alt": "Bellen in het buitenland",
        "og:locale": "nl_NL",
        "twitter:card": "summary_large_image",
        "twitter:title": "Bellen in het buitenland",
        "twitter:description": "Binnen de EU bel je zonder extra kosten.",
        "twitter:image": image,
        "twitter:image:alt": "Bellen in het buitenland",
    }


def test_the_preview_image_is_a_png_we_render_and_records_no_visit(answer_share: Share) -> None:
    response = Client().get(f"/s/{answer_share.token}/preview.png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "no-store"
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("PNG", (1200, 630))
    assert not Visit.objects.exists()


def test_the_preview_image_of_an_unknown_link_is_the_friendly_404(db: None) -> None:
    response = Client().get("/s/no-such-token/preview.png")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


# --- 2. language -----------------------------------------------------------------------


def test_the_friend_switches_to_english_and_reads_the_translation(
    answer_share: Share, english_translation: Article
) -> None:

    html = Client().get(f"/s/{answer_share.token}?lang=en").content.decode()
    body = APIClient().get(f"/api/v1/public/shares/{answer_share.token}/?lang=en").json()

    assert '<html lang="en">' in html
    assert "Calling abroad" in html
    assert "Bellen in het buitenland" not in html
    assert 'href="?lang=nl"' in html
    assert 'aria-current="true">English' in html
    assert meta_tags(html)["og:locale"] == "en_GB"
    assert (body["language"], body["answer_language"], body["title"]) == (
        "en",
        "en",
        "Calling abroad",
    )
    assert Visit.objects.count() == 1  # the same visitor, the same day


def test_without_a_translation_the_answer_keeps_its_language_with_a_note(
    answer_share: Share,
) -> None:
    html = Client().get(f"/s/{answer_share.token}?lang=en").content.decode()

    assert '<html lang="en">' in html
    assert '<article class="card" lang="nl">' in html
    assert "This answer is only available in Dutch." in html
    assert "Your code from" in html


def test_an_unknown_language_is_refused_by_the_json_and_ignored_by_the_page(
    answer_share: Share,
) -> None:
    json = APIClient().get(f"/api/v1/public/shares/{answer_share.token}/?lang=fr")
    page = Client().get(f"/s/{answer_share.token}?lang=fr")

    assert json.status_code == 400
    assert json.json()["fields"]["lang"][0]["code"] == "invalid_choice"
    assert '<html lang="nl">' in page.content.decode()


# --- 3. feedback without cookies -------------------------------------------------------


def test_feedback_needs_no_cookie_and_keeps_the_chosen_language(answer_share: Share) -> None:
    friend = Client(enforce_csrf_checks=True)
    page = friend.get(f"/s/{answer_share.token}?lang=en")
    form_token = form_token_of(page.content.decode())
    friend.cookies.clear()

    response = friend.post(
        f"/s/{answer_share.token}/feedback?lang=en",
        {"helpful": "no", "form_token": form_token},
        HTTP_SEC_FETCH_SITE="same-origin",
        HTTP_ORIGIN="null",
    )

    assert page.cookies == {}
    assert response.status_code == 302
    assert response["Location"] == f"/s/{answer_share.token}?lang=en&feedback=thanks#feedback"
    assert ShareFeedback.objects.get().helpful is False


@pytest.mark.parametrize(
    ("form_token", "headers"),
    [
        ("", {}),
        ("1tAbCd:forged-signature", {}),
        (None, {"HTTP_SEC_FETCH_SITE": "cross-site"}),
        (None, {"HTTP_ORIGIN": "https://evil.example"}),
    ],
    ids=["missing", "forged", "cross-site-fetch", "foreign-origin"],
)
def test_feedback_from_elsewhere_is_refused_and_writes_nothing(
    answer_share: Share, form_token: str | None, headers: dict[str, str]
) -> None:
    friend = Client()
    issued = form_token_of(friend.get(f"/s/{answer_share.token}").content.decode())

    response = friend.post(
        f"/s/{answer_share.token}/feedback",
        {"helpful": "yes", "form_token": issued if form_token is None else form_token},
        **headers,
    )

    assert response.status_code == 403
    assert "Dit formulier is verlopen" in response.content.decode()
    assert not ShareFeedback.objects.exists()


def test_a_form_token_is_bound_to_its_visitor_and_its_share(
    answer_share: Share, employee: Employee, make_article
) -> None:
    other = Share.objects.create(
        token="experience-token-00002",
        employee=employee,
        code=personal_code(employee),
        article=make_article(),
        channel="sms",
    )
    issued = form_token_of(Client().get(f"/s/{answer_share.token}").content.decode())

    other_visitor = Client(REMOTE_ADDR="203.0.113.66").post(
        f"/s/{answer_share.token}/feedback", {"helpful": "yes", "form_token": issued}
    )
    other_share = Client().post(
        f"/s/{other.token}/feedback", {"helpful": "yes", "form_token": issued}
    )

    assert (other_visitor.status_code, other_share.status_code) == (403, 403)
    assert not ShareFeedback.objects.exists()


@pytest.mark.parametrize("answer", [None, "", "maybe"], ids=["missing", "empty", "unknown"])
def test_feedback_without_a_yes_or_no_is_a_400_and_writes_nothing(
    answer_share: Share, answer: str | None
) -> None:
    friend = Client()
    body = {"form_token": form_token_of(friend.get(f"/s/{answer_share.token}").content.decode())}
    if answer is not None:
        body["helpful"] = answer

    response = friend.post(f"/s/{answer_share.token}/feedback", body)

    assert response.status_code == 400
    assert "Dit formulier is verlopen" in response.content.decode()
    assert not ShareFeedback.objects.exists()


# --- 4. a revoked code keeps shared answers readable -----------------------------------


def test_an_answer_shared_with_a_revoked_code_offers_the_current_personal_code(
    answer_share: Share, employee: Employee, employee_client: APIClient, settings
) -> None:
    settings.SIGNUP_URL = "https://shop.example/join"
    employee_client.post(f"/api/v1/referrals/codes/{answer_share.code.code}/revoke/")
    current = personal_code(employee)

    page = Client().get(f"/s/{answer_share.token}")
    body = APIClient().get(f"/api/v1/public/shares/{answer_share.token}/").json()

    assert current.pk != answer_share.code_id
    assert page.status_code == 200
    assert "Bellen in het buitenland" in page.content.decode()
    assert (body["title"], body["code"]) == ("Bellen in het buitenland", current.display)
    assert body["signup_url"] == f"https://shop.example/join?code={current.display}"
    assert Visit.objects.filter(share=answer_share).count() == 1


def test_an_answer_shared_by_someone_who_left_is_shown_without_a_code(
    answer_share: Share, employee: Employee, settings
) -> None:
    settings.SIGNUP_URL = "https://shop.example/join"
    employee.is_active = False
    employee.left_at = timezone.now()
    employee.save()
    referral_codes_follow_employment(employees=[employee])

    page = Client().get(f"/s/{answer_share.token}").content.decode()
    body = APIClient().get(f"/api/v1/public/shares/{answer_share.token}/").json()

    assert ReferralCode.objects.get(pk=answer_share.code_id).frozen_at is not None
    assert (body["code"], body["signup_url"], body["perk"]) == (
        None,
        "https://shop.example/join",
        None,
    )
    assert 'data-testid="referral-code"' not in page
    assert "deelde dit antwoord met je." in page
    assert Visit.objects.filter(share=answer_share).count() == 1
