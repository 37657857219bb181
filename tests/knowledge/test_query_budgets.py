"""Every knowledge list and detail endpoint reads in a fixed number of queries: the same
count for a small and a large amount of data (page size, answers, revisions, notices)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from knowledge.models import Article, ArticleFeedback, Category
from knowledge.services.articles import article_verify
from tests.knowledge.test_questions import answer, ask

URL = "/api/v1/knowledge/"


def count_queries(django_assert_num_queries, expected: int, request: Callable[[], object]):
    with django_assert_num_queries(expected):
        response = request()
    assert response.status_code == 200, response.content
    return response.json()


def test_article_detail_costs_the_same_with_and_without_translation_and_feedback(
    make_article, employee, employee_client: APIClient, django_assert_num_queries
) -> None:
    alone = make_article(slug="alleen", title="Alleen")
    source = make_article(slug="bron", title="Bron")
    make_article(language="en", slug="source", title="Source", translation_of=source)
    ArticleFeedback.objects.create(article=source, employee=employee, helpful=True)

    # auth user with roles; the article with category, source, owner, translations and
    # own feedback
    for slug in (alone.slug, source.slug):
        count_queries(
            django_assert_num_queries, 2, lambda s=slug: employee_client.get(f"{URL}articles/{s}/")
        )


def test_revisions_list_costs_the_same_for_two_page_sizes(
    make_article, editor, editor_client: APIClient, django_assert_num_queries
) -> None:
    article = make_article(slug="vaak-bewerkt")
    for _ in range(6):
        article_verify(article=article, editor=editor, verified_until=None)

    # auth user with roles, the article, the page of revisions with editors
    for size in (2, 7):
        body = count_queries(
            django_assert_num_queries,
            3,
            lambda n=size: editor_client.get(
                f"{URL}articles/vaak-bewerkt/revisions/?page_size={n}"
            ),
        )
        assert len(body["results"]) == size


def _results_in_two_queries(client: APIClient, path: str, django_assert_num_queries) -> int:
    # auth user with roles, the list itself
    return len(count_queries(django_assert_num_queries, 2, lambda: client.get(path))["results"])


def test_notices_cost_the_same_for_one_and_three_notices(
    make_article, employee_client: APIClient, django_assert_num_queries
) -> None:
    now = timezone.now()
    window = {
        "notice_starts_at": now - timedelta(hours=1),
        "notice_ends_at": now + timedelta(hours=2),
    }
    make_article(title="Storing 1", **window)
    assert (
        _results_in_two_queries(employee_client, f"{URL}notices/", django_assert_num_queries) == 1
    )
    make_article(title="Storing 2", **window)
    make_article(title="Storing 3", **window)
    assert (
        _results_in_two_queries(employee_client, f"{URL}notices/", django_assert_num_queries) == 3
    )


def test_categories_cost_the_same_for_few_and_many(
    make_article, employee_client: APIClient, django_assert_num_queries
) -> None:
    make_article(title="Een")
    path = f"{URL}categories/"
    assert _results_in_two_queries(employee_client, path, django_assert_num_queries) == 1
    for n in range(4):
        Category.objects.create(slug=f"extra-{n}", name_nl=f"Extra {n}", name_en=f"Extra {n}")
    assert _results_in_two_queries(employee_client, path, django_assert_num_queries) == 5


def test_question_detail_costs_the_same_for_one_and_five_answers(
    employee_client: APIClient, other_client: APIClient, django_assert_num_queries
) -> None:
    few, many = ask(other_client, "Vraag een"), ask(other_client, "Vraag twee")
    answer(other_client, few["id"])
    for n in range(5):
        answer(other_client, many["id"], f"Antwoord {n}")

    for question, answers in ((few, 1), (many, 5)):
        # auth, question with asker and article, answers, suggested category
        body = count_queries(
            django_assert_num_queries,
            4,
            lambda q=question: employee_client.get(f"{URL}questions/{q['id']}/"),
        )
        assert len(body["answers"]) == answers


def test_insights_cost_the_same_for_little_and_much_data(
    make_article, editor_client: APIClient, employee_client: APIClient, django_assert_num_queries
) -> None:
    make_article(title="Een")
    # auth, six insight reads, friends' feedback on shared answers
    first = count_queries(
        django_assert_num_queries, 8, lambda: editor_client.get(f"{URL}insights/")
    )
    for n in range(5):
        make_article(title=f"Artikel {n}")
        employee_client.get(f"{URL}articles/", {"q": f"nergens{n}"})
    second = count_queries(
        django_assert_num_queries, 8, lambda: editor_client.get(f"{URL}insights/")
    )
    assert first != second
    assert Article.objects.count() == 6
