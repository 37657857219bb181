"""One test per written-out statement of `referrals.sql`: each returns its dataclass with
exactly what the models hold, and counts by the statuses the models declare."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from django.utils import timezone

from backend.accounts.models import Employee
from knowledge.models import Article
from referrals import sql
from referrals.models import (
    LIVE_STATUSES,
    Attribution,
    AttributionStatus,
    Campaign,
    ReferralCode,
    Share,
    Signup,
)
from tests.referrals.conftest import personal_code, visit

_orders = itertools.count(1)


def _attribution(employee: Employee | None, status: str) -> Attribution:
    signup = Signup.objects.create(
        source="crm",
        external_id=f"SQL-{next(_orders)}",
        occurred_at=timezone.now(),
        sales_channel="online",
        is_new_customer=True,
        payload_hash="x",
    )
    return Attribution.objects.create(signup=signup, employee=employee, status=status)


def _share(
    employee: Employee,
    *,
    article: Article | None = None,
    visits: int = 0,
    code: ReferralCode | None = None,
) -> Share:
    share = Share.objects.create(
        token=f"sql-{next(_orders)}",
        employee=employee,
        code=code or personal_code(employee),
        article=article,
        channel="sms",
    )
    for n in range(visits):
        visit(share, visitor_hash=f"{n}" * 64)
    return share


def test_the_personal_code_is_the_owners_live_one(make_employee: Callable[..., Employee]) -> None:
    employee = make_employee()
    first = personal_code(employee)
    first.revoked_at = timezone.now()
    first.save()
    second = ReferralCode.objects.create(owner=employee, code="ABCDEFGHJ0", is_personal=True)

    assert sql.personal_code_get(owner_id=employee.pk) == sql.PersonalCode(code=second.code)
    assert sql.personal_code_get(owner_id=0) is None


def test_a_public_share_holds_the_code_owner_campaign_and_answer(
    employee: Employee, article: Article, running_campaign: Campaign
) -> None:
    code = personal_code(employee)
    code.campaign = running_campaign
    code.revoked_at = timezone.now()
    code.save()
    live = ReferralCode.objects.create(owner=employee, code="ABCDEFGHJ1", is_personal=True)
    share = _share(employee, article=article, code=code)

    found = sql.public_share_get(token=share.token)

    assert found == sql.PublicShare(
        id=share.pk,
        token=share.token,
        opened=False,
        code=code.code,
        code_attributes=False,
        live_personal_code=live.code,
        referrer_display_name="Anna de Vries",
        referrer_language=employee.language,
        campaign=sql.CampaignPerk(
            starts_at=running_campaign.starts_at,
            ends_at=running_campaign.ends_at,
            friend_perk_nl="Eerste maand gratis",
            friend_perk_en="First month free",
        ),
        answer=sql.SharedAnswer(
            slug=article.slug,
            status="published",
            language="nl",
            title=article.title,
            summary=article.summary,
            friend_text=article.friend_text,
            translation_group=article.translation_group,
        ),
    )
    assert found.referrer_first_name == "Anna"
    assert sql.public_share_get(token="no-such-token") is None


def test_team_members_have_their_own_numbers_by_the_declared_statuses(
    make_employee: Callable[..., Employee], article: Article
) -> None:
    me = make_employee(department="Retail", team="Store A", display_name="Ann")
    mate = make_employee(department="Retail", team="Store A", display_name="Bob")
    Employee.objects.filter(pk=mate.pk).update(is_active=False, left_at=timezone.now())
    elsewhere = make_employee(department="Retail", team="Store B")
    _share(me, article=article, visits=2)
    _share(me)
    _share(elsewhere, visits=1)
    for status in AttributionStatus.values:
        if status != AttributionStatus.UNATTRIBUTED:
            _attribution(me, status)
            _attribution(elsewhere, status)
    _attribution(mate, AttributionStatus.CONFIRMED)

    members = sql.team_impact_members(department="Retail", team="Store A")

    by_name = {member.display_name: member for member in members}
    assert set(by_name) == {"Ann", "Bob"}
    assert by_name["Ann"] == sql.MemberImpact(
        employee_id=me.pk,
        display_name="Ann",
        is_active=True,
        ranking_opt_out=False,
        totals=sql.ImpactTotals(
            shares=2,
            answers_shared=1,
            friends_reached=1,
            signups_attributed=len(LIVE_STATUSES),
            signups_confirmed=1,
        ),
    )
    assert by_name["Bob"].is_active is False
    assert by_name["Bob"].totals == sql.ImpactTotals(signups_attributed=1, signups_confirmed=1)


def test_company_totals_count_everyone_by_the_declared_statuses(
    make_employee: Callable[..., Employee], article: Article
) -> None:
    one, two = make_employee(team="A"), make_employee(team="B")
    _share(one, article=article, visits=1)
    _share(two)
    for status in AttributionStatus.values:
        _attribution(None if status == AttributionStatus.UNATTRIBUTED else one, status)
    _attribution(two, AttributionStatus.CONFIRMED)

    assert sql.company_impact_totals() == sql.ImpactTotals(
        shares=2,
        answers_shared=1,
        friends_reached=1,
        signups_attributed=len(LIVE_STATUSES) + 1,
        signups_confirmed=2,
    )


def test_totals_add_up_field_by_field() -> None:
    one = sql.ImpactTotals(1, 2, 3, 4, 5)
    assert one + one == sql.ImpactTotals(2, 4, 6, 8, 10)
    assert sum((one, one), sql.ImpactTotals()) == one + one


def test_the_campaign_of_a_share_is_none_without_one(employee: Employee) -> None:
    share = _share(employee)
    found = sql.public_share_get(token=share.token)
    assert found is not None
    assert (found.campaign, found.answer, found.code_attributes) == (None, None, True)
