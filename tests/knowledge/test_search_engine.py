"""The search engine's index: built before it is used, switched whole, kept current."""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.models import Employee
from knowledge.models import Article
from knowledge.search import ranking
from knowledge.search.analysis import compound_dictionary
from knowledge.search.query import SearchFilters, query_parse
from knowledge.search.ranking import RankedPage, articles_rank
from knowledge.search.reader import index_reader_forget
from knowledge.search.store import (
    LOCK_FILE,
    _state_write,
    index_catch_up,
    index_ensure,
    index_root,
    state_read,
)
from tests.conftest import login

URL = "/api/v1/knowledge/articles/"
MakeArticle = Callable[..., Article]


def found(client: APIClient, q: str) -> list[str]:
    response = client.get(URL, {"q": q})
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


def rank(q: str, *, highlight: bool = True, offset: int = 0, limit: int = 10) -> RankedPage:
    return articles_rank(
        parsed=query_parse(q),
        filters=SearchFilters(status="published"),
        preferred_language="nl",
        today=date.today(),
        offset=offset,
        limit=limit,
        highlight=highlight,
    )


def test_dutch_compounds_are_split_into_the_words_they_are_made_of(
    make_article: MakeArticle, employee_client: APIClient
) -> None:
    about_wifi = make_article(title="Wifi bereik in huis verbeteren", body="Zet de router hoog.")
    make_article(title="Bundel op", body="Extra data kopen.")

    assert found(employee_client, "wifibereik") == [about_wifi.slug]


def test_a_compound_part_must_stand_on_its_own_and_compounds_are_not_parts() -> None:
    parts = compound_dictionary(["tegoed tegoed beltegoed op op", "zomer zomer zomerbundel"])

    assert "tegoed" in parts
    assert "zomer" in parts
    assert "beltegoed" not in parts  # made of `bel` and `tegoed`: split, never kept whole
    assert "op" not in parts  # too short to cut other words


def test_an_english_question_finds_the_english_answer_first_for_a_dutch_employee(
    make_article: MakeArticle, make_employee: Callable[..., Employee]
) -> None:
    dutch = make_article(
        language="nl", title="Simkaart kwijt", summary="Blokkeer je simkaart.", body="Bel ons."
    )
    english = make_article(
        language="en", title="Lost your SIM card", summary="Block your SIM.", body="Call us."
    )
    client = login(make_employee(language="nl", email="nl-searcher@ceo-telecom.example"))

    assert found(client, "lost my sim card") == [english.slug, dutch.slug]
    assert found(client, "simkaart kwijt")[0] == dutch.slug


def test_a_hyphenated_dutch_compound_does_not_outrank_its_english_translation(
    make_article: MakeArticle, make_employee: Callable[..., Employee]
) -> None:
    dutch = make_article(
        language="nl", title="Waar vind ik de PUK-code?", summary="De PUK-code staat in de app."
    )
    english = make_article(
        language="en", title="Where do I find the PUK code?", summary="The PUK code is in the app."
    )
    client = login(make_employee(language="en", email="en-searcher@ceo-telecom.example"))

    assert found(client, "puk code") == [english.slug, dutch.slug]
    assert found(client, "pukcode")[0] == dutch.slug  # the joined form still finds it


HIGHLIGHTS = {
    "accented and hyphenated forms of the query": (
        {
            "title": "E-sim in het café",
            "summary": "Activeer in het Café je e-sim; daarna werkt de E-SIM meteen.",
        },
        "cafe esim",
        "Activeer in het <mark>Café</mark> je <mark>e-sim</mark>; daarna werkt de "
        "<mark>E-SIM</mark> meteen. Tekst voor een vriend. Uitleg.",
    ),
    "the near forms of a misspelt word and no others": (
        {
            "title": "Abonnement opzeggen",
            "summary": "Je abonnement of je abonnementen opzeggen? Een abonnee belt ons.",
        },
        "abbonement",
        "Je <mark>abonnement</mark> of je abonnementen opzeggen? Een abonnee belt ons. "
        "Tekst voor een vriend. Uitleg.",
    ),
    "Markdown as its words, escaped, hyphenated words marked whole": (
        {
            "title": "Bundel kiezen",
            "summary": "Over bundels.",
            "friend_text": "Lees dit.",
            "body": "## Kies je **bundel**\n\n- een [bundel](https://x.example) <b>nu</b>\n"
            "- de bundel-kaart\n",
        },
        "bundel",
        "Over <mark>bundels</mark>. Lees dit. Kies je <mark>bundel</mark> een "
        "<mark>bundel</mark> &lt;b&gt;nu&lt;/b&gt; de <mark>bundel-kaart</mark>",
    ),
}


@pytest.mark.parametrize(("fields", "q", "expected"), HIGHLIGHTS.values(), ids=HIGHLIGHTS)
def test_highlights_mark_what_the_query_matched(
    make_article: MakeArticle, fields: dict[str, str], q: str, expected: str
) -> None:
    article = make_article(**fields)

    page = rank(q)

    assert page.ids == [article.pk]
    assert page.highlights[article.pk] == expected


def test_the_catch_up_removes_deleted_articles_from_the_index(
    make_article: MakeArticle, employee_client: APIClient
) -> None:
    kept = make_article(title="Voicemail instellen")
    deleted = make_article(title="Voicemail uitzetten")
    assert set(found(employee_client, "voicemail")) == {kept.slug, deleted.slug}

    Article.objects.filter(pk=deleted.pk).delete()
    state = state_read(index_root())
    assert state is not None
    state.deletions_checked_at = 0.0  # the last look for deletions was long enough ago
    _state_write(index_root(), state)
    caught_up = index_catch_up()

    assert caught_up is not None
    assert caught_up.commits == state.commits + 1
    index_reader_forget()
    assert rank("voicemail").ids == [kept.pk]


def test_an_index_built_by_another_version_is_rebuilt_and_not_used(
    make_article: MakeArticle, employee_client: APIClient
) -> None:
    article = make_article(title="Voicemail instellen")
    found(employee_client, "voicemail")
    state = state_read(index_root())
    assert state is not None
    state.schema -= 1
    _state_write(index_root(), state)

    assert state_read(index_root()) is None
    index_reader_forget()
    assert found(employee_client, "voicemail") == [article.slug]
    rebuilt = state_read(index_root())
    assert rebuilt is not None
    assert rebuilt.generation != state.generation


def test_the_first_search_builds_the_index_and_nothing_partial_counts_as_an_index(
    make_article: MakeArticle, employee_client: APIClient
) -> None:
    article = make_article(title="Voicemail instellen")
    root = index_root()
    (root / "g1").mkdir(parents=True)  # a build that never finished
    assert state_read(root) is None

    assert found(employee_client, "voicemail") == [article.slug]

    state = state_read(root)
    assert state is not None
    assert state.generation != "g1"
    assert index_ensure(root) is None  # complete: not built again


def test_rebuild_switches_searches_to_a_new_complete_generation(
    make_article: MakeArticle, employee_client: APIClient
) -> None:
    article = make_article(title="Voicemail instellen")
    assert found(employee_client, "voicemail") == [article.slug]
    before = state_read(index_root())

    call_command("search_index", "rebuild")

    after = state_read(index_root())
    assert before is not None
    assert after is not None
    assert after.generation != before.generation
    assert found(employee_client, "voicemail") == [article.slug]


def test_catching_up_without_changes_writes_nothing(
    make_article: MakeArticle, employee_client: APIClient
) -> None:
    make_article(title="Voicemail instellen")
    found(employee_client, "voicemail")
    first = index_catch_up()
    assert first is not None

    second = index_catch_up()

    assert second is not None
    assert second.commits == first.commits


def test_a_tie_wider_than_the_candidates_kept_still_fills_a_deep_page(
    make_article: MakeArticle, employee_client: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ranking, "CANDIDATE_MARGIN", 0)
    monkeypatch.setattr(ranking, "TIED_CANDIDATES_MAX", 10)  # below the page's end
    articles = [make_article(title="Voicemail instellen") for _ in range(45)]
    lowest = sorted(article.pk for article in articles)
    found(employee_client, "voicemail")

    page = rank("voicemail", highlight=False, offset=20)

    assert page.ids == lowest[20:31]


def test_an_edit_that_commits_late_with_an_earlier_time_is_still_indexed(
    make_article: MakeArticle, employee_client: APIClient
) -> None:
    """An edit's `updated_at` is taken when it saves, not when it commits: an edit whose
    transaction commits after a later one's, to an article already in the catch-up's
    window, changes neither the window's count nor its newest time."""
    edited = make_article(title="Voicemail instellen")
    make_article(title="Bundel op")  # the window's newest
    found(employee_client, "voicemail")
    assert index_catch_up() is not None

    Article.objects.filter(pk=edited.pk).update(
        title="Roaming in Turkije", updated_at=edited.updated_at + timedelta(microseconds=1)
    )
    assert index_catch_up() is not None
    index_reader_forget()

    assert rank("turkije").ids == [edited.pk]


def test_the_first_catch_up_after_a_build_does_not_index_again_what_the_build_read(
    make_article: MakeArticle,
) -> None:
    """Articles written just before a build (a bulk import, then `search_index rebuild`)
    lie in the catch-up's overlap window; the build tells it which versions it read."""
    for number in range(3):
        make_article(title=f"Voicemail instellen {number}")
    call_command("search_index", "rebuild")
    built = state_read(index_root())
    assert built is not None

    caught_up = index_catch_up()

    assert caught_up is not None
    assert caught_up.commits == built.commits  # nothing indexed again
    Article.objects.filter(title__endswith=" 1").update(
        title="Voicemail uitzetten", updated_at=timezone.now()
    )
    after_an_edit = index_catch_up()
    assert after_an_edit is not None
    assert after_an_edit.commits == built.commits + 1
    index_reader_forget()
    assert len(rank("uitzetten").ids) == 1


@pytest.mark.django_db(transaction=True)
def test_a_search_before_the_first_build_is_done_is_a_503_and_never_a_partial_answer(
    make_article: MakeArticle, employee_client: APIClient, settings: Any
) -> None:
    article = make_article(title="Voicemail instellen")
    settings.SEARCH_BUILD_WAIT_SECONDS = 1
    root = index_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # another worker of this host is building

        response = employee_client.get(URL, {"q": "voicemail"})

    assert response.status_code == 503
    assert response.json()["code"] == "search_index_building"
    deadline = time.monotonic() + 20
    while employee_client.get(URL, {"q": "voicemail"}).status_code == 503:
        assert time.monotonic() < deadline, "the background build never finished"
        time.sleep(0.2)
    assert found(employee_client, "voicemail") == [article.slug]


@pytest.mark.parametrize(("highlight", "marked"), [(True, True), (False, False)])
def test_ranking_highlights_only_when_asked(
    make_article: MakeArticle, highlight: bool, marked: bool
) -> None:
    article = make_article(title="Simkaart kwijt", summary="Blokkeer je simkaart meteen.")

    page = rank("simkaart", highlight=highlight)

    assert page.ids == [article.pk]
    assert (article.pk in page.highlights) is marked
    if marked:
        assert "<mark>" in page.highlights[article.pk]


def test_equally_relevant_articles_come_in_the_same_order_wherever_the_index_keeps_them(
    make_article: MakeArticle, employee_client: APIClient
) -> None:
    """Which of many equally scored documents the engine returns first depends on where
    they lie in the index, which differs between hosts, rebuilds and catch-ups; a page
    must not: ties go to the lower id, and the next page goes on where the first ended."""
    articles = [make_article(title="Voicemail instellen") for _ in range(60)]
    lowest = sorted(article.pk for article in articles)
    found(employee_client, "voicemail")  # builds the index, in id order
    # Edited articles are indexed again, behind the rest (a new segment).
    Article.objects.filter(pk__in=lowest[:20]).update(updated_at=timezone.now())
    assert index_catch_up() is not None
    index_reader_forget()

    first = rank("voicemail", highlight=False)
    second = rank("voicemail", highlight=False, offset=10)

    assert first.ids == lowest[:11]  # the page of 10, and the first of the next
    assert second.ids == lowest[10:21]  # the next page: nothing repeated, nothing skipped
