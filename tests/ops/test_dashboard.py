"""The admin dashboard's numbers: the 12-week funnel, the review queue, converting answers."""

from __future__ import annotations

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from referrals.models import Attribution
from referrals.ops.selectors.dashboard import TOP, WEEKS, dashboard_build
from tests.factories import PASSWORD
from tests.ops.conftest import make_share


def test_the_dashboard_counts_the_queue_the_weeks_and_the_converting_answers(
    employee, other_employee, referred_by, make_article
) -> None:
    old_flag = referred_by(employee, sales_channel="dealer")
    referred_by(other_employee, sales_channel="telesales")
    Attribution.objects.filter(pk=old_flag.pk).update(
        created_at=timezone.now() - timedelta(days=10)
    )
    article = make_article(title="Bellen in het buitenland")
    share = make_share(employee, article=article)
    confirmed = referred_by(employee, share_token=share.token)
    Attribution.objects.filter(pk=confirmed.pk).update(status="confirmed")

    dashboard = dashboard_build()

    queue = dashboard.queue
    assert (queue.size, queue.oldest_days, queue.older_than_a_week) == (2, 10, 1)
    weeks = dashboard.chart.weeks
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    assert len(weeks) == WEEKS
    assert weeks[0].key == (monday - timedelta(weeks=WEEKS - 1)).isoformat()
    assert [(w.shares, w.signups, w.confirmed) for w in weeks[:-1]] == [(0, 0, 0)] * (WEEKS - 1)
    assert (weeks[-1].shares, weeks[-1].signups, weeks[-1].confirmed) == (1, 3, 1)
    assert [(a.title, a.shares, a.confirmed) for a in dashboard.top_articles] == [
        ("Bellen in het buitenland", 1, 1)
    ]
    signups = next(s for s in dashboard.chart.series if s.name == "signups")
    points = signups.points.split(" ")
    assert len(points) == WEEKS
    # the chart's top is 5 (the smallest round ceiling), sign-ups end at 3 of 5
    assert float(points[-1].split(",")[1]) == round(TOP + (1 - 3 / 5) * 244, 1)


def test_only_people_who_may_see_attributions_open_the_dashboard(sales_ops, editor) -> None:
    allowed, refused = Client(), Client()
    allowed.login(username=sales_ops.email, password=PASSWORD)
    refused.login(username=editor.email, password=PASSWORD)

    page = allowed.get("/admin/referrals/attribution/dashboard/")
    other = refused.get("/admin/referrals/attribution/dashboard/")
    anonymous = Client().get("/admin/referrals/attribution/dashboard/")

    assert page.status_code == 200
    assert 'data-testid="funnel-chart"' in page.content.decode()
    assert other.status_code == 403
    assert anonymous.status_code == 302
