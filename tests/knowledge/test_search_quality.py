"""Search quality over the seed corpus, measured on a labelled query set."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from backend.accounts.models import Employee
from knowledge.services.importer import ImportResult
from tests.conftest import login
from tests.knowledge.labelled_queries import LABELLED_QUERIES


def test_labelled_set_is_large_and_covers_both_languages() -> None:
    languages = [lang for _, lang, _ in LABELLED_QUERIES]

    assert len(LABELLED_QUERIES) >= 60
    assert languages.count("nl") >= 30
    assert languages.count("en") >= 20


def test_search_quality_on_the_labelled_set(
    seed_corpus: ImportResult,
    make_employee: Callable[..., Employee],
    throttle_rates: Callable[..., None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    throttle_rates(knowledge_search="10000/min")
    clients = {
        lang: login(make_employee(language=lang, email=f"searcher-{lang}@ceo-telecom.example"))
        for lang in ("nl", "en")
    }
    reciprocal_ranks: list[float] = []
    zero_results = 0
    misses: list[str] = []

    for query, lang, relevant in LABELLED_QUERIES:
        client: APIClient = clients[lang]
        response = client.get("/api/v1/knowledge/articles/", {"q": query, "page_size": 10})
        assert response.status_code == 200, (query, response.content)
        slugs = [item["slug"] for item in response.json()["results"]]
        if not slugs:
            zero_results += 1
        rank = next((i for i, slug in enumerate(slugs, start=1) if slug in relevant), None)
        reciprocal_ranks.append(1 / rank if rank else 0.0)
        if rank != 1:
            misses.append(f"  {query!r} ({lang}): rank {rank}, top 3 {slugs[:3]}")

    mrr = sum(reciprocal_ranks) / len(reciprocal_ranks)
    zero_rate = zero_results / len(LABELLED_QUERIES)
    with capsys.disabled():
        print(
            f"\nsearch quality: MRR@10 = {mrr:.3f}, zero-result rate = {zero_rate:.1%} "
            f"over {len(LABELLED_QUERIES)} labelled queries"
        )
        if misses:
            print("not ranked first:\n" + "\n".join(misses))

    assert mrr >= 0.8
    assert zero_rate <= 0.05
