"""Search at 20,000 or 200,000 articles, in process (PostgreSQL only; not run by CI).

    createdb -h 127.0.0.1 -U postgres ceo_bench_search_20k
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ceo_bench_search_20k \
        .venv/bin/python bench/knowledge_search.py --articles 20000 [--rebuild]

An empty database is migrated and loaded with `--articles` articles from `bench/corpus.py`
(as `make bench` loads them). The search index is built from the database (with
`--rebuild`, or when this database has none yet; its build time is printed). Then the
labelled queries (old and new) are asked, round robin:

- of the engine alone (`articles_rank`: parsing, Tantivy, ranking, highlights of a page
  of 20), and
- through the real API (JWT login, throttles, search log), next to `make bench`'s
  baseline view (`/bench/baseline`: same middleware, no database, no authentication),

printing CPU ms (process time) per request and wall p50/p95. The machine is shared, so
CPU ms is the steadier figure; the issue's targets are on wall p95.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ.setdefault("KNOWLEDGE_SEARCH_THROTTLE_RATE", "1000000/min")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from backend.accounts.models import Employee  # noqa: E402
from backend.accounts.services import employee_create  # noqa: E402
from knowledge.models import Article, ArticleStatus  # noqa: E402
from knowledge.search.query import SearchFilters, query_parse  # noqa: E402
from knowledge.search.ranking import articles_rank  # noqa: E402
from knowledge.search.store import index_ensure, index_rebuild  # noqa: E402
from tests.knowledge.labelled_queries import LABELLED_QUERIES, NEW_LABELLED_QUERIES  # noqa: E402

PASSWORD = "bench-password-2026"
PAGE = 20
QUERIES = [(q, lang) for q, lang, _ in [*LABELLED_QUERIES, *NEW_LABELLED_QUERIES]]


def load(articles: int) -> None:
    """Loads `articles` generated articles into an empty database (bench/load.py's way)."""
    from bench.load import _articles

    call_command("migrate", verbosity=0)
    if Article.objects.exists():
        return
    started = time.perf_counter()
    with transaction.atomic():
        _articles(articles, random.Random(20260101))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE knowledge_article")
    print(f"loaded {articles:,} articles in {time.perf_counter() - started:.1f} s")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(requests: int, ask: Callable[[int], object]) -> tuple[float, list[float]]:
    """CPU ms per request (mean) and the wall ms of each."""
    for index in range(min(requests, 40)):  # warm-up
        ask(index)
    walls: list[float] = []
    cpu = time.process_time()
    for index in range(requests):
        started = time.perf_counter()
        ask(index)
        walls.append((time.perf_counter() - started) * 1000)
    return (time.process_time() - cpu) * 1000 / requests, walls


def row(name: str, cpu_ms: float, walls: list[float]) -> str:
    return (
        f"| {name} | {cpu_ms:.2f} | {statistics.median(walls):.2f} | "
        f"{percentile(walls, 0.95):.2f} | {percentile(walls, 0.99):.2f} |"
    )


def engine_search(index: int) -> None:
    q, lang = QUERIES[index % len(QUERIES)]
    articles_rank(
        parsed=query_parse(q),
        filters=SearchFilters(status=ArticleStatus.PUBLISHED),
        preferred_language=lang,
        today=timezone.localdate(),
        offset=0,
        limit=PAGE,
    )


def api_client() -> APIClient:
    employee = Employee.objects.filter(email="bench@ceo-telecom.example").first()
    if employee is None:
        employee = employee_create(
            email="bench@ceo-telecom.example",
            employee_number="BENCH1",
            display_name="Bench Mark",
            password=PASSWORD,
        )
    client = APIClient()
    token = client.post(
        "/api/v1/auth/token/", {"email": employee.email, "password": PASSWORD}, format="json"
    ).json()["access"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--rebuild", action="store_true", help="time a full index build")
    parser.add_argument("--engine-only", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("DATABASE_URL must point at a PostgreSQL database")
    settings.SEARCH_INDEX_DIR = str(
        Path(settings.BASE_DIR) / "var" / f"search-index-{connection.settings_dict['NAME']}"
    )
    settings.SEARCH_SYNC_SECONDS = 1
    settings.ROOT_URLCONF = "bench.urls"  # the API and the baseline view

    load(args.articles)
    print(f"articles: {Article.objects.count():,}")
    cpu = time.process_time()  # all of this process's threads: Tantivy's indexing too
    built = index_rebuild() if args.rebuild else index_ensure()
    if built is not None:
        print(
            f"search index: {built.documents:,} articles built in {built.seconds:.1f} s "
            f"({time.process_time() - cpu:.1f} s CPU)"
        )

    print("\n| path | CPU ms/request | p50 ms | p95 ms | p99 ms |\n|---|---:|---:|---:|---:|")
    print(row("engine (`articles_rank`, page of 20)", *timed(args.requests, engine_search)))
    if args.engine_only:
        return
    client = api_client()

    def api_search(index: int) -> None:
        q, _ = QUERIES[index % len(QUERIES)]
        response = client.get("/api/v1/knowledge/articles/", {"q": q})
        assert response.status_code == 200, response.content

    def baseline(index: int) -> None:
        assert client.get("/bench/baseline").status_code == 200

    print(row("API search, `GET /knowledge/articles/?q=`", *timed(args.requests, api_search)))
    print(row("baseline, `GET /bench/baseline`", *timed(args.requests, baseline)))


if __name__ == "__main__":
    main()
