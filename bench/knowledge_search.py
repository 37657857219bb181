"""Search latency with 20,000 published articles (PostgreSQL only; not run by CI).

    createdb -h 127.0.0.1 -U postgres ceo_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ceo_bench \
        .venv/bin/python bench/knowledge_search.py --articles 20000 --requests 400

Migrates the database, tops it up to `--articles` published articles (variants of the seed
corpus, bulk-inserted so the database trigger builds every search document), then sends
the labelled queries through the real API (JWT login, throttles, logging) and prints
latency percentiles and the queries per search. The search index is built from the
database first (its build time is printed).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LOG_LEVEL", "ERROR")
os.environ.setdefault("KNOWLEDGE_SEARCH_THROTTLE_RATE", "1000000/min")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.test import APIClient  # noqa: E402

from backend.accounts.models import Employee  # noqa: E402
from backend.accounts.services import employee_create  # noqa: E402
from knowledge.demo import SEED_DIR  # noqa: E402
from knowledge.models import Article  # noqa: E402
from knowledge.search.store import index_ensure  # noqa: E402
from knowledge.services.importer import articles_import_directory  # noqa: E402
from tests.knowledge.labelled_queries import LABELLED_QUERIES  # noqa: E402

PASSWORD = "bench-password-2026"
PLACES = ["Amsterdam", "Utrecht", "Zwolle", "Groningen", "Breda", "Delft", "Venlo", "Assen"]
FILLER = [
    "klant",
    "vraagt",
    "naar",
    "voorwaarden",
    "tarieven",
    "bundel",
    "toestel",
    "winkel",
    "app",
    "factuur",
    "customer",
    "asks",
    "about",
    "terms",
    "rates",
    "bundle",
    "device",
    "store",
    "app",
    "invoice",
]


def top_up(target: int) -> None:
    if not Article.objects.filter(slug="esim-activeren").exists():
        articles_import_directory(directory=SEED_DIR)
    seed = list(Article.objects.filter(translation_source__isnull=True).select_related("category"))
    seed += list(Article.objects.filter(translation_source__isnull=False))
    missing = target - Article.objects.count()
    if missing <= 0:
        return
    rng = random.Random(42)
    offset = Article.objects.count()
    started = time.perf_counter()
    batch: list[Article] = []
    for index in range(missing):
        base = seed[index % len(seed)]
        place = PLACES[index % len(PLACES)]
        noise = " ".join(rng.choices(FILLER, k=60))
        batch.append(
            Article(
                slug=f"{base.slug}-{place.lower()}-{offset + index}",
                language=base.language,
                title=f"{base.title} ({place})",
                summary=base.summary,
                friend_text=base.friend_text,
                body=f"{base.body}\n\n{noise}",
                status="published",
                category_id=base.category_id,
                tags=base.tags,
                verified_at=timezone.now(),
                verified_until=base.verified_until,
            )
        )
        if len(batch) == 1000:
            Article.objects.bulk_create(batch)
            batch = []
    Article.objects.bulk_create(batch)
    print(f"loaded {missing} articles in {time.perf_counter() - started:.1f}s")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20000)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("DATABASE_URL must point at a PostgreSQL database")

    call_command("migrate", verbosity=0)
    top_up(args.articles)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE knowledge_article")
    print(f"articles: {Article.objects.count()}")
    built = index_ensure()  # `search_index rebuild` first to measure a build again
    if built is not None:
        print(f"search index: {built.documents} articles built in {built.seconds:.1f}s")

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

    queries = [(q, lang) for q, lang, _ in LABELLED_QUERIES]
    for q, _ in queries[:20]:  # warm-up
        client.get("/api/v1/knowledge/articles/", {"q": q})
    latencies: list[float] = []
    for index in range(args.requests):
        q, _ = queries[index % len(queries)]
        started = time.perf_counter()
        response = client.get("/api/v1/knowledge/articles/", {"q": q})
        latencies.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content

    with CaptureQueriesContext(connection) as captured:
        client.get("/api/v1/knowledge/articles/", {"q": "abbonement opzeggen"})

    print(
        f"search over {args.requests} requests: "
        f"p50 {statistics.median(latencies):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms, "
        f"p99 {percentile(latencies, 0.99):.1f} ms, max {max(latencies):.1f} ms"
    )
    print(f"queries per search: {len(captured.captured_queries)}")


if __name__ == "__main__":
    main()
