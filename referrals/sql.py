"""The referrals app's written-out SQL: only statements the ORM cannot express, or cannot
express at the speed their path needs. Each returns a small frozen dataclass (or plain ids,
never a half-filled model), has its own test (tests/referrals/test_sql.py,
tests/referrals/test_sql_signups.py), and takes what it mirrors of the models (statuses,
the review rank, table and column names) from their Python constants and `_meta`, never
spelled out again. Every statement runs on SQLite (the demo) too, except the sign-up
batch's COPY, whose caller falls back to bulk_create there.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from operator import itemgetter
from typing import Any, cast
from uuid import UUID

from django.db import connection, models

from referrals.models import LIVE_STATUSES, AttributionStatus


def _in_list(name: str, values: Iterable[str]) -> tuple[str, dict[str, str]]:
    """`(%(name0)s, %(name1)s, …)` and its parameters, for `column IN` a set of values."""
    params = {f"{name}{n}": str(value) for n, value in enumerate(sorted(values))}
    return "(" + ", ".join(f"%({key})s" for key in params) + ")", params


def _rows(statement: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall()


# --- The personal code -----------------------------------------------------------
# `/me` is the most frequent call, and compiling the queryset costs more than running it.


@dataclass(frozen=True)
class PersonalCode:
    code: str  # canonical, without the dash


_PERSONAL_CODE = """
    SELECT code FROM referrals_referralcode
    WHERE owner_id = %(owner)s AND is_personal AND revoked_at IS NULL LIMIT 1
"""


def personal_code_get(*, owner_id: int) -> PersonalCode | None:
    """The employee's live personal code (there is at most one), or None."""
    rows = _rows(_PERSONAL_CODE, {"owner": owner_id})
    return PersonalCode(*rows[0]) if rows else None


# --- Landing page -------------------------------------------------------------------
# The friend's page `/s/<token>` and its JSON twin are the most frequent public reads: the
# share, its code, the code's owner and campaign, the answer's public fields and the
# owner's live personal code in one statement (the five-table queryset with `only()` and
# a subquery costs more to compile than the page costs to render).


@dataclass(frozen=True)
class CampaignPerk:
    """The campaign of the shared code, as the friend's page shows it."""

    starts_at: datetime
    ends_at: datetime
    friend_perk_nl: str
    friend_perk_en: str


@dataclass(frozen=True)
class SharedAnswer:
    """The public fields of a shared answer (never its internal body)."""

    slug: str
    status: str
    language: str
    title: str
    summary: str
    friend_text: str
    translation_group: UUID


@dataclass(frozen=True)
class PublicShare:
    """A share as a friend may see it: no employee data beyond the owner's name."""

    id: int
    token: str
    opened: bool  # visited before (`Share.opened_on`)
    code: str
    code_attributes: bool  # neither revoked nor frozen
    live_personal_code: str | None  # the owner's, for a revoked or frozen shared code
    referrer_display_name: str
    referrer_language: str
    campaign: CampaignPerk | None
    answer: SharedAnswer | None

    @property
    def referrer_first_name(self) -> str:
        return self.referrer_display_name.split(" ", 1)[0]


_PUBLIC_SHARE = """
    SELECT s.id, s.token, s.opened_on IS NOT NULL, c.code,
        c.revoked_at IS NULL AND c.frozen_at IS NULL,
        (SELECT p.code FROM referrals_referralcode AS p
         WHERE p.owner_id = c.owner_id AND p.is_personal AND p.revoked_at IS NULL
           AND p.frozen_at IS NULL LIMIT 1),
        o.display_name, o.language,
        m.id, m.starts_at, m.ends_at, m.friend_perk_nl, m.friend_perk_en,
        a.id, a.slug, a.status, a.language, a.title, a.summary, a.friend_text,
        a.translation_group
    FROM referrals_share AS s
    JOIN referrals_referralcode AS c ON c.id = s.code_id
    JOIN accounts_employee AS o ON o.id = c.owner_id
    LEFT JOIN referrals_campaign AS m ON m.id = c.campaign_id
    LEFT JOIN knowledge_article AS a ON a.id = s.article_id
    WHERE s.token = %(token)s
"""


def public_share_get(*, token: str) -> PublicShare | None:
    """The share behind `token` with what its landing page shows, or None."""
    rows = _rows(_PUBLIC_SHARE, {"token": token})
    if not rows:
        return None
    share_id, token, opened, code, attributes, personal, name, language, *rest = rows[0]
    # The campaign's id and CampaignPerk's fields, then the answer's id and SharedAnswer's.
    campaign_id, *campaign = rest[: 1 + len(fields(CampaignPerk))]
    answer_id, *answer = rest[1 + len(fields(CampaignPerk)) :]
    return PublicShare(
        id=share_id,
        token=token,
        opened=bool(opened),
        code=code,
        code_attributes=bool(attributes),
        live_personal_code=personal,
        referrer_display_name=name,
        referrer_language=language,
        campaign=CampaignPerk(*campaign) if campaign_id is not None else None,
        answer=_shared_answer(*answer) if answer_id is not None else None,
    )


def _shared_answer(*columns: Any) -> SharedAnswer:
    """SQLite hands the UUID back as text (PostgreSQL as a UUID)."""
    slug, status, language, title, summary, friend_text, group = columns
    return SharedAnswer(slug, status, language, title, summary, friend_text, UUID(str(group)))


# --- Impact ---------------------------------------------------------------------------
# What counts as impact is declared once, in these two fragments: the team's numbers (per
# member, for their leaders) and the company's totals both read them.

_SHARE_COUNTS = """
    COUNT(*) AS shares,
    COUNT(*) FILTER (WHERE sh.article_id IS NOT NULL) AS answers_shared,
    COUNT(*) FILTER (WHERE sh.opened_on IS NOT NULL) AS friends_reached
"""
_LIVE_IN, _LIVE_PARAMS = _in_list("live", LIVE_STATUSES)
_ATTRIBUTION_COUNTS = f"""
    COUNT(*) FILTER (WHERE at.status IN {_LIVE_IN}) AS signups_attributed,
    COUNT(*) FILTER (WHERE at.status = %(confirmed)s) AS signups_confirmed
"""
_COUNT_PARAMS = {**_LIVE_PARAMS, "confirmed": AttributionStatus.CONFIRMED.value}


@dataclass(frozen=True)
class ImpactTotals:
    shares: int = 0
    answers_shared: int = 0
    friends_reached: int = 0
    signups_attributed: int = 0
    signups_confirmed: int = 0

    def __add__(self, other: ImpactTotals) -> ImpactTotals:
        return ImpactTotals(
            shares=self.shares + other.shares,
            answers_shared=self.answers_shared + other.answers_shared,
            friends_reached=self.friends_reached + other.friends_reached,
            signups_attributed=self.signups_attributed + other.signups_attributed,
            signups_confirmed=self.signups_confirmed + other.signups_confirmed,
        )


@dataclass(frozen=True)
class MemberImpact:
    """One member of a team (active or not) with their impact."""

    employee_id: int
    display_name: str
    is_active: bool
    ranking_opt_out: bool
    totals: ImpactTotals


# A team is about twenty people, so this reads the same amount whatever the size of the
# company.
_TEAM_IMPACT = f"""
    SELECT e.id, e.display_name, e.is_active, e.ranking_opt_out,
        COALESCE(s.shares, 0), COALESCE(s.answers_shared, 0), COALESCE(s.friends_reached, 0),
        COALESCE(a.signups_attributed, 0), COALESCE(a.signups_confirmed, 0)
    FROM accounts_employee AS e
    LEFT JOIN (
        SELECT sh.employee_id, {_SHARE_COUNTS}
        FROM referrals_share AS sh
        JOIN accounts_employee AS m ON m.id = sh.employee_id
        WHERE m.department = %(department)s AND m.team = %(team)s
        GROUP BY sh.employee_id
    ) AS s ON s.employee_id = e.id
    LEFT JOIN (
        SELECT at.employee_id, {_ATTRIBUTION_COUNTS}
        FROM referrals_attribution AS at
        JOIN accounts_employee AS m ON m.id = at.employee_id
        WHERE m.department = %(department)s AND m.team = %(team)s
        GROUP BY at.employee_id
    ) AS a ON a.employee_id = e.id
    WHERE e.department = %(department)s AND e.team = %(team)s
"""  # noqa: S608  (fragments from this module, values as parameters)


def team_impact_members(*, department: str, team: str) -> list[MemberImpact]:
    """Every member of the team (department and team) with their own numbers."""
    rows = _rows(_TEAM_IMPACT, {"department": department, "team": team, **_COUNT_PARAMS})
    return [
        MemberImpact(
            employee_id=pk,
            display_name=name,
            is_active=bool(active),
            ranking_opt_out=bool(opted_out),
            totals=ImpactTotals(*numbers),
        )
        for pk, name, active, opted_out, *numbers in rows
    ]


_COMPANY_IMPACT = f"""
    SELECT s.shares, s.answers_shared, s.friends_reached,
        a.signups_attributed, a.signups_confirmed
    FROM (SELECT {_SHARE_COUNTS} FROM referrals_share AS sh) AS s
    CROSS JOIN (SELECT {_ATTRIBUTION_COUNTS} FROM referrals_attribution AS at) AS a
"""  # noqa: S608  (fragments from this module, values as parameters)


def company_impact_totals() -> ImpactTotals:
    """The whole company's numbers, everyone who ever shared included."""
    return ImpactTotals(*_rows(_COMPANY_IMPACT, dict(_COUNT_PARAMS))[0])


# --- Sign-up ingestion ----------------------------------------------------------------------
# A batch of a thousand sign-ups writes four tables; bulk_create's INSERTs are several times
# slower than COPY, which the ORM does not offer. PostgreSQL only: the caller falls back to
# bulk_create elsewhere (the demo's SQLite).


def ids_draw(*, model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys from `model`'s id sequence, in ascending order."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


def rows_copy(*, model: type[models.Model], instances: Sequence[models.Model]) -> None:
    """COPY complete model instances (primary keys set) into `model`'s table: what
    bulk_create would insert, several times faster for a thousand rows. The columns are the
    model's concrete fields; without primary keys, the table's identity draws them.
    Database errors surface as Django's (IntegrityError, …)."""
    if not instances:
        return
    with_pk = instances[0].pk is not None
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    # A concrete field always has a column (the stubs allow None).
    columns = ", ".join(connection.ops.quote_name(cast(str, field.column)) for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    # A model instance keeps every concrete field's value in its __dict__ under attname.
    values = itemgetter(*(field.attname for field in fields))
    json_at = [i for i, field in enumerate(fields) if isinstance(field, models.JSONField)]
    with (
        connection.wrap_database_errors,
        connection.connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for instance in instances:
            row = list(values(instance.__dict__))
            for i in json_at:
                row[i] = json.dumps(row[i])
            copy.write_row(row)


# --- End of sign-up ingestion ---------------------------------------------------------------
