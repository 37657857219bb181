"""The friend's page in a real headless Chromium: the link preview, the nl/en switch,
feedback with cookies blocked, and an answer shared with a code revoked since."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from backend.accounts.models import Employee
from knowledge.models import Article
from referrals.models import Share, ShareFeedback, Visit
from referrals.services.codes import referral_code_revoke
from tests.referrals.conftest import personal_code
from tests.referrals.test_landing_browser import CHROMIUM, CHROMIUM_ARGS
from tests.referrals.test_landing_browser import pytestmark as pytestmark


@pytest.fixture
def translated_share(answer_share: Share, english_translation: Article) -> Share:
    return answer_share


def cookies_blocked_profile(root: Path) -> Path:
    """A Chromium profile whose content settings block every cookie, as a friend's
    browser with cookies off does."""
    (root / "Default").mkdir(parents=True)
    preferences = {"profile": {"default_content_setting_values": {"cookies": 2}}}
    (root / "Default" / "Preferences").write_text(json.dumps(preferences))
    return root


def test_the_link_preview_comes_from_our_origin_and_the_language_switch_sticks(
    live_server, settings, translated_share: Share
) -> None:
    from playwright.sync_api import sync_playwright

    settings.PUBLIC_BASE_URL = live_server.url
    origins: set[str] = set()

    # No ORM calls inside this block (see test_landing_browser).
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("request", lambda r: origins.add("/".join(r.url.split("/")[:3])))
        page.goto(f"{live_server.url}/s/{translated_share.token}")
        og_title = page.locator('meta[property="og:title"]').get_attribute("content")
        og_image = page.locator('meta[property="og:image"]').get_attribute("content")
        card = page.locator('meta[name="twitter:card"]').get_attribute("content")
        image = page.request.get(og_image)
        image_type, image_bytes = image.headers["content-type"], image.body()

        page.get_by_test_id("lang-en").click()
        page.wait_for_url("**?lang=en")
        english_title = page.locator("h1").inner_text()
        page.reload()
        after_reload = (page.locator("html").get_attribute("lang"), page.locator("h1").inner_text())
        browser.close()

    assert og_title == "Bellen in het buitenland"
    assert og_image == f"{live_server.url}/s/{translated_share.token}/preview.png?lang=nl"
    assert card == "summary_large_image"
    assert image_type == "image/png"
    assert Image.open(io.BytesIO(image_bytes)).size == (1200, 630)
    assert english_title == "Calling abroad"
    assert after_reload == ("en", "Calling abroad")
    assert origins == {live_server.url}
    assert Visit.objects.filter(share=translated_share).count() == 1


def test_feedback_works_with_cookies_blocked(
    live_server, tmp_path: Path, translated_share: Share
) -> None:
    from playwright.sync_api import sync_playwright

    profile = cookies_blocked_profile(tmp_path / "profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/s/{translated_share.token}?lang=en")
        page.evaluate("document.cookie = 'probe=1'")
        cookie_jar = page.evaluate("document.cookie")
        page.get_by_role("button", name="Yes, it helped").click()
        page.wait_for_url("**feedback=thanks**")
        thanks = page.locator("#feedback").inner_text()
        stored_cookies = context.cookies()
        context.close()

    assert cookie_jar == ""  # the browser really refuses cookies
    assert stored_cookies == []
    assert thanks == "Thank you for letting us know!"
    feedback = ShareFeedback.objects.get()
    assert (feedback.share_id, feedback.helpful) == (translated_share.pk, True)


def test_an_answer_shared_before_its_code_was_revoked_still_opens(
    live_server, employee: Employee, translated_share: Share
) -> None:
    from playwright.sync_api import sync_playwright

    referral_code_revoke(employee=employee, code=translated_share.code.code)
    current = personal_code(employee).display

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        response = page.goto(f"{live_server.url}/s/{translated_share.token}")
        status = response.status if response else None
        title = page.locator("h1").inner_text()
        code = page.get_by_test_id("referral-code").inner_text()
        browser.close()

    assert status == 200
    assert title == "Bellen in het buitenland"
    assert code == current != translated_share.code.display
    assert Visit.objects.filter(share=translated_share).count() == 1
