"""The dashboard in a real headless Chromium: from the queue to the chart, drawn by the
server, with nothing loaded from anywhere else."""

from __future__ import annotations

from referrals.models import Attribution
from tests.ops.conftest import make_share
from tests.ops.test_admin_browser import sign_in_to_admin
from tests.referrals.test_landing_browser import CHROMIUM, CHROMIUM_ARGS
from tests.referrals.test_landing_browser import pytestmark as pytestmark


def test_sales_ops_open_the_dashboard_from_the_queue(
    live_server, sales_ops, employee, referred_by, make_article
) -> None:
    referred_by(employee, sales_channel="dealer")
    share = make_share(employee, article=make_article(title="Bellen in het buitenland"))
    confirmed = referred_by(employee, share_token=share.token)
    Attribution.objects.filter(pk=confirmed.pk).update(status="confirmed")
    origins: set[str] = set()
    failed: list[str] = []

    # No ORM calls inside this block (see the landing page browser test).
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        page.on("request", lambda r: origins.add("/".join(r.url.split("/")[:3])))
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
        sign_in_to_admin(page, live_server.url, sales_ops.email, "/admin/referrals/attribution/")
        page.get_by_test_id("dashboard").click()
        page.wait_for_url("**/admin/referrals/attribution/dashboard/")

        chart = page.get_by_test_id("funnel-chart")
        chart_box = chart.bounding_box()
        lines = page.locator("#funnel-chart polyline").count()
        queue = page.get_by_test_id("queue-size").inner_text()
        last_week = page.locator("[data-testid=funnel-table] tbody tr").nth(11).inner_text()
        answers = page.locator("[data-testid=top-answers] tbody tr").all_inner_texts()
        browser.close()

    assert chart_box is not None
    assert (chart_box["width"], chart_box["height"]) == (760, 300)
    assert lines == 5
    assert queue.split() == ["1", "waiting", "for", "review"]
    assert last_week.split("\t")[1:] == ["1", "0", "2", "2", "1"]
    assert answers == ["Bellen in het buitenland\tnl\t1\t1\t1.00"]
    assert [url for url in failed if not url.endswith("/favicon.ico")] == []
    assert origins == {live_server.url}
