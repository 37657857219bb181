"""Files the wrk Lua scripts read: tokens, paths, codes, share links, the API key.

Access tokens are minted the way the login endpoint mints them (simplejwt's
`RefreshToken.for_user`), for a random sample of active employees: logging 200 people in
through the real endpoint would spend minutes in the password hasher before the run.
The login scenario measures that endpoint itself.
"""

from __future__ import annotations

import random
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connection
from django.utils import timezone

from bench.load import PASSWORD

SAMPLE = 200
EXTRA_QUERIES = [
    "galaxy s24 esim",
    "iphone 15 wifi bellen",
    "glasvezel storing utrecht",
    "roaming turkije",
    "prepaid flex opwaarderen",
    "sim only 20 gb",
    "toestelverzekering schade",
    "pixel 8 hotspot",
    "fibre connection outage",
    "roaming block abroad",
    "parental controls",
    "dual sim iphone",
    "nummer meenemen overstappen",
    "factuur hoger dan verwacht",
    "5g dekking groningen",
    "modem mesh wifi",
    "thuis glasvezel 1000 installatie",
    "e-factuur automatische incasso",
]


def _access(employee: Any) -> str:
    """An access token as the login endpoint mints it, session claims included."""
    from rest_framework_simplejwt.tokens import RefreshToken

    from backend.accounts.sessions import session_claims

    token = RefreshToken.for_user(employee)
    for claim, value in session_claims(employee).items():
        token[claim] = value
    return str(token.access_token)


def _rows(query: str, params: list[object] | None = None) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(query, params or [])
        return cursor.fetchall()


def _write(path: Path, lines: list[str]) -> None:
    path.write_text("\n".join(lines) + "\n")


def prepare(workdir: Path) -> None:

    from backend.accounts.models import Employee
    from referrals.codes import format_code
    from tests.knowledge.labelled_queries import LABELLED_QUERIES, NEW_LABELLED_QUERIES

    rng = random.Random(7)
    sample = [
        row[0]
        for row in _rows(
            "SELECT id FROM accounts_employee WHERE is_active AND NOT is_staff "
            "ORDER BY md5(id::text) LIMIT %s",
            [SAMPLE],
        )
    ]
    employees = list(Employee.objects.filter(pk__in=sample))
    _write(workdir / "tokens.txt", [_access(e) for e in employees])
    _write(workdir / "emails.txt", [e.email for e in employees])
    _write(workdir / "password.txt", [PASSWORD])
    sales_ops = Employee.objects.filter(groups__name="sales_ops")
    _write(
        workdir / "sales_ops_tokens.txt",
        [_access(e) for e in sales_ops],
    )

    slugs = [
        row[0]
        for row in _rows(
            "SELECT slug FROM knowledge_article WHERE status = 'published' "
            "ORDER BY md5(slug) LIMIT 2000"
        )
    ]
    _write(workdir / "detail.txt", [f"/api/v1/knowledge/articles/{slug}/" for slug in slugs])
    labelled = LABELLED_QUERIES + NEW_LABELLED_QUERIES
    queries = [q for q, _, _ in labelled] + EXTRA_QUERIES
    _write(
        workdir / "search.txt",
        [f"/api/v1/knowledge/articles/?q={quote(q)}" for q in queries],
    )
    _write(workdir / "me.txt", ["/api/v1/me/"])
    _write(workdir / "impact.txt", ["/api/v1/referrals/impact/"])

    public = [
        row[0]
        for row in _rows(
            "SELECT s.token FROM referrals_share s JOIN referrals_referralcode c "
            "ON c.id = s.code_id WHERE c.revoked_at IS NULL AND c.frozen_at IS NULL "
            "ORDER BY md5(s.token) LIMIT 5000"
        )
    ]
    _write(workdir / "landing.txt", [f"/s/{token}" for token in public])
    # Sign-ups carry any share token (old ones exercise the attribution window).
    _write(workdir / "share_tokens.txt", rng.sample(public, min(2000, len(public))))
    codes = [
        format_code(str(row[0]))
        for row in _rows(
            "SELECT code FROM referrals_referralcode WHERE revoked_at IS NULL "
            "ORDER BY md5(code) LIMIT 5000"
        )
    ]
    _write(workdir / "codes.txt", codes)
    occurred = (timezone.now() - timedelta(minutes=1)).isoformat()
    _write(workdir / "occurred_at.txt", [occurred])

    _write(workdir / "ops_queue.txt", ["/api/v1/ops/attributions/"])
    _write(workdir / "ops_funnel.txt", ["/api/v1/ops/reports/funnel/?group_by=month"])
