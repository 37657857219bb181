"""The landing page in a real headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import os
import shutil

import pytest

from backend.accounts.models import Employee
from referrals.models import Share, Visit
from tests.referrals.conftest import personal_code

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not shutil.which(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian's chromium is not installed (CI installs it)",
    ),
]


def test_the_friend_sees_the_answer_copies_the_code_and_the_visit_counts(
    live_server, employee: Employee, make_article
) -> None:
    from playwright.sync_api import sync_playwright

    article = make_article(
        title="Bellen in het buitenland", friend_text="Binnen de EU betaal je niets extra."
    )
    share = Share.objects.create(
        token="browser-test-token-0001",
        employee=employee,
        code=personal_code(employee),
        article=article,
        channel="whatsapp",
    )
    expected_code = personal_code(employee).display

    # No ORM calls inside this block: Playwright runs an event loop in this thread, and
    # Django would give the loop's context a connection of its own.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
        )
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        response = page.goto(f"{live_server.url}/s/{share.token}")

        status = response.status if response else None
        title = page.locator("h1").inner_text()
        code = page.get_by_test_id("referral-code")
        code_visible, code_text = code.is_visible(), code.inner_text()
        button = page.locator("#copy-code")
        button_visible = button.is_visible()  # the script unhides it: it loaded under the CSP
        button.click()
        page.wait_for_function("document.getElementById('copy-code').textContent === 'Gekopieerd'")
        clipboard = page.evaluate("navigator.clipboard.readText()")
        cta_visible = page.locator("#signup").is_visible()
        browser.close()

    assert status == 200
    assert title == "Bellen in het buitenland"
    assert (code_visible, code_text) == (True, expected_code)
    assert button_visible is True
    assert clipboard == expected_code
    assert cta_visible is True
    assert errors == []
    assert Visit.objects.filter(share=share).count() == 1
