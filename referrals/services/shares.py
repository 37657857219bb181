"""Shares, the friend's visits and the friend's feedback."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from rest_framework.throttling import BaseThrottle

from backend.accounts.models import Employee
from backend.api.errors import Conflict, NotFound
from knowledge.models import Article, ArticleStatus
from referrals.models import ReferralCode, Share, ShareFeedback, Visit, VisitSalt
from referrals.services.codes import referral_code_ensure_personal, referral_code_parse_path
from referrals.sql import PublicShare

TOKEN_BYTES = 16  # 128 random bits, 22 URL-safe characters


def share_create(
    *, employee: Employee, channel: str, code: str | None = None, article_slug: str | None = None
) -> Share:
    """A share of the employee's code (the personal one unless `code` names another of
    theirs), optionally with a published answer, behind a new unguessable token."""
    if code:
        canonical = referral_code_parse_path(raw=code)  # a typo names none of their codes
        referral_code = ReferralCode.objects.filter(owner=employee, code=canonical).first()
        if referral_code is None:
            raise NotFound("You have no such code.", code="code_not_found")
        if referral_code.revoked_at is not None or referral_code.frozen_at is not None:
            raise Conflict("This code is revoked; share another one.", code="code_revoked")
    else:
        referral_code = referral_code_ensure_personal(employee=employee)
    article = None
    if article_slug:
        article = Article.objects.filter(slug=article_slug, status=ArticleStatus.PUBLISHED).first()
        if article is None:
            message = "No published answer has this slug."
            raise NotFound(
                message,
                code="article_not_found",
                fields={"article": [{"code": "article_not_found", "message": message}]},
            )
    return Share.objects.create(
        token=secrets.token_urlsafe(TOKEN_BYTES),
        employee=employee,
        code=referral_code,
        article=article,
        channel=channel,
    )


# Process memo of today's salt: it never changes once stored, so one read per process a day.
_salts: dict[date, str] = {}


def _salt_for(day: date) -> str:
    salt = _salts.get(day)
    if salt is None:
        row, created = VisitSalt.objects.get_or_create(
            day=day, defaults={"salt": secrets.token_hex(32)}
        )
        if created:
            VisitSalt.objects.filter(day__lt=day - timedelta(days=1)).delete()
        _salts.clear()
        _salts[day] = salt = row.salt
    return salt


@dataclass(frozen=True)
class Visitor:
    """Who is looking, as far as we ever know it: a hash that changes every day."""

    day: date
    visitor_hash: str


def visitor_network(address: str) -> str:
    """What counts as one visitor: the client's network address. An IPv4 address as it
    is; an IPv6 address by its /64 prefix, the block one subscriber line gets and can
    rotate addresses in at will. The user agent plays no part: anyone can send a new one
    with every request, so counting it would let one phone count as many visitors."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def visitor_from_request(request: HttpRequest) -> Visitor:
    """Salted daily hash of the client's network (see `visitor_network`). The address is
    not stored, and the salt is deleted after two days, so the hash cannot be traced back
    or linked across days."""
    day = timezone.localdate()
    # `get_ident` reads only `META`, which a plain HttpRequest has too; it honours NUM_PROXIES.
    ident = BaseThrottle().get_ident(request)  # type: ignore[arg-type]
    network = visitor_network(ident or "")
    digest = hashlib.sha256(f"{_salt_for(day)}|{network}".encode()).hexdigest()
    return Visitor(day=day, visitor_hash=digest)


def visit_record(*, share: PublicShare, visitor: Visitor) -> None:
    """Counts a view; a repeat view by the same visitor on the same day is ignored by the
    unique constraint (INSERT … ON CONFLICT DO NOTHING), so concurrent views cannot double.
    The first view of a share also marks it opened (`Share.opened_on`), in the same
    transaction; concurrent first views both try, and the condition lets one set it."""
    if share.opened:
        _visit_insert(share=share, visitor=visitor)
        return
    with transaction.atomic():
        _visit_insert(share=share, visitor=visitor)
        Share.objects.filter(pk=share.id, opened_on__isnull=True).update(opened_on=visitor.day)


def _visit_insert(*, share: PublicShare, visitor: Visitor) -> None:
    Visit.objects.bulk_create(
        [Visit(share_id=share.id, day=visitor.day, visitor_hash=visitor.visitor_hash)],
        ignore_conflicts=True,
    )


@transaction.atomic
def share_feedback_record(
    *, share: PublicShare, visitor: Visitor, helpful: bool, reason: str = ""
) -> ShareFeedback:
    """The friend's answer to 'did this help?'; a second answer the same day replaces it."""
    if share.answer is None:
        raise Conflict("This link shares a code, not an answer.", code="no_answer")
    feedback = ShareFeedback(
        share_id=share.id,
        day=visitor.day,
        visitor_hash=visitor.visitor_hash,
        helpful=helpful,
        reason=reason,
        created_at=timezone.now(),
    )
    ShareFeedback.objects.bulk_create(
        [feedback],
        update_conflicts=True,
        unique_fields=["share", "day", "visitor_hash"],
        update_fields=["helpful", "reason", "created_at"],
    )
    return feedback
