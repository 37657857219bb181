"""An invitation received over SMTP, opened in a real headless Chromium on a phone-sized
screen: the person sets a password and can then sign in from the app."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from tests.accounts.smtp import Inbox
from tests.referrals.test_landing_browser import CHROMIUM, CHROMIUM_ARGS, pytestmark  # noqa: F401

PASSWORD = "zonnig-strandpad-2026"


def test_an_invited_employee_sets_a_password_on_a_phone_and_signs_in(
    live_server: Any, smtp_inbox: Inbox, make_employee: Any, settings: Any
) -> None:
    from playwright.sync_api import sync_playwright

    from tests.accounts.test_passwords import invite

    settings.PUBLIC_BASE_URL = live_server.url
    employee = make_employee(password=None, language="en", email="lotte@ceo-telecom.example")
    assert invite(employee.email)[0] == "invited=1 skipped=0"
    url, _, _ = smtp_inbox.link(smtp_inbox.to(employee.email)[0])

    # No ORM calls inside this block: Playwright runs an event loop in this thread.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
        )
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

        response = page.goto(url)
        csp = response.headers.get("content-security-policy", "") if response else ""
        heading = page.locator("h1").inner_text()
        page.fill("#new_password", PASSWORD)
        page.fill("#new_password_again", PASSWORD)
        page.get_by_role("button", name="Save password").tap()
        page.get_by_test_id("done").wait_for()
        done_text = page.locator("main").inner_text()
        fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        errors_before_reopening = list(problems)
        reopened = page.goto(url)
        reopened_status = reopened.status if reopened else None
        browser.close()

    assert csp.startswith("default-src 'self'")
    assert heading == "Choose your password"
    assert "Open the CEO app and sign in with lotte@ceo-telecom.example" in done_text
    assert fits is True
    assert reopened_status == 400
    assert errors_before_reopening == []
    signed_in = APIClient().post(
        "/api/v1/auth/token/", {"email": employee.email, "password": PASSWORD}, format="json"
    )
    assert signed_in.status_code == 200
