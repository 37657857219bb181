"""The funnel report against counts computed here, row by row, from the stored facts."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from referrals.models import Attribution, Campaign, FunnelDaily, Share, Visit
from referrals.ops.services.rollup import funnel_rollup
from referrals.services.attribution import attributions_expire, attributions_finalize
from referrals.services.codes import referral_code_create
from referrals.services.signups import signup_activate
from tests.caches import UNREACHABLE_CACHES
from tests.ops.conftest import ingest, make_share
from tests.referrals.conftest import personal_code

pytestmark = pytest.mark.django_db
FUNNEL = "/api/v1/ops/reports/funnel/"
STATUSES = ("pending", "needs_review", "confirmed", "rejected", "reversed")


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def history(employee, other_employee, make_article):
    """Three months of shares, visits and sign-ups in two departments."""
    today = timezone.localdate()
    campaign = Campaign.objects.create(
        name="Lente",
        starts_at=at(today) - timedelta(days=200),
        ends_at=at(today) + timedelta(days=9),
        friend_perk_nl="x",
        friend_perk_en="x",
    )
    poster = referral_code_create(employee=employee, label="Poster", campaign=campaign)
    esim, roaming = make_article(title="eSIM"), make_article(title="Roaming")
    shares = []
    for n in range(12):
        person = employee if n % 3 else other_employee
        share = make_share(
            person,
            channel=("whatsapp", "sms", "email")[n % 3],
            article=(esim, roaming, None)[n % 3],
        )
        Share.objects.filter(pk=share.pk).update(created_at=at(today - timedelta(days=7 * n)))
        share.refresh_from_db()
        shares.append(share)
        for v in range(n % 4):
            day = today - timedelta(days=7 * n - v) if 7 * n - v >= 0 else today
            Visit.objects.create(
                share=share, day=day, at=at(day), visitor_hash=f"{n}-{v}".ljust(64, "x")
            )
    for n, share in enumerate(shares[:10]):
        occurred = share.created_at + timedelta(hours=2)
        if n % 4 == 0:
            ingest(share_token=share.token, occurred_at=occurred, sales_channel="dealer")
        else:
            made = ingest(share_token=share.token, occurred_at=occurred)
            if n % 4 == 1:
                signup_activate(
                    source="crm", external_id=made.signup.external_id, activated_at=occurred
                )
    ingest(code=poster.code, occurred_at=at(today - timedelta(days=3)))
    ingest(occurred_at=at(today - timedelta(days=40)))
    ingest(code="ZZZZZ-ZZZZZ", occurred_at=at(today - timedelta(days=1)))
    attributions_finalize()
    ingest(code=poster.code, occurred_at=at(today - timedelta(days=75)))  # never activated
    attributions_expire()
    return {"campaign": campaign, "esim": esim}


@pytest.fixture(params=["live", "rolled up", "rolled up halfway"])
def counted(request, history):
    """The same history, read from the raw tables, from the daily rollup, or from both."""
    today = timezone.localdate()
    if request.param == "rolled up":
        funnel_rollup(today=today)
    elif request.param == "rolled up halfway":
        funnel_rollup(today=today - timedelta(days=30))
    return history


def expected_rows(key_of_share, key_of_visit, key_of_attribution, start: date, end: date) -> dict:
    rows: dict = {}

    def row(key):
        return rows.setdefault(key, Counter())

    for share in Share.objects.select_related("employee", "code"):
        if start <= timezone.localtime(share.created_at).date() <= end:
            row(key_of_share(share))["shares"] += 1
    for visit in Visit.objects.select_related("share__employee", "share__code"):
        if start <= visit.day <= end:
            row(key_of_visit(visit))["visits"] += 1
    for a in Attribution.objects.select_related("signup", "employee", "share", "code"):
        if start <= timezone.localtime(a.signup.occurred_at).date() <= end:
            counts = row(key_of_attribution(a))
            counts["signups"] += 1
            counts["attributed"] += a.status in ("pending", "needs_review", "confirmed")
            if a.status in STATUSES:
                counts[a.status] += 1
            counts["expired"] += a.reason == "not_activated"
    return rows


def got_rows(response) -> dict:
    assert response.status_code == 200, response.content
    fields = ("shares", "visits", "signups", "attributed", *STATUSES, "expired")
    return {
        row["key"]: Counter({name: row[name] for name in fields if row[name]})
        for row in response.json()["rows"]
    }


def month_of(moment) -> str:
    return timezone.localtime(moment).date().replace(day=1).isoformat()


def test_the_monthly_funnel_equals_counts_made_independently(sales_ops_client, counted) -> None:
    today = timezone.localdate()
    start = today - timedelta(days=120)

    response = sales_ops_client.get(FUNNEL, {"from": start, "to": today, "group_by": "month"})

    expected = expected_rows(
        lambda s: month_of(s.created_at),
        lambda v: v.day.replace(day=1).isoformat(),
        lambda a: month_of(a.signup.occurred_at),
        start,
        today,
    )
    assert got_rows(response) == {k: +v for k, v in expected.items()}
    body = response.json()
    assert body["totals"]["signups"] == Attribution.objects.count()
    assert [row["key"] for row in body["rows"]] == sorted(row["key"] for row in body["rows"])
    total = body["totals"]
    assert total["attribution_rate"] == round(total["attributed"] / total["signups"], 4)
    assert total["confirmation_rate"] == round(total["confirmed"] / total["attributed"], 4)


@pytest.mark.parametrize(
    ("group_by", "share_key", "attribution_key"),
    [
        (
            "department",
            lambda s: s.employee.department or None,
            lambda a: a.employee.department if a.employee and a.employee.department else None,
        ),
        (
            "team",
            lambda s: f"{s.employee.department} / {s.employee.team}",
            lambda a: f"{a.employee.department} / {a.employee.team}" if a.employee else None,
        ),
        ("channel", lambda s: s.channel, lambda a: a.share.channel if a.share else None),
        (
            "campaign",
            lambda s: str(s.code.campaign_id) if s.code.campaign_id else None,
            lambda a: str(a.code.campaign_id) if a.code and a.code.campaign_id else None,
        ),
        (
            "article",
            lambda s: s.article.slug if s.article else None,
            lambda a: a.article.slug if a.article else None,
        ),
        (
            "employee",
            lambda s: str(s.employee_id),
            lambda a: str(a.employee_id) if a.employee_id else None,
        ),
    ],
)
def test_each_grouping_equals_counts_made_independently(
    sales_ops_client, counted, group_by, share_key, attribution_key
) -> None:
    today = timezone.localdate()
    start = today - timedelta(days=365)

    response = sales_ops_client.get(FUNNEL, {"from": start, "to": today, "group_by": group_by})

    expected = expected_rows(share_key, lambda v: share_key(v.share), attribution_key, start, today)
    assert got_rows(response) == {k: +v for k, v in expected.items()}


def test_attributed_counts_only_credited_sign_ups_and_rates_above_1_carry_a_note(
    sales_ops_client, employee
) -> None:
    code = personal_code(employee).code
    ingest(code=code)
    ingest(code=code[:-1] + ("0" if code[-1] != "0" else "1"))  # a code typo: rejected
    share = make_share(employee)
    Visit.objects.create(share=share, day=timezone.localdate(), visitor_hash="v" * 64)

    body = sales_ops_client.get(FUNNEL, {"group_by": "month"}).json()

    total = body["totals"]
    assert (total["signups"], total["attributed"], total["rejected"]) == (2, 1, 1)
    assert (total["attribution_rate"], total["signups_per_visit"]) == (0.5, 2.0)
    assert total["notes"] == [
        "signups_per_visit is above 1: sign-ups with a typed code need no visit of a shared link."
    ]


def test_ops_group_the_funnel_by_employee_opted_out_ones_included(
    sales_ops_client, employee, other_employee
) -> None:
    other_employee.ranking_opt_out = True
    other_employee.save()
    ingest(code=personal_code(other_employee).code)

    rows = sales_ops_client.get(FUNNEL, {"group_by": "employee"}).json()["rows"]

    assert [(r["key"], r["label"], r["attributed"]) for r in rows] == [
        (str(other_employee.pk), other_employee.display_name, 1)
    ]


def test_sign_ups_never_activated_show_as_expired(sales_ops_client, counted) -> None:
    start = (timezone.localdate() - timedelta(days=120)).isoformat()

    body = sales_ops_client.get(FUNNEL, {"from": start, "group_by": "month"}).json()

    assert (body["totals"]["expired"], body["totals"]["reversed"]) == (1, 1)


def test_answers_that_convert_rank_articles_by_confirmed_sign_ups(
    sales_ops_client, history
) -> None:
    today = timezone.localdate()
    confirmed = Counter(
        a.article.slug
        for a in Attribution.objects.select_related("article").filter(status="confirmed")
        if a.article
    )

    response = sales_ops_client.get(FUNNEL, {"from": today - timedelta(days=365), "to": today})

    top = response.json()["answers_that_convert"]
    assert [(row["slug"], row["confirmed"]) for row in top] == sorted(
        confirmed.items(), key=lambda pair: (-pair[1], pair[0])
    )
    assert top[0]["shares"] == Share.objects.filter(article__slug=top[0]["slug"]).count()


def test_answers_that_convert_from_the_rollup_equal_the_live_ones(
    sales_ops_client, history
) -> None:
    params = {"from": timezone.localdate() - timedelta(days=365)}
    live = sales_ops_client.get(FUNNEL, params).json()["answers_that_convert"]

    funnel_rollup()
    rolled = sales_ops_client.get(FUNNEL, params).json()["answers_that_convert"]

    assert live
    assert rolled == live


def test_the_weekly_funnel_from_the_rollup_equals_the_live_one(sales_ops_client, history) -> None:
    params = {"from": timezone.localdate() - timedelta(days=100), "group_by": "week"}
    live = sales_ops_client.get(FUNNEL, params).json()

    funnel_rollup()
    rolled = sales_ops_client.get(FUNNEL, params).json()

    assert rolled["rows"] == live["rows"]
    assert rolled["totals"]["visits"] == Visit.objects.filter(day__gte=params["from"]).count()


def test_the_rollup_counts_each_day_once_and_never_today(history) -> None:
    today = timezone.localdate()
    out = StringIO()

    call_command("rollup_funnel", stdout=out)
    rows = list(FunnelDaily.objects.order_by("dimension", "day", "key").values())
    again = funnel_rollup()

    assert out.getvalue().startswith(f"funnel rolled up until {today.isoformat()}: ")
    assert again.days_added == 0
    assert list(FunnelDaily.objects.order_by("dimension", "day", "key").values()) == rows
    assert not FunnelDaily.objects.filter(day__gte=today).exists()
    past_visits = Visit.objects.filter(day__lt=today).count()
    rolled = FunnelDaily.objects.filter(dimension="all").aggregate(n=Sum("visits"))["n"]
    assert rolled == past_visits
    for dimension in ("department", "team", "campaign", "channel", "article"):
        by_dimension = FunnelDaily.objects.filter(dimension=dimension).aggregate(
            shares=Sum("shares"), visits=Sum("visits")
        )
        assert by_dimension["visits"] == past_visits
        assert by_dimension["shares"] == Share.objects.filter(created_at__date__lt=today).count()


def test_changes_to_rolled_up_days_show_after_the_next_rollup(
    sales_ops_client, history, sales_ops
) -> None:
    today = timezone.localdate()
    params = {"from": today - timedelta(days=120), "group_by": "month"}
    funnel_rollup()
    flagged = (
        Attribution.objects.filter(status="needs_review", occurred_at__lt=at(today, 0))
        .order_by("pk")
        .first()
    )
    month = month_of(flagged.occurred_at)
    before = {r["key"]: r for r in sales_ops_client.get(FUNNEL, params).json()["rows"]}

    response = sales_ops_client.post(
        f"/api/v1/ops/attributions/{flagged.pk}/decide/",
        {"action": "reject", "reason": "Own household", "version": flagged.version},
        format="json",
    )
    late = ingest(occurred_at=at(today - timedelta(days=60)))
    stale = {r["key"]: r for r in sales_ops_client.get(FUNNEL, params).json()["rows"]}
    result = funnel_rollup()
    fresh = {r["key"]: r for r in sales_ops_client.get(FUNNEL, params).json()["rows"]}

    assert response.status_code == 200, response.content
    assert stale[month]["needs_review"] == before[month]["needs_review"]
    assert result.days_recounted >= 2  # these two, and any changed in the safety margin
    assert fresh[month]["needs_review"] == before[month]["needs_review"] - 1
    assert fresh[month]["rejected"] == before[month]["rejected"] + 1
    late_month = month_of(late.occurred_at)
    assert fresh[late_month]["signups"] == before.get(late_month, {"signups": 0})["signups"] + 1


def test_rebuilding_the_rollup_gives_the_same_rows(history) -> None:
    funnel_rollup()
    before = list(FunnelDaily.objects.order_by("dimension", "day", "key").values())

    call_command("rollup_funnel", "--rebuild", stdout=StringIO())

    after = list(FunnelDaily.objects.order_by("dimension", "day", "key").values())
    assert [{k: v for k, v in r.items() if k != "id"} for r in after] == [
        {k: v for k, v in r.items() if k != "id"} for r in before
    ]


def test_a_period_that_ends_before_it_starts_is_empty(sales_ops_client, history) -> None:
    response = sales_ops_client.get(FUNNEL, {"from": "2026-03-01", "to": "2026-02-01"})

    assert response.status_code == 200
    assert response.json()["rows"] == []
    assert response.json()["totals"]["shares"] == 0


def test_bad_report_parameters_are_400(sales_ops_client) -> None:
    response = sales_ops_client.get(FUNNEL, {"group_by": "year", "from": "soon"})

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"group_by", "from"}


@pytest.mark.parametrize("group_by", ["month", "team", "article"])
def test_the_report_runs_a_fixed_number_of_queries(
    sales_ops_client, history, group_by, django_assert_max_num_queries
) -> None:
    funnel_rollup(today=timezone.localdate() - timedelta(days=30))
    # auth, rollup state, rolled-up days, live shares, visits and sign-ups, labels,
    # answers that convert (confirmed rolled-up and live, their answers, their shares
    # rolled-up and live)
    with django_assert_max_num_queries(13):
        response = sales_ops_client.get(FUNNEL, {"group_by": group_by})

    assert response.status_code == 200


def test_between_rollup_runs_a_repeated_report_reads_the_rollup_once(
    sales_ops_client, history
) -> None:
    funnel_rollup(today=timezone.localdate() - timedelta(days=30))
    params = {"from": timezone.localdate() - timedelta(days=365), "group_by": "month"}

    with CaptureQueriesContext(connection) as first:
        first_report = sales_ops_client.get(FUNNEL, params).json()
    with CaptureQueriesContext(connection) as second:
        second_report = sales_ops_client.get(FUNNEL, params).json()

    assert second_report == first_report
    assert first_report["answers_that_convert"]
    rollup_reads = [q for q in first.captured_queries if "referrals_funneldaily" in q["sql"]]
    assert len(rollup_reads) == 3  # the days, the answers' confirmed and their shares
    assert not [q for q in second.captured_queries if "referrals_funneldaily" in q["sql"]]
    assert len(second.captured_queries) == len(first.captured_queries) - 3


def test_the_next_rollup_run_is_read_at_once_by_a_cached_report(sales_ops_client, history) -> None:
    today = timezone.localdate()
    params = {"from": today - timedelta(days=365), "group_by": "month"}
    funnel_rollup(today=today - timedelta(days=30))
    before = sales_ops_client.get(FUNNEL, params).json()

    late = ingest(occurred_at=at(today - timedelta(days=60)))
    stale = sales_ops_client.get(FUNNEL, params).json()
    funnel_rollup(today=today - timedelta(days=30))
    fresh = sales_ops_client.get(FUNNEL, params).json()

    assert stale == before  # rolled-up days stay as of the last run, cached or not
    month = month_of(late.occurred_at)
    fresh_rows = {row["key"]: row for row in fresh["rows"]}
    before_rows = {row["key"]: row for row in before["rows"]}
    assert fresh_rows[month]["signups"] == before_rows.get(month, {"signups": 0})["signups"] + 1
    assert fresh["totals"]["signups"] == before["totals"]["signups"] + 1


def test_the_report_reads_the_rollup_itself_when_the_cache_is_down(
    sales_ops_client, history, caplog
) -> None:
    funnel_rollup(today=timezone.localdate() - timedelta(days=30))
    params = {"from": timezone.localdate() - timedelta(days=365), "group_by": "team"}
    cached = sales_ops_client.get(FUNNEL, params).json()

    with override_settings(CACHES=UNREACHABLE_CACHES), caplog.at_level(logging.WARNING):
        response = sales_ops_client.get(FUNNEL, params)

    assert response.status_code == 200
    assert response.json() == cached
    assert "funnel cache unavailable" in caplog.messages
