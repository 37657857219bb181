"""Searching: Dutch that really works, ranking, highlighting, notices and the search log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.models import Employee
from knowledge.models import Article, SearchLog
from knowledge.services.articles import article_update
from tests.caches import UNREACHABLE_CACHES
from tests.conftest import login
from tests.knowledge.conftest import make_stale

URL = "/api/v1/knowledge/articles/"
MakeArticle = Callable[..., Article]


def found(client: APIClient, q: str, **params: str) -> list[str]:
    response = client.get(URL, {"q": q, **params})
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


@pytest.fixture
def dutch_articles(make_article: MakeArticle) -> dict[str, Article]:
    return {
        "fiets": make_article(
            title="Telefoonhouder voor op de fiets", summary="Veilig navigeren.", body="Houder."
        ),
        "simkaart": make_article(
            title="Nieuwe simkaart aanvragen", summary="Gratis vervanging.", body="Via de app."
        ),
        "prepaid": make_article(
            title="Prepaidkaart opwaarderen", summary="Tegoed erbij.", body="Met iDEAL."
        ),
        "abonnement": make_article(
            title="Abonnement opzeggen", summary="Eén maand opzegtermijn.", body="In de app."
        ),
        "esim": make_article(title="Overstappen op e-sim", summary="Digitaal.", body="QR-code."),
        "belgie": make_article(title="Bellen in België", summary="EU-tarief.", body="Roaming."),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("fietsen", "fiets"),  # stem
        ("sim", "simkaart"),  # compound: first part
        ("simkaarten", "simkaart"),  # plural
        ("prepaid", "prepaid"),  # compound: prepaid → prepaidkaart
        ("abbonement", "abonnement"),  # typo
        ("abonement opzegen", "abonnement"),  # two typos
        ("esim", "esim"),  # spelling variant of e-sim
        ("e-sim", "esim"),
        ("belgie", "belgie"),  # accents
        ("abonn", "abonnement"),  # last word still being typed
    ],
)
def test_dutch_search_finds_stems_compounds_typos_and_variants(
    dutch_articles: dict[str, Article], employee_client: APIClient, query: str, expected: str
) -> None:
    slugs = found(employee_client, query)

    assert slugs[:1] == [dutch_articles[expected].slug], slugs


def test_english_articles_are_stemmed_in_english(
    make_article: MakeArticle, make_employee: Callable[..., Employee]
) -> None:
    article = make_article(language="en", title="Cancelling your contract", summary="Notice.")
    client = login(make_employee(language="en"))

    assert found(client, "cancelled contracts")[:1] == [article.slug]


def test_title_outranks_body(make_article: MakeArticle, employee_client: APIClient) -> None:
    in_body = make_article(title="Algemeen", summary="Iets.", body="Hier staat roaming.")
    in_title = make_article(title="Roaming", summary="Iets.", body="Algemeen.")

    assert found(employee_client, "roaming") == [in_title.slug, in_body.slug]


def test_tags_outrank_body(make_article: MakeArticle, employee_client: APIClient) -> None:
    in_body = make_article(title="Eerste", summary="Iets.", body="Over wifi bellen.")
    in_tags = make_article(title="Tweede", summary="Iets.", body="Niets.", tags=["wifi"])

    assert found(employee_client, "wifi") == [in_tags.slug, in_body.slug]


def test_a_stale_article_never_ranks_above_an_equally_relevant_fresh_one(
    make_article: MakeArticle, employee_client: APIClient
) -> None:
    stale = make_article(title="Roaming in de EU", summary="Zelfde tekst.", slug="a-stale")
    fresh = make_article(title="Roaming in de EU", summary="Zelfde tekst.", slug="b-fresh")
    make_stale(stale)

    results = employee_client.get(URL, {"q": "roaming"}).json()["results"]

    assert [r["slug"] for r in results] == [fresh.slug, stale.slug]
    assert [r["stale"] for r in results] == [False, True]


def test_employees_language_comes_first_then_the_other(
    make_article: MakeArticle, make_employee: Callable[..., Employee]
) -> None:
    dutch = make_article(title="Roaming buiten de EU", slug="roaming-nl")
    english = make_article(language="en", title="Roaming outside the EU", slug="roaming-en")
    dutch_client = login(make_employee(language="nl"))
    english_client = login(make_employee(language="en"))

    assert found(dutch_client, "roaming") == [dutch.slug, english.slug]
    assert found(english_client, "roaming") == [english.slug, dutch.slug]
    assert found(dutch_client, "roaming", lang="en") == [english.slug]


def test_drafts_and_archived_articles_are_never_found(
    make_article: MakeArticle, employee_client: APIClient
) -> None:
    make_article(title="Roaming concept", status="draft")
    make_article(title="Roaming oud", status="archived")

    assert found(employee_client, "roaming") == []


def test_highlights_mark_the_words_and_escape_everything_else(
    make_article: MakeArticle, employee_client: APIClient
) -> None:
    make_article(
        title="Dekking",
        summary="Bekijk de <b>dekking</b> & het bereik <script>x</script> bij 3 < 5 masten.",
        body="**Bereik** binnenshuis.",
    )

    highlight = employee_client.get(URL, {"q": "bereik"}).json()["results"][0]["highlight"]

    assert "<mark>bereik</mark>" in highlight
    assert "3 &lt; 5" in highlight
    assert "<script>" not in highlight
    assert "<b>" not in highlight
    assert "&amp;" in highlight
    assert "**" not in highlight


def test_browsing_has_no_highlight_and_no_search_log(
    make_article: MakeArticle, employee_client: APIClient
) -> None:
    make_article()

    body = employee_client.get(URL).json()

    assert body["results"][0]["highlight"] is None
    assert body["search_id"] is None
    assert SearchLog.objects.count() == 0


@pytest.mark.parametrize(
    ("q", "code"),
    [("", "blank"), ("   ", "blank"), ("x" * 201, "max_length")],
)
def test_empty_or_oversized_query_is_refused(
    employee_client: APIClient, q: str, code: str, db: None
) -> None:
    response = employee_client.get(URL, {"q": q})

    assert response.status_code == 400
    assert response.json()["fields"]["q"][0]["code"] == code
    assert SearchLog.objects.count() == 0


def test_a_query_without_words_finds_nothing_and_is_logged(
    make_article: MakeArticle, employee_client: APIClient
) -> None:
    make_article()

    body = employee_client.get(URL, {"q": "?!"}).json()

    assert body["results"] == []
    assert SearchLog.objects.get(pk=body["search_id"]).result_count == 0


def test_every_search_is_logged_and_an_opened_result_recorded(
    employee: Employee, make_article: MakeArticle, employee_client: APIClient, other_client
) -> None:
    article = make_article(title="Roaming")

    body = employee_client.get(URL, {"q": "  Róaming "}).json()
    employee_client.get(f"{URL}{article.slug}/", {"search_id": body["search_id"]})
    other_client.get(f"{URL}{article.slug}/", {"search_id": body["search_id"]})

    log = SearchLog.objects.get(pk=body["search_id"])
    assert (log.employee, log.query, log.normalized_query) == (employee, "Róaming", "roaming")
    assert (log.result_count, log.clicked_article) == (1, article)
    assert log.clicked_at is not None


def test_only_the_first_page_of_a_search_is_logged(
    make_article: MakeArticle, employee_client: APIClient
) -> None:
    for index in range(3):
        make_article(title=f"Roaming {index}")

    first = employee_client.get(URL, {"q": "roaming", "page_size": 2}).json()
    second = employee_client.get(first["next"]).json()

    assert len(first["results"]) == 2
    assert len(second["results"]) == 1
    assert second["search_id"] is None
    assert SearchLog.objects.count() == 1


def test_a_bad_search_id_is_a_400(make_article: MakeArticle, employee_client: APIClient) -> None:
    article = make_article()

    response = employee_client.get(f"{URL}{article.slug}/", {"search_id": "abc"})

    assert response.status_code == 400
    assert "search_id" in response.json()["fields"]


def test_active_notices_are_pinned_on_top_of_every_search(
    make_article: MakeArticle, editor: Employee, employee_client: APIClient
) -> None:
    now = timezone.now()
    notice = make_article(
        title="Storing in Utrecht",
        notice_starts_at=now - timedelta(hours=1),
        notice_ends_at=now + timedelta(hours=5),
    )
    make_article(
        title="Storing voorbij",
        notice_starts_at=now - timedelta(days=2),
        notice_ends_at=now - timedelta(days=1),
    )
    make_article(
        title="Storing gepland",
        notice_starts_at=now + timedelta(days=1),
        notice_ends_at=now + timedelta(days=2),
    )
    make_article(title="Factuur")

    search_body = employee_client.get(URL, {"q": "factuur"}).json()
    notices = employee_client.get("/api/v1/knowledge/notices/").json()["results"]

    assert [n["slug"] for n in search_body["notices"]] == [notice.slug]
    assert search_body["notices"][0]["notice"]["active"] is True
    assert [n["slug"] for n in notices] == [notice.slug]


def test_a_notice_that_is_also_found_is_pinned_plain_and_listed_highlighted(
    make_article: MakeArticle, employee_client: APIClient
) -> None:
    now = timezone.now()
    notice = make_article(
        title="Storing in Utrecht",
        summary="Geen mobiel internet in Utrecht; we werken eraan.",
        notice_starts_at=now - timedelta(hours=1),
        notice_ends_at=now + timedelta(hours=5),
    )
    make_article(
        title="Storing in Delft (concept)",
        status="draft",
        notice_starts_at=now - timedelta(hours=1),
        notice_ends_at=now + timedelta(hours=5),
    )

    body = employee_client.get(URL, {"q": "storing utrecht"}).json()

    assert [n["slug"] for n in body["notices"]] == [notice.slug]
    assert body["notices"][0]["highlight"] is None
    assert [r["slug"] for r in body["results"]] == [notice.slug]
    assert "<mark>" in body["results"][0]["highlight"]


def test_a_notice_shows_once_per_translation_in_the_employees_language(
    make_article: MakeArticle, make_employee: Callable[..., Employee]
) -> None:
    now = timezone.now()
    window = {
        "notice_starts_at": now - timedelta(hours=1),
        "notice_ends_at": now + timedelta(hours=1),
    }
    dutch = make_article(title="Storing", slug="storing", **window)
    english = make_article(
        language="en", title="Outage", slug="outage", translation_of=dutch, **window
    )

    for language, expected in (("nl", dutch), ("en", english)):
        client = login(make_employee(language=language))
        notices = client.get("/api/v1/knowledge/notices/").json()["results"]
        assert [n["slug"] for n in notices] == [expected.slug]


def test_a_notice_expires_by_itself(
    make_article: MakeArticle, editor: Employee, employee_client: APIClient
) -> None:
    now = timezone.now()
    notice = make_article(
        title="Storing",
        notice_starts_at=now - timedelta(hours=2),
        notice_ends_at=now + timedelta(hours=1),
    )
    Article.objects.filter(pk=notice.pk).update(
        notice_ends_at=timezone.now() - timedelta(seconds=1)
    )

    assert employee_client.get("/api/v1/knowledge/notices/").json()["results"] == []


def test_editor_pins_a_notice_through_the_api(
    make_article: MakeArticle, editor_client: APIClient, employee_client: APIClient
) -> None:
    article = make_article(title="Storing")
    now = timezone.now()

    response = editor_client.patch(
        f"{URL}{article.slug}/",
        {
            "revision": article.revision,
            "notice_starts_at": (now - timedelta(minutes=5)).isoformat(),
            "notice_ends_at": (now + timedelta(hours=3)).isoformat(),
        },
    )
    too_long = editor_client.patch(
        f"{URL}{article.slug}/",
        {
            "revision": article.revision + 1,
            "notice_starts_at": now.isoformat(),
            "notice_ends_at": (now + timedelta(days=40)).isoformat(),
        },
    )

    assert response.status_code == 200
    assert response.json()["notice"]["active"] is True
    assert too_long.status_code == 400
    assert [
        n["slug"] for n in employee_client.get("/api/v1/knowledge/notices/").json()["results"]
    ] == [article.slug]


def test_search_runs_a_fixed_number_of_queries(
    make_article: MakeArticle, employee_client: APIClient, django_assert_num_queries, settings
) -> None:
    for index in range(25):
        make_article(title=f"Roaming artikel {index}", tags=["roaming"])
    found(employee_client, "roaming")  # builds the index
    settings.SEARCH_SYNC_SECONDS = 60  # between catch-ups, as almost every search is

    # auth user, page rows with the notices, search log (the engine asks the database nothing)
    for size in (5, 20):
        with django_assert_num_queries(3):
            response = employee_client.get(URL, {"q": "roamin abonement", "page_size": size})
        assert len(response.json()["results"]) == size


def test_an_edit_is_found_once_the_index_caught_up(
    make_article: MakeArticle, editor: Employee, employee_client: APIClient
) -> None:
    article = make_article(title="Eerste titel", tags=[])
    assert found(employee_client, "glasvezel") == []

    article_update(
        article=article, editor=editor, data={"tags": ["glasvezel"]}, expected_revision=None
    )

    assert found(employee_client, "glasvezel") == [article.slug]


def test_what_is_no_longer_published_is_never_shown_even_before_the_index_caught_up(
    make_article: MakeArticle, employee_client: APIClient, settings
) -> None:
    kept = make_article(title="Wifi bellen aanzetten")
    gone = make_article(title="Wifi bellen op oude toestellen")
    assert sorted(found(employee_client, "wifi bellen")) == sorted([kept.slug, gone.slug])
    settings.SEARCH_SYNC_SECONDS = 60  # the index still holds `gone` as published

    Article.objects.filter(pk=gone.pk).update(status="archived")

    assert found(employee_client, "wifi bellen") == [kept.slug]


def test_searching_works_without_a_cache(
    make_article: MakeArticle, employee_client: APIClient, settings
) -> None:
    article = make_article(title="Voicemail instellen")
    settings.CACHES = UNREACHABLE_CACHES

    assert found(employee_client, "voicemail") == [article.slug]
    assert found(employee_client, "voicemail") == [article.slug]
