"""Loads the benchmark dataset into an empty PostgreSQL database, fast.

At scale 1.0: 20,000 employees in 1,000 teams of 20 across 10 departments, 20,000 articles
(plus the 62 of the seed corpus), 200,000 shares, 1,000,000 visits spread over twelve
months, 100,000 sign-ups with their attributions in every status, events, live-customer
rows and claims, and campaigns. Team size stays 20 at every scale, so per-employee work
(own and team impact) is the same at 10% and 100% and only company-wide work grows.

Rows that need Python (valid referral codes with their check symbol, article text) go in
with COPY; everything else is generated inside PostgreSQL with `generate_series` from a
fixed random seed, so a load is repeatable and takes about a minute at full scale.
Passwords: every generated employee shares one precomputed hash (hashing 20,000 passwords
would take hours and measure nothing).
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from referrals.ops.services.rollup import funnel_rollup

FULL = {
    "employees": 20_000,
    "articles": 20_000,
    "shares": 200_000,
    "visits": 1_000_000,
    "signups": 100_000,
}
TEAM_SIZE = 20
DEPARTMENTS = [
    "Customer Service",
    "Retail",
    "Sales",
    "Network",
    "IT",
    "Finance",
    "Marketing",
    "Field Service",
    "Business Markets",
    "HR",
]
FIRST_NAMES = [
    "Anna",
    "Bram",
    "Chloé",
    "Daan",
    "Emma",
    "Finn",
    "Gijs",
    "Hanna",
    "Ilse",
    "Jesse",
    "Kim",
    "Lars",
    "Mila",
    "Noah",
    "Olivia",
    "Pim",
    "Quinten",
    "Roos",
    "Sem",
    "Tess",
    "Umar",
    "Vera",
    "Wout",
    "Xander",
    "Yara",
    "Zoë",
    "Fatima",
    "Mohammed",
    "Priya",
    "Lucas",
    "Sophie",
    "Jan",
]
LAST_NAMES = [
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "Yilmaz",
    "El Amrani",
    "Kok",
    "Jacobs",
    "van Dijk",
]
PASSWORD = "bench-password-2026"
LOADER_VERSION = 5


@dataclass
class Counts:
    employees: int
    articles: int
    shares: int
    visits: int
    signups: int

    @classmethod
    def at(cls, scale: float) -> Counts:
        return cls(**{name: max(100, int(value * scale)) for name, value in FULL.items()})


def _sql(statement: str, params: dict[str, object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or {})


def _copy(table: str, columns: list[str], rows: list[tuple[object, ...]]) -> None:
    raw = connection.connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _employees(n: int) -> None:
    _sql(
        """
        INSERT INTO accounts_employee (password, last_login, is_superuser, email,
            employee_number, display_name, department, team, language, is_active, is_staff,
            left_at, ranking_opt_out, date_joined, session_epoch, external_id)
        SELECT %(password)s, NULL, false,
            'ceo' || i || '@bench.ceo-telecom.example',
            'B' || lpad(i::text, 6, '0'),
            (%(first)s::text[])[1 + i %% cardinality(%(first)s::text[])] || ' '
                || (%(last)s::text[])[1 + (i / 7) %% cardinality(%(last)s::text[])],
            (%(departments)s::text[])[1 + (i / %(team)s) %% cardinality(%(departments)s::text[])],
            'Team ' || lpad((i / %(team)s)::text, 4, '0'),
            CASE WHEN i %% 5 = 0 THEN 'en' ELSE 'nl' END,
            i %% 50 <> 7,
            false,
            CASE WHEN i %% 50 = 7 THEN now() - interval '20 days' END,
            i %% 25 = 3,
            now() - (i %% 900) * interval '1 day' - interval '100 days',
            0,
            ''
        FROM generate_series(0, %(n)s - 1) AS i
        """,
        {
            "password": make_password(PASSWORD),
            "first": FIRST_NAMES,
            "last": LAST_NAMES,
            "departments": DEPARTMENTS,
            "team": TEAM_SIZE,
            "n": n,
        },
    )


def _campaigns() -> None:
    now = timezone.now()
    rows = [
        ("Zomer 2025", now - timedelta(days=330), now - timedelta(days=270), "Eerste maand gratis"),
        ("Back to school", now - timedelta(days=250), now - timedelta(days=200), "Dubbele data"),
        ("Black Friday", now - timedelta(days=120), now - timedelta(days=100), "50% korting"),
        ("Feestdagen", now - timedelta(days=60), now - timedelta(days=20), "Gratis eSIM"),
        ("Voorjaar", now - timedelta(days=10), now + timedelta(days=50), "Extra 10 GB"),
        ("Glasvezel", now - timedelta(days=200), now + timedelta(days=100), "Installatie gratis"),
    ]
    for name, starts, ends, perk in rows:
        _sql(
            "INSERT INTO referrals_campaign (name, starts_at, ends_at, friend_perk_nl, "
            "friend_perk_en, created_at) VALUES (%(n)s, %(s)s, %(e)s, %(p)s, %(p)s, %(s)s)",
            {"n": name, "s": starts, "e": ends, "p": perk},
        )


def _codes(rng: random.Random) -> None:
    """A personal code per employee (frozen for those who left), extra campaign codes for
    one in ten, a revoked extra code for one in fifty."""
    from referrals.codes import ALPHABET, check_symbol

    with connection.cursor() as cursor:
        cursor.execute("SELECT id, date_joined, left_at FROM accounts_employee ORDER BY id")
        employees = cursor.fetchall()
        cursor.execute("SELECT id FROM referrals_campaign ORDER BY id")
        campaigns = [row[0] for row in cursor.fetchall()]
    seen: set[str] = set()

    def new_code() -> str:
        while True:
            payload = "".join(rng.choice(ALPHABET) for _ in range(9))
            code = payload + check_symbol(payload)
            if code not in seen:
                seen.add(code)
                return code

    rows = []
    for pk, joined, left_at in employees:
        rows.append((new_code(), pk, True, "", None, joined, None, left_at))
        if pk % 10 == 1:
            campaign = campaigns[pk % len(campaigns)]
            rows.append((new_code(), pk, False, "Campagne", campaign, joined, None, left_at))
        if pk % 50 == 2:
            revoked = joined + timedelta(days=30)
            rows.append((new_code(), pk, False, "Poster", None, joined, revoked, left_at))
    _copy(
        "referrals_referralcode",
        [
            "code",
            "owner_id",
            "is_personal",
            "label",
            "campaign_id",
            "created_at",
            "revoked_at",
            "frozen_at",
        ],
        rows,
    )


def _articles(n: int, rng: random.Random) -> None:
    from bench.corpus import Corpus, SeedArticle
    from knowledge.demo import SEED_DIR
    from knowledge.models import Article
    from knowledge.services.importer import articles_import_directory

    articles_import_directory(directory=SEED_DIR)
    seeds = [
        SeedArticle(
            a.slug,
            a.language,
            a.title,
            a.summary,
            a.friend_text,
            a.body,
            a.category_id,
            list(a.tags),
        )
        for a in Article.objects.order_by("id")
    ]
    corpus = Corpus(seeds, rng)
    now = timezone.now()
    today = timezone.localdate()
    rows = []
    sources: list[tuple[uuid.UUID, int]] = []
    for index in range(n):
        # One in five Dutch articles has an English translation right after it.
        translated = index % 10 == 1 and sources
        language = "en" if translated or index % 10 in (3, 6, 8) else "nl"
        article = corpus.article(index, language)
        group = uuid.uuid4()
        source_index = None
        if translated:
            group, source_index = sources.pop()
        elif language == "nl":
            sources = [(group, index)]
        status = "published" if index % 20 else ("draft" if index % 40 else "archived")
        verified_until = today + timedelta(days=rng.randint(-30, 180))
        rows.append(
            (
                article.slug,
                article.language,
                article.title,
                article.summary,
                article.friend_text,
                article.body,
                article.body_html,
                status,
                None,
                article.category_id,
                json.dumps(article.tags),
                str(group),
                source_index,
                1 if source_index is not None else None,
                1,
                1,
                now - timedelta(days=100),
                verified_until,
                None,
                None,
                now,
                now,
                now - timedelta(days=100),
            )
        )
    _copy(
        "knowledge_article",
        [
            "slug",
            "language",
            "title",
            "summary",
            "friend_text",
            "body",
            "body_html",
            "status",
            "owner_id",
            "category_id",
            "tags",
            "translation_group",
            "translation_source_id",
            "translation_source_revision",
            "revision",
            "content_revision",
            "verified_at",
            "verified_until",
            "notice_starts_at",
            "notice_ends_at",
            "created_at",
            "updated_at",
            "published_at",
        ],
        # Translation sources are referenced by generated index; fixed up below.
        [(*row[:12], None, *row[13:]) for row in rows],
    )
    pairs = [(row[0], rows[row[12]][0]) for row in rows if row[12] is not None]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE knowledge_article AS t SET translation_source_id = s.id
            FROM unnest(%s::text[], %s::text[]) AS p(slug, source_slug)
            JOIN knowledge_article AS s ON s.slug = p.source_slug
            WHERE t.slug = p.slug
            """,
            [[p[0] for p in pairs], [p[1] for p in pairs]],
        )


def _shares_and_visits(counts: Counts) -> None:
    # Sharing is skewed: a few enthusiasts share a lot, most people now and then.
    _sql(
        """
        INSERT INTO referrals_share (token, employee_id, code_id, article_id, channel, created_at)
        SELECT substr(md5('share-' || i), 1, 22), c.owner_id, c.id,
            CASE WHEN i %% 5 < 3 THEN a.id END,
            (ARRAY['whatsapp','whatsapp','whatsapp','sms','email','qr','copy','other'])[1 + i %% 8],
            GREATEST(c.created_at, now() - interval '365 days') + random() * LEAST(
                now() - GREATEST(c.created_at, now() - interval '365 days'),
                interval '365 days') - interval '1 hour'
        FROM (
            SELECT i, 1 + floor(%(employees)s * power(random(), 1.6))::bigint AS owner,
                   1 + floor(random() * %(published)s)::bigint AS pick
            FROM generate_series(1, %(shares)s) AS i
        ) AS g
        JOIN referrals_referralcode AS c ON c.owner_id = g.owner AND c.is_personal
        LEFT JOIN (
            SELECT id, row_number() OVER (ORDER BY id) AS n
            FROM knowledge_article WHERE status = 'published'
        ) AS a ON a.n = g.pick
        """,
        {
            "employees": counts.employees,
            "shares": counts.shares,
            "published": counts.articles * 19 // 20,
        },
    )
    # Most visits come within days of the share; about a third of shares are never opened.
    # Visits that would lie after now have not happened yet: a tenth more are drawn and
    # the first `visits` of those in the past are kept. (Moved onto today instead, they
    # made the current day, which the funnel report counts live, ten times the others.)
    _sql(
        """
        INSERT INTO referrals_visit (share_id, day, visitor_hash, at)
        SELECT v.share_id, (v.at AT TIME ZONE 'Europe/Amsterdam')::date, md5('visitor-' || v.i),
            v.at
        FROM (
            SELECT g.i, g.share_id, s.created_at + power(random(), 3) * interval '40 days' AS at
            FROM (
                SELECT i, 1 + floor(%(reached)s * power(random(), 1.3))::bigint AS share_id
                FROM generate_series(1, %(drawn)s) AS i
            ) AS g
            JOIN referrals_share AS s ON s.id = g.share_id
        ) AS v
        WHERE v.at <= now()
        LIMIT %(visits)s
        """,
        {
            "visits": counts.visits,
            "drawn": counts.visits * 11 // 10,
            "reached": counts.shares * 2 // 3,
        },
    )
    # What the landing page records with a share's first visit.
    _sql(
        """
        UPDATE referrals_share AS s SET opened_on = v.first
        FROM (SELECT share_id, MIN(day) AS first FROM referrals_visit GROUP BY share_id) AS v
        WHERE v.share_id = s.id
        """
    )


def _signups(counts: Counts) -> None:
    """Sign-ups with an attribution each, in every status, with their events."""
    _sql(
        """
        CREATE TEMP TABLE bench_signup ON COMMIT DROP AS
        SELECT i,
            now() - interval '2 days' - power(random(), 1.2) * interval '360 days' AS occurred_at,
            CASE WHEN i %% 10 < 7 THEN 'code' WHEN i %% 10 < 9 THEN 'share' ELSE 'none' END AS via,
            1 + floor(random() * %(shares)s)::bigint AS share_pick,
            1 + floor(%(employees)s * power(random(), 1.6))::bigint AS owner_pick,
            (ARRAY['pending','pending','pending','confirmed','confirmed','confirmed',
                   'confirmed','needs_review','rejected','reversed'])[1 + (i / 10) %% 10] AS status,
            (ARRAY['online','online','app','store','telesales','dealer'])[1 + i %% 6] AS channel
        FROM generate_series(1, %(signups)s) AS i
        """,
        {"signups": counts.signups, "shares": counts.shares, "employees": counts.employees},
    )
    _sql(
        """
        INSERT INTO referrals_signup (source, external_id, occurred_at, presented_code,
            share_token, email_hash, phone_hash, account_hash, product, sales_channel,
            is_new_customer, activated_at, cancelled_at, payload_hash, created_at)
        SELECT 'crm', 'S' || b.i, b.occurred_at,
            CASE WHEN b.via = 'code' THEN substr(c.code, 1, 5) || '-' || substr(c.code, 6) ELSE '' END,
            CASE WHEN b.via = 'share' THEN s.token ELSE '' END,
            encode(sha256(('email-' || b.i)::bytea), 'hex'),
            CASE WHEN b.i %% 2 = 0 THEN encode(sha256(('phone-' || b.i)::bytea), 'hex') ELSE '' END,
            '',
            (ARRAY['Sim Only 10 GB','Sim Only 20 GB','Unlimited Max','Thuis Glasvezel 500',
                   'Prepaid Flex'])[1 + b.i %% 5],
            b.channel, b.status <> 'rejected' OR b.i %% 3 <> 0,
            CASE WHEN b.status IN ('confirmed', 'reversed') OR b.i %% 3 = 0
                 THEN b.occurred_at + interval '1 day' END,
            CASE WHEN b.status = 'reversed' THEN b.occurred_at + interval '5 days' END,
            md5('payload-' || b.i) || md5('payload2-' || b.i),
            b.occurred_at
        FROM bench_signup AS b
        JOIN referrals_share AS s ON s.id = b.share_pick
        JOIN referrals_referralcode AS c ON c.owner_id = b.owner_pick AND c.is_personal
        ORDER BY b.i
        """
    )
    _sql(
        """
        INSERT INTO referrals_attribution (signup_id, employee_id, code_id, share_id, article_id,
            status, reason, trace, version, created_at, updated_at, confirmed_at, occurred_at,
            review_signals)
        SELECT su.id,
            CASE WHEN b.via = 'none' THEN NULL WHEN b.via = 'share' THEN s.employee_id
                 ELSE c.owner_id END,
            CASE WHEN b.via = 'none' THEN NULL WHEN b.via = 'share' THEN s.code_id ELSE c.id END,
            CASE WHEN b.via = 'share' THEN s.id END,
            CASE WHEN b.via = 'share' THEN s.article_id END,
            CASE WHEN b.via = 'none' THEN 'unattributed' ELSE b.status END,
            CASE WHEN b.via = 'none' THEN 'no_referrer'
                 WHEN b.status = 'needs_review' THEN
                    CASE WHEN b.channel IN ('telesales', 'dealer') THEN 'channel_conflict'
                         ELSE 'velocity' END
                 WHEN b.status = 'rejected' THEN
                    (ARRAY['duplicate_customer','existing_customer','self_referral',
                           'window_expired','code_typo'])[1 + b.i %% 5]
                 WHEN b.status = 'confirmed' THEN 'withdrawal_period_passed'
                 WHEN b.status = 'reversed' THEN 'withdrawn'
                 ELSE '' END,
            jsonb_build_array(
                jsonb_build_object('rule', 'referrer', 'result',
                    CASE WHEN b.via = 'none' THEN 'fail' ELSE 'pass' END,
                    'detail', CASE WHEN b.via = 'none' THEN 'neither a code nor a share token'
                                   ELSE 'code typed at sign-up' END),
                jsonb_build_object('rule', 'review', 'result', 'pass',
                    'detail', 'no review signals')),
            CASE WHEN b.status IN ('confirmed', 'reversed') AND b.via <> 'none' THEN 2 ELSE 1 END,
            b.occurred_at, b.occurred_at + interval '16 days',
            CASE WHEN b.status = 'confirmed' AND b.via <> 'none'
                 THEN b.occurred_at + interval '16 days' END,
            b.occurred_at,
            CASE WHEN b.status = 'needs_review' AND b.via <> 'none' THEN
                jsonb_build_array(CASE WHEN b.channel IN ('telesales', 'dealer')
                    THEN 'channel_conflict' ELSE 'velocity' END)
                 ELSE '[]'::jsonb END
        FROM bench_signup AS b
        JOIN referrals_signup AS su ON su.source = 'crm' AND su.external_id = 'S' || b.i
        JOIN referrals_share AS s ON s.id = b.share_pick
        JOIN referrals_referralcode AS c ON c.owner_id = b.owner_pick AND c.is_personal
        ORDER BY su.id
        """
    )
    _sql(
        """
        INSERT INTO referrals_attributionevent (attribution_id, actor_id, from_status, to_status,
            reason, note, at)
        SELECT a.id, NULL::bigint, '',
            CASE WHEN a.status IN ('confirmed', 'reversed') THEN 'pending' ELSE a.status END,
            CASE WHEN a.status IN ('confirmed', 'reversed') THEN '' ELSE a.reason END,
            '', a.created_at
        FROM referrals_attribution AS a
        UNION ALL
        SELECT a.id, NULL::bigint, 'pending', a.status, a.reason,
            CASE WHEN a.status = 'reversed' THEN 'Cancelled within the withdrawal period.'
                 ELSE '' END,
            a.updated_at
        FROM referrals_attribution AS a WHERE a.status IN ('confirmed', 'reversed')
        ORDER BY 1, 7
        """
    )
    _sql(
        """
        INSERT INTO referrals_livecustomer (value_hash, kind, attribution_id)
        SELECT h.value_hash, h.kind, a.id
        FROM referrals_attribution AS a
        JOIN referrals_signup AS su ON su.id = a.signup_id
        CROSS JOIN LATERAL (VALUES ('email', su.email_hash), ('phone', su.phone_hash)) AS h(kind, value_hash)
        WHERE a.status IN ('pending', 'needs_review', 'confirmed') AND h.value_hash <> ''
        """
    )
    _sql(
        """
        INSERT INTO referrals_claim (employee_id, kind, value_hash, note, signup_id, status,
            created_at, decided_at, decided_by_id, decision_note)
        SELECT 1 + (i * 37) %% %(employees)s, 'email',
            encode(sha256(('claim-' || i)::bytea), 'hex'), 'Mijn buurman werd klant.',
            CASE WHEN i %% 3 = 0 THEN i END,
            (ARRAY['open','open','approved','rejected'])[1 + i %% 4],
            now() - (i %% 200) * interval '1 day',
            CASE WHEN i %% 4 >= 2 THEN now() - (i %% 100) * interval '1 day' END,
            NULL, ''
        FROM generate_series(1, %(claims)s) AS i
        """,
        {"employees": counts.employees, "claims": max(10, counts.signups // 50)},
    )


def _roles_and_key(workdir_key: Callable[[str], None]) -> None:
    from rest_framework_api_key.models import APIKey

    from backend.accounts.models import Employee
    from backend.accounts.roles import Role
    from backend.accounts.services import employee_set_roles

    for pk, roles in ((1, (Role.EDITOR,)), (2, (Role.SALES_OPS,)), (3, (Role.SALES_OPS,))):
        employee_set_roles(employee=Employee.objects.get(pk=pk), roles=roles)
    _, key = APIKey.objects.create_key(name="crm")
    workdir_key(key)


def database_recreate(url: str) -> None:
    """Drops and creates the benchmark database (never anything else: the name must
    contain `bench`)."""
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?", 1)[0]
    if "bench" not in name:
        raise SystemExit(f"refusing to recreate {name!r}: a benchmark database name has 'bench'")
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def load(
    scale: float,
    *,
    save_key: Callable[[str], None],
    log: Callable[[str], None],
    articles: int | None = None,
) -> Counts:
    """Migrates the (empty) database and loads the dataset at `scale` of full size (with
    `articles` articles instead, if given)."""
    counts = Counts.at(scale)
    if articles is not None:
        counts.articles = articles
    rng = random.Random(20260101)
    started = time.perf_counter()

    def step(name: str, action: Callable[[], None]) -> None:
        at = time.perf_counter()
        action()
        log(f"    {name}: {time.perf_counter() - at:.1f}s")

    step("migrate", lambda: call_command("migrate", verbosity=0))
    with transaction.atomic():
        _sql("SET LOCAL synchronous_commit = off")
        _sql("SET LOCAL statement_timeout = 0")
        _sql("SET LOCAL maintenance_work_mem = '256MB'")
        _sql("SELECT setseed(0.42)")
        step(f"{counts.employees:,} employees", lambda: _employees(counts.employees))
        step("campaigns and referral codes", lambda: (_campaigns(), _codes(rng)))
        step(f"{counts.articles:,} articles", lambda: _articles(counts.articles, rng))
        step(
            f"{counts.shares:,} shares, {counts.visits:,} visits",
            lambda: _shares_and_visits(counts),
        )
        step(f"{counts.signups:,} sign-ups and attributions", lambda: _signups(counts))
        step("roles and API key", lambda: _roles_and_key(save_key))
    # As in production, where `rollup_funnel` runs every few minutes: the days that are
    # over are in the funnel rollup (this first run covers the whole history).
    step("funnel rollup", lambda: funnel_rollup())
    step("vacuum analyze", lambda: _sql("VACUUM ANALYZE"))
    log(f"    loaded in {time.perf_counter() - started:.1f}s")
    return counts
