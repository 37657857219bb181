"""The main workspace flow in a real headless Chromium: open the queue, filter
`needs_review`, approve one with a reason on the intermediate page."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest

from referrals.models import AttributionEvent
from tests.factories import PASSWORD
from tests.referrals.test_landing_browser import CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not shutil.which(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian's chromium is not installed (CI installs it)",
    ),
]


def sign_in_to_admin(page: Any, base_url: str, email: str, next_path: str) -> None:
    page.goto(f"{base_url}/admin/login/?next={next_path}")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{next_path}")


def test_sales_ops_approve_a_flagged_attribution_with_a_reason(
    live_server, sales_ops, employee, other_employee, referred_by
) -> None:
    flagged = referred_by(employee, sales_channel="dealer", external_id="ORD-BROWSER-1")
    pending = referred_by(other_employee, external_id="ORD-BROWSER-2")

    # No ORM calls inside this block (see the landing page browser test).
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        failed: list[str] = []
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)

        sign_in_to_admin(page, live_server.url, sales_ops.email, "/admin/referrals/attribution/")
        listed_before = page.locator("input[name=_selected_action]").count()

        page.click("#changelist-filter a[href='?status__exact=needs_review']")
        page.wait_for_url("**status__exact=needs_review**")
        listed_review = [
            page.locator("input[name=_selected_action]").nth(i).get_attribute("value")
            for i in range(page.locator("input[name=_selected_action]").count())
        ]
        page.check(f"input[name=_selected_action][value='{flagged.pk}']")
        page.select_option("select[name=action]", "approve_selected")
        page.click("button[name=index]")

        page.wait_for_selector("#id_reason")
        intermediate_title = page.locator("h1").inner_text()
        page.fill("#id_reason", "The dealer confirmed the friend came with the code.")
        page.click("[data-testid=confirm-decision]")
        message = page.locator(".messagelist .success").inner_text()
        browser.close()

    assert listed_before == 2
    assert listed_review == [str(flagged.pk)]
    assert intermediate_title == "Approve 1 attribution(s)"
    assert message == "1 attribution(s) approved."
    # The browser asks for /favicon.ico on its own; the admin has none.
    assert [url for url in failed if not url.endswith("/favicon.ico")] == []
    flagged.refresh_from_db()
    pending.refresh_from_db()
    assert (flagged.status, flagged.version) == ("pending", 2)
    assert (pending.status, pending.version) == ("pending", 1)
    event = AttributionEvent.objects.filter(attribution=flagged).latest("id")
    assert (event.actor, event.note) == (
        sales_ops,
        "The dealer confirmed the friend came with the code.",
    )
