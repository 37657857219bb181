"""Sales ops at scale: the review queue and the monthly funnel with 100,000 sign-ups and
1,000,000 visits (PostgreSQL only; not run by CI). Stands alone; needs its own database.

    createdb -h 127.0.0.1 -U postgres ceo_ops_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ceo_ops_bench \\
        .venv/bin/python bench/ops_scale.py --signups 100000 --visits 1000000

Migrates the database and, when it holds no bench data yet, bulk-loads employees, codes,
campaigns, answers, shares, visits, sign-ups, attributions and their events with
`INSERT … SELECT generate_series(…)` (set-based, a minute or two). Then it calls the real
API as a sales ops user (JWT login, permissions, serializers) and prints, for the queue's
first page (default order, and filtered to `needs_review`) and the monthly funnel: the
latency percentiles, the queries per request, and the `EXPLAIN ANALYZE` plan of each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from backend.accounts.models import Employee  # noqa: E402
from backend.accounts.roles import Role  # noqa: E402
from backend.accounts.services import employee_create, employee_set_roles  # noqa: E402
from referrals.models import Signup  # noqa: E402

PASSWORD = "bench-password-2026"
SOURCE = "bench"
EMPLOYEES = 5000
ARTICLES = 300
CAMPAIGNS = 12
DEPARTMENTS = ["Retail", "Customer Service", "Network Operations", "Marketing", "IT", "Finance"]

LOAD = """
INSERT INTO accounts_employee (password, is_superuser, email, employee_number, display_name,
    department, team, language, is_active, is_staff, ranking_opt_out, date_joined)
SELECT '!', false, 'bench' || g || '@ceo-telecom.example', 'B' || g, 'Bench Person ' || g,
    (%(departments)s::text[])[1 + g %% 6], 'Team ' || (g %% 60), 'nl', true, false, false, now()
FROM generate_series(1, %(employees)s) g;

INSERT INTO referrals_campaign (name, starts_at, ends_at, friend_perk_nl, friend_perk_en, created_at)
SELECT 'Bench campaign ' || g, now() - (g * 30 || ' days')::interval,
    now() - (g * 30 - 60 || ' days')::interval, 'Gratis', 'Free', now()
FROM generate_series(1, %(campaigns)s) g;

INSERT INTO referrals_referralcode (code, owner_id, is_personal, label, campaign_id, created_at)
SELECT upper(substr(md5('code' || e.id), 1, 10)), e.id, true, '',
    CASE WHEN e.id %% 4 = 0 THEN (SELECT min(id) FROM referrals_campaign) + e.id %% %(campaigns)s END,
    now() - interval '400 days'
FROM accounts_employee e WHERE e.email LIKE 'bench%%';

INSERT INTO knowledge_article (slug, language, title, summary, friend_text, body, body_html,
    status, tags, translation_group, revision, content_revision, created_at, updated_at)
SELECT 'bench-answer-' || g, 'nl', 'Bench answer ' || g, '', 'Friend text', 'Body', '',
    'published', '[]', gen_random_uuid(), 1, 1, now(), now()
FROM generate_series(1, %(articles)s) g;

CREATE TEMP TABLE bench_ids AS
SELECT (SELECT min(id) FROM accounts_employee WHERE email LIKE 'bench%%') AS employee,
       (SELECT min(id) FROM knowledge_article WHERE slug LIKE 'bench-answer-%%') AS article;

INSERT INTO referrals_share (token, employee_id, code_id, article_id, channel, created_at)
SELECT md5('share' || g), c.owner_id, c.id,
    CASE WHEN g %% 3 <> 0 THEN (SELECT article FROM bench_ids) + g %% %(articles)s END,
    (ARRAY['whatsapp','sms','email','qr','copy','other'])[1 + g %% 6],
    now() - ((g %% 365) || ' days')::interval - ((g %% 1440) || ' minutes')::interval
FROM generate_series(1, %(shares)s) g
JOIN referrals_referralcode c
  ON c.owner_id = (SELECT employee FROM bench_ids) + g %% %(employees)s AND c.is_personal;

CREATE TEMP TABLE bench_shares AS
SELECT id, row_number() OVER (ORDER BY id) AS n, created_at FROM referrals_share;

INSERT INTO referrals_visit (share_id, day, visitor_hash, at)
SELECT s.id, LEAST((s.created_at + (g %% 7 || ' days')::interval)::date, current_date),
    md5('visitor' || g) || md5('salt' || g),
    LEAST(s.created_at + (g %% 7 || ' days')::interval, now())
FROM generate_series(1, %(visits)s) g
JOIN bench_shares s ON s.n = 1 + g %% %(shares)s;

INSERT INTO referrals_signup (source, external_id, occurred_at, presented_code, share_token,
    email_hash, phone_hash, account_hash, product, sales_channel, is_new_customer,
    activated_at, cancelled_at, payload_hash, created_at)
SELECT 'bench', 'B-' || g, s.created_at + interval '3 hours', '', md5('share' || s.n),
    md5('friend' || g) || md5('pepper' || g), '', '', 'Sim Only 10GB',
    CASE WHEN g %% 20 = 0 THEN 'dealer' ELSE 'online' END, true,
    CASE WHEN g %% 10 BETWEEN 3 AND 6 THEN s.created_at + interval '1 day' END,
    CASE WHEN g %% 10 = 3 THEN s.created_at + interval '2 days' END,
    md5('payload' || g), s.created_at + interval '3 hours'
FROM generate_series(1, %(signups)s) g
JOIN bench_shares s ON s.n = 1 + (g * 7) %% %(shares)s;

INSERT INTO referrals_attribution (signup_id, employee_id, code_id, share_id, article_id, status,
    reason, trace, version, created_at, updated_at, confirmed_at, occurred_at)
SELECT su.id,
    CASE WHEN su.id %% 10 = 0 THEN NULL ELSE sh.employee_id END,
    CASE WHEN su.id %% 10 = 0 THEN NULL ELSE sh.code_id END,
    CASE WHEN su.id %% 10 = 0 THEN NULL ELSE sh.id END,
    CASE WHEN su.id %% 10 = 0 THEN NULL ELSE sh.article_id END,
    (ARRAY['unattributed','needs_review','rejected','reversed','confirmed','confirmed',
           'confirmed','pending','pending','pending'])[1 + su.id %% 10],
    (ARRAY['no_referrer','channel_conflict','self_referral','withdrawn',
           'withdrawal_period_passed','withdrawal_period_passed','withdrawal_period_passed',
           '','',''])[1 + su.id %% 10],
    '[]', 1, su.created_at, su.created_at,
    CASE WHEN su.id %% 10 BETWEEN 4 AND 6 THEN su.created_at + interval '15 days' END,
    su.occurred_at
FROM referrals_signup su JOIN referrals_share sh ON sh.token = su.share_token
WHERE su.source = 'bench';

INSERT INTO referrals_attributionevent (attribution_id, from_status, to_status, reason, note, at)
SELECT id, '', status, reason, '', created_at FROM referrals_attribution;
"""


def load(args: argparse.Namespace) -> None:
    if Signup.objects.filter(source=SOURCE).exists():
        print(f"bench data present: {Signup.objects.filter(source=SOURCE).count()} sign-ups")
        return
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            LOAD,
            {
                "departments": DEPARTMENTS,
                "employees": EMPLOYEES,
                "campaigns": CAMPAIGNS,
                "articles": ARTICLES,
                "shares": args.shares,
                "visits": args.visits,
                "signups": args.signups,
            },
        )
    print(f"loaded in {time.perf_counter() - started:.1f}s")


def counts() -> None:
    with connection.cursor() as cursor:
        for table in (
            "referrals_share",
            "referrals_visit",
            "referrals_signup",
            "referrals_attribution",
            "referrals_attributionevent",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            print(f"  {table}: {cursor.fetchone()[0]:,}")


def sales_ops_client() -> APIClient:
    email = "bench-ops@ceo-telecom.example"
    person = Employee.objects.filter(email=email).first()
    if person is None:
        person = employee_create(
            email=email, employee_number="BENCH-OPS", display_name="Bench Ops", password=PASSWORD
        )
        employee_set_roles(employee=person, roles=[Role.SALES_OPS])
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/", {"email": email, "password": PASSWORD}, format="json"
    ).json()["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(client: APIClient, name: str, path: str, params: dict[str, str], n: int) -> None:
    for _ in range(3):  # warm-up
        client.get(path, params)
    latencies = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(path, params)
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content
    with CaptureQueriesContext(connection) as captured:
        client.get(path, params)
    print(f"\n== {name}: {path} {params}")
    print(
        f"   {n} requests: p50 {statistics.median(latencies):.1f} ms, "
        f"p95 {percentile(latencies, 0.95):.1f} ms, max {max(latencies):.1f} ms; "
        f"{len(captured.captured_queries)} queries per request"
    )
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if "referrals_" not in sql:
                continue  # authentication
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF, TIMING OFF) " + sql)
            plan = "\n".join("     " + row[0] for row in cursor.fetchall())
            print(f"   -- {query['time']}s  {sql[:160]}…\n{plan}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signups", type=int, default=100_000)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--shares", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("DATABASE_URL must point at a PostgreSQL database")

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = 0")  # the load and VACUUM take minutes
    load(args)
    # As in production, where `rollup_funnel` is scheduled: days that are over are counted
    # once (the first run, over the whole history, takes a while; later runs a day each).
    started = time.perf_counter()
    call_command("rollup_funnel", stdout=sys.stdout)
    print(f"   rollup took {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    counts()
    client = sales_ops_client()
    queue = "/api/v1/ops/attributions/"
    measure(client, "queue, first page (needs review first)", queue, {}, args.requests)
    measure(client, "queue, needs_review only", queue, {"status": "needs_review"}, args.requests)
    measure(client, "queue, one department", queue, {"department": "Retail"}, args.requests)
    measure(
        client,
        "funnel, monthly, last 12 months",
        "/api/v1/ops/reports/funnel/",
        {"group_by": "month"},
        args.requests,
    )
    measure(
        client,
        "funnel, by department",
        "/api/v1/ops/reports/funnel/",
        {"group_by": "department"},
        max(5, args.requests // 5),
    )


if __name__ == "__main__":
    main()
