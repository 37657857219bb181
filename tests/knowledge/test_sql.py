"""Each written-out statement of knowledge/sql.py reads what it promises, with the same
Python types the ORM would give (aware date-times, dates, lists), and nothing else."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connection
from django.utils import timezone

from backend.accounts.models import Employee
from knowledge.models import Article, ArticleFeedback, SearchLog
from knowledge.records import ArticleVersion, CategoryRef, FeedbackState, PersonRef
from knowledge.services.articles import article_update
from knowledge.sql import article_cards_fetch, article_detail_fetch, search_log_insert


def test_detail_reads_the_article_its_versions_and_only_the_readers_feedback(
    make_article, editor: Employee, employee: Employee, other_employee: Employee
) -> None:
    source = make_article(language="en", slug="source", title="Source", tags=["esim"])
    translation = make_article(slug="vertaling", title="Vertaling", translation_of=source)
    article_update(article=source, editor=editor, data={"title": "Edited"}, expected_revision=None)
    ArticleFeedback.objects.create(
        article=translation, employee=employee, helpful=False, reason="unclear", comment="Vaag"
    )
    ArticleFeedback.objects.create(article=translation, employee=other_employee, helpful=True)

    detail = article_detail_fetch(slug="vertaling", reader_id=employee.pk)

    assert detail is not None
    stored = Article.objects.get(pk=translation.pk)
    assert (detail.id, detail.title, detail.body, detail.revision) == (
        stored.pk,
        "Vertaling",
        stored.body,
        stored.revision,
    )
    assert detail.category == CategoryRef(slug="plans", name_nl="Abonnementen", name_en="Plans")
    assert detail.owner == PersonRef(id=editor.pk, display_name=editor.display_name)
    assert detail.my_feedback == FeedbackState(helpful=False, reason="unclear", comment="Vaag")
    assert (detail.translation_of, detail.translation_outdated) == ("source", True)
    assert detail.translations == (
        ArticleVersion(
            slug="source",
            language="en",
            title="Edited",
            status="published",
            translation_outdated=False,
        ),
    )
    assert isinstance(detail.updated_at, datetime)
    assert detail.updated_at.tzinfo is not None
    assert detail.updated_at == stored.updated_at
    assert isinstance(detail.verified_until, date)
    assert detail.tags == ()


def test_detail_of_an_unknown_slug_is_none_and_a_lone_article_has_no_versions(
    make_article, employee: Employee
) -> None:
    make_article(slug="alleen", tags=["esim", "roaming"])

    assert article_detail_fetch(slug="nergens", reader_id=employee.pk) is None
    alone = article_detail_fetch(slug="alleen", reader_id=employee.pk)
    assert alone is not None
    assert (alone.translations, alone.my_feedback, alone.translation_of) == ((), None, None)
    assert alone.tags == ("esim", "roaming")


def test_cards_are_read_by_id_for_one_status_only(make_article) -> None:
    published = make_article(slug="gepubliceerd", title="Gepubliceerd")
    draft = make_article(slug="concept", title="Concept", status="draft")

    cards = article_cards_fetch(ids=[draft.pk, published.pk, 999_999], status="published")

    assert (list(cards.by_id), cards.notices) == ([published.pk], [])
    card = cards.by_id[published.pk]
    assert (card.slug, card.title, card.status, card.highlight) == (
        "gepubliceerd",
        "Gepubliceerd",
        "published",
        None,
    )
    assert card.category == CategoryRef(slug="plans", name_nl="Abonnementen", name_en="Plans")
    assert article_cards_fetch(ids=[], status="published").by_id == {}


def test_notice_cards_are_the_published_windows_that_hold_now_with_their_group(
    make_article,
) -> None:
    now = timezone.now()
    active = make_article(
        slug="storing",
        notice_starts_at=now - timedelta(hours=1),
        notice_ends_at=now + timedelta(hours=1),
    )
    make_article(
        slug="voorbij",
        notice_starts_at=now - timedelta(days=2),
        notice_ends_at=now - timedelta(days=1),
    )
    make_article(
        slug="concept-storing",
        status="draft",
        notice_starts_at=now - timedelta(hours=1),
        notice_ends_at=now + timedelta(hours=1),
    )
    ordinary = make_article(slug="gewoon")

    cards = article_cards_fetch(ids=[ordinary.pk], status="published", with_notices=True)

    assert list(cards.by_id) == [ordinary.pk]
    assert [(card.slug, group) for card, group in cards.notices] == [
        ("storing", Article.objects.get(pk=active.pk).translation_group)
    ]
    found = cards.notices
    notice = found[0][0].notice
    assert notice is not None
    assert (notice.active, notice.ends_at > now) == (True, True)


def test_a_page_of_any_size_with_its_notices_is_one_prepared_statement(make_article) -> None:
    articles = [make_article(slug=f"pagina-{number}") for number in range(4)]
    make_article(
        slug="komende-storing",
        notice_starts_at=timezone.now() + timedelta(hours=1),
        notice_ends_at=timezone.now() + timedelta(hours=2),
    )

    for size in [1, 2, 3, 4] * 2:  # psycopg prepares a statement from its fifth run
        ids = [article.pk for article in articles[:size]]
        cards = article_cards_fetch(ids=ids, status="published", with_notices=True)
        assert (sorted(cards.by_id), cards.notices) == (sorted(ids), [])

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT parameter_types FROM pg_prepared_statements WHERE statement LIKE %s",
            ["%FROM knowledge_article AS a%notice_ends_at%"],
        )
        prepared = cursor.fetchall()
    # One text for every page size, and no time among its parameters: PostgreSQL may plan
    # it once (on the benchmark's data it does: bench/RESULTS.md, session five).
    assert len(prepared) == 1, prepared
    assert "timestamp" not in str(prepared[0][0])


def test_a_search_is_logged_as_the_orm_reads_it(employee: Employee) -> None:
    before = timezone.now()

    search_id = search_log_insert(
        employee_id=employee.pk,
        query="Simkaart kwijt",
        normalized_query="simkaart kwijt",
        language="nl",
        result_count=3,
    )

    logged = SearchLog.objects.get(pk=search_id)
    assert (logged.employee_id, logged.query, logged.normalized_query) == (
        employee.pk,
        "Simkaart kwijt",
        "simkaart kwijt",
    )
    assert (logged.language, logged.result_count) == ("nl", 3)
    assert (logged.clicked_article_id, logged.clicked_at) == (None, None)
    assert before <= logged.created_at <= timezone.now()
