"""A question turned into an article speaks the question's language and lands on a shelf:
the suggested category, or the one the editor chose."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from backend.accounts.models import Employee
from knowledge.models import Article, Category, Question
from tests.knowledge.test_questions import URL

ANSWER = "Ja, binnen de EU bel je zonder extra kosten."


@pytest.fixture
def roaming(db: None) -> Category:
    return Category.objects.create(slug="roaming", name_nl="Buitenland", name_en="Abroad")


@pytest.fixture
def shelves(make_article: Callable[..., Article], roaming: Category) -> None:
    """Two answers about calling abroad (roaming), one about plans (the default shelf)."""
    make_article(
        title="Bellen in het buitenland", summary="Roaming binnen de EU.", category=roaming
    )
    make_article(
        title="Buitenland bundel", summary="Extra bellen in het buitenland.", category=roaming
    )
    make_article(title="Sim-only abonnement", summary="Een abonnement zonder toestel.")


def answered(asker: APIClient, colleague: APIClient, *, title: str, language: str) -> int:
    question = asker.post(URL, {"title": title, "language": language}).json()
    given = colleague.post(f"{URL}{question['id']}/answers/", {"body": ANSWER}).json()
    assert asker.post(f"/api/v1/knowledge/answers/{given['id']}/accept/").status_code == 200
    return question["id"]


@pytest.mark.parametrize(
    ("language", "label"),
    [("nl", "**Antwoord van {name}:**"), ("en", "**Answer by {name}:**")],
)
def test_the_drafts_labels_speak_the_questions_language(
    employee_client: APIClient,
    other_client: APIClient,
    other_employee: Employee,
    editor_client: APIClient,
    language: str,
    label: str,
) -> None:
    question_id = answered(
        employee_client, other_client, title="Bellen in Spanje?", language=language
    )

    response = editor_client.post(f"{URL}{question_id}/publish/")

    assert response.status_code == 201
    article = Article.objects.get(slug=response.json()["slug"])
    assert article.language == language
    assert article.body == f"{label.format(name=other_employee.display_name)}\n\n{ANSWER}"
    other = "Answer by" if language == "nl" else "Antwoord van"
    assert other not in article.body


@pytest.fixture
def roaming_question(shelves: None, employee_client: APIClient, other_client: APIClient) -> int:
    return answered(
        employee_client, other_client, title="Wat kost bellen in het buitenland?", language="nl"
    )


def test_the_question_shows_a_suggested_category_and_publishing_uses_it(
    roaming_question: int, employee_client: APIClient, editor_client: APIClient
) -> None:
    question_id = roaming_question

    detail = employee_client.get(f"{URL}{question_id}/").json()
    response = editor_client.post(f"{URL}{question_id}/publish/")

    assert detail["suggested_category"] == {"slug": "roaming", "name": "Buitenland"}
    assert response.status_code == 201
    assert Article.objects.get(slug=response.json()["slug"]).category.slug == "roaming"


def test_the_editor_assigns_another_category_before_publishing(
    roaming_question: int, editor_client: APIClient
) -> None:
    question_id = roaming_question

    response = editor_client.post(f"{URL}{question_id}/publish/", {"category": "plans"})

    assert response.status_code == 201
    assert Article.objects.get(slug=response.json()["slug"]).category.slug == "plans"


def test_no_match_suggests_nothing_and_an_unknown_category_writes_nothing(
    employee_client: APIClient, other_client: APIClient, editor_client: APIClient
) -> None:
    question_id = answered(employee_client, other_client, title="Xyzzy?", language="en")

    detail = employee_client.get(f"{URL}{question_id}/").json()
    unknown = editor_client.post(f"{URL}{question_id}/publish/", {"category": "nope"})

    assert detail["suggested_category"] is None
    assert unknown.status_code == 404  # as for articles: an unknown slug names nothing
    assert unknown.json()["fields"]["category"][0]["code"] == "does_not_exist"
    assert not Article.objects.exists()
    assert Question.objects.get().status == "answered"
