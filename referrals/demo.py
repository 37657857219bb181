"""Demo referrals: a campaign, extra codes, shares with visits, and sign-ups in every
attribution status, so every screen of the demo has something to show. Idempotent:
nothing is added once the demo sign-up source has sign-ups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.utils import timezone
from rest_framework_api_key.models import APIKey

from backend.accounts.identifiers import identifier_hash
from backend.accounts.models import Employee
from knowledge.models import Article, ArticleStatus
from referrals.models import Campaign, ReferralCode, Share, ShareFeedback, Signup
from referrals.services.attribution import attributions_finalize
from referrals.services.claims import claim_create
from referrals.services.codes import referral_code_create, referral_code_ensure_personal
from referrals.services.shares import Visitor, share_create, visit_record
from referrals.services.signups import SignupInput, signup_activate, signup_cancel, signups_ingest
from referrals.sql import public_share_get

DEMO_SOURCE = "demo-crm"

_ARTICLES = [
    (
        "esim-activeren",
        "eSIM activeren in vijf minuten",
        "Open de app, kies Mijn abonnement → eSIM en scan de QR-code. Je oude simkaart "
        "werkt tot de eSIM actief is, je nummer blijft hetzelfde.",
    ),
    (
        "bellen-in-de-eu",
        "Bellen en internetten in de EU",
        "In alle EU-landen bel en internet je zonder extra kosten vanuit je bundel. "
        "Buiten de EU zie je de tarieven vooraf in de app.",
    ),
    (
        "nummer-meenemen",
        "Je nummer meenemen naar ons",
        "Vraag je overstapcode op bij je huidige provider en vul hem in bij het aanmelden. "
        "Wij regelen de rest; je bent hooguit een paar minuten onbereikbaar.",
    ),
]


@dataclass
class ReferralSeedResult:
    created: bool
    api_key: str | None
    signups: int


def _articles() -> list[Article]:
    published = list(Article.objects.filter(status=ArticleStatus.PUBLISHED).order_by("id")[:3])
    if len(published) >= 3:
        return published
    owner = Employee.objects.filter(groups__name="editor").first()
    for slug, title, friend_text in _ARTICLES:
        Article.objects.get_or_create(
            slug=slug,
            defaults={
                "language": "nl",
                "title": title,
                "summary": friend_text.split(".")[0] + ".",
                "friend_text": friend_text,
                "body": "Interne toelichting voor collega's.",
                "status": ArticleStatus.PUBLISHED,
                "owner": owner,
                "published_at": timezone.now(),
            },
        )
    return list(Article.objects.filter(slug__in=[a[0] for a in _ARTICLES]).order_by("id"))


def _demo_shares(
    now: datetime, people: Sequence[Employee], articles: list[Article], poster: ReferralCode
) -> tuple[list[Share], Share]:
    """Eight shares with their visits and one friend's feedback, and one share older than
    the attribution window."""
    anna, daan, lotte, noah = people
    shares: list[Share] = []
    for index, person in enumerate((anna, anna, anna, daan, lotte, noah, daan, lotte)):
        shares.append(
            share_create(
                employee=person,
                channel=("whatsapp", "sms", "email", "qr", "copy")[index % 5],
                article_slug=articles[index % len(articles)].slug,
                code=poster.code if index == 2 else None,
            )
        )
    old_share = share_create(employee=noah, channel="email", article_slug=articles[0].slug)
    Share.objects.filter(pk=old_share.pk).update(created_at=now - timedelta(days=120))
    for share_index, visitors in enumerate((3, 1, 2, 1, 0, 2, 1, 0)):
        for visitor in reversed(range(visitors)):  # the earliest day first
            shared = public_share_get(token=shares[share_index].token)
            assert shared is not None
            visit_record(
                share=shared,
                visitor=Visitor(
                    day=(now - timedelta(days=visitor)).date(),
                    visitor_hash=f"{share_index:02d}{visitor:02d}".ljust(64, "0"),
                ),
            )
    ShareFeedback.objects.create(
        share=shares[0], day=now.date(), visitor_hash="f" * 64, helpful=True, reason="clear"
    )
    return shares, old_share


def _demo_signup(
    number: int, *, now: datetime, days_ago: int, code: str = "", token: str = "", **extra: object
) -> SignupInput:
    phone = extra.pop("phone", f"+3162000{number:04d}")
    return SignupInput(
        external_id=f"DEMO-{number:04d}",
        occurred_at=now - timedelta(days=days_ago),
        sales_channel=str(extra.pop("sales_channel", "online")),
        is_new_customer=bool(extra.pop("is_new_customer", True)),
        customer_hashes={"phone": identifier_hash("phone", str(phone))},
        code=code,
        share_token=token,
        product=str(extra.pop("product", "Sim Only 10GB")),
    )


def _demo_signups(
    now: datetime,
    anna: Employee,
    daan: Employee,
    shares: list[Share],
    old_share: Share,
    poster: str,
) -> list[SignupInput]:
    """One sign-up for each way the attribution rules can decide."""
    anna_code = referral_code_ensure_personal(employee=anna).code
    daan_code = referral_code_ensure_personal(employee=daan).code
    signup = partial(_demo_signup, now=now)
    return [
        signup(1, days_ago=40, token=shares[0].token),  # confirmed
        signup(2, days_ago=35, code=anna_code, product="Unlimited"),  # confirmed
        signup(3, days_ago=30, code=daan_code),  # confirmed
        signup(4, days_ago=6, token=shares[1].token),  # pending, activated
        signup(5, days_ago=2, code=poster),  # pending
        signup(6, days_ago=3, code=daan_code, sales_channel="dealer"),  # needs review
        signup(7, days_ago=20, code=anna_code),  # reversed (withdrawn)
        signup(8, days_ago=4, code="ZZZZZ-ZZZZZ"),  # rejected: typo / unknown
        signup(9, days_ago=4, code=anna_code, phone="+31611001000"),  # self-referral
        signup(10, days_ago=5, code=daan_code, phone="+3162000" + "0003"),  # duplicate
        signup(11, days_ago=5, code=daan_code, is_new_customer=False),  # existing customer
        signup(12, days_ago=1, token=old_share.token),  # window expired
        signup(13, days_ago=1),  # unattributed
        signup(14, days_ago=8, token=shares[5].token),  # pending
    ]


def _demo_lifecycle(now: datetime) -> None:
    """Activations, one cancellation inside the withdrawal period, and the daily run."""
    for number, days_ago in ((1, 38), (2, 33), (3, 28), (4, 5), (7, 19)):
        signup_activate(
            source=DEMO_SOURCE,
            external_id=f"DEMO-{number:04d}",
            activated_at=now - timedelta(days=days_ago),
        )
    signup_cancel(
        source=DEMO_SOURCE, external_id="DEMO-0007", cancelled_at=now - timedelta(days=15)
    )
    attributions_finalize()


@transaction.atomic
def demo_referrals_seed() -> ReferralSeedResult:
    if Signup.objects.filter(source=DEMO_SOURCE).exists():
        return ReferralSeedResult(created=False, api_key=None, signups=0)
    now = timezone.now()
    people = {e.employee_number: e for e in Employee.objects.filter(is_active=True)}
    anna, daan, lotte, noah = (people[n] for n in ("E1001", "E1005", "E1006", "E1007"))
    campaign, _ = Campaign.objects.get_or_create(
        name="Zomer 2026",
        defaults={
            "starts_at": now - timedelta(days=10),
            "ends_at": now + timedelta(days=80),
            "friend_perk_nl": "Eerste maand gratis en 5 GB extra",
            "friend_perk_en": "First month free and 5 GB extra",
        },
    )
    poster = referral_code_create(employee=anna, label="Poster kantine", campaign=campaign)
    shares, old_share = _demo_shares(now, (anna, daan, lotte, noah), _articles(), poster)
    items = _demo_signups(now, anna, daan, shares, old_share, poster.code)
    signups_ingest(source=DEMO_SOURCE, items=items)
    _demo_lifecycle(now)
    # Claims for sales ops to decide: one matches the unattributed sign-up, one nothing yet.
    claim_create(
        employee=lotte, kind="phone", value="+31620000013", note="Mijn buurman, via WhatsApp"
    )
    claim_create(employee=noah, kind="phone", value="+31612349999", note="Vriend van de sportclub")
    _, key = APIKey.objects.create_key(name=DEMO_SOURCE)
    return ReferralSeedResult(created=True, api_key=key, signups=len(items))


def demo_referrals_part() -> list[str]:
    """Referrals' share of `seed_demo` (registered in apps.py); the sign-up API key is
    printed once, when it is made."""
    referrals = demo_referrals_seed()
    lines = [f"referrals: {referrals.signups} sign-ups created"]
    if referrals.api_key:
        lines.append(f"sign-up API key (source demo-crm, shown once): {referrals.api_key}")
    return lines
