"""Ask colleagues: questions, answers, accepting, and turning one into an article draft."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from backend.accounts.models import Employee
from backend.accounts.roles import Role
from knowledge.models import Answer, Article, Question
from tests.concurrency import run_concurrently
from tests.conftest import login

URL = "/api/v1/knowledge/questions/"


def ask(client: APIClient, title: str = "Werkt eSIM in een iPad?") -> dict:
    response = client.post(URL, {"title": title, "details": "Voor een vriendin."})
    assert response.status_code == 201, response.content
    return response.json()


def answer(client: APIClient, question_id: int, body: str = "Ja, met een data-eSIM.") -> dict:
    response = client.post(f"{URL}{question_id}/answers/", {"body": body})
    assert response.status_code == 201, response.content
    return response.json()


def test_an_employee_asks_and_colleagues_answer(
    employee: Employee,
    employee_client: APIClient,
    other_client: APIClient,
    other_employee: Employee,
) -> None:
    question = ask(employee_client)

    given = answer(other_client, question["id"])
    detail = employee_client.get(f"{URL}{question['id']}/").json()
    listing = other_client.get(URL).json()["results"]

    assert question["status"] == "open"
    assert question["language"] == employee.language
    assert question["asker"] == {"id": employee.pk, "display_name": employee.display_name}
    assert given["author"]["id"] == other_employee.pk
    assert [a["body"] for a in detail["answers"]] == ["Ja, met een data-eSIM."]
    assert detail["answer_count"] == 1
    assert [(q["id"], q["answer_count"]) for q in listing] == [(question["id"], 1)]


def test_asking_refuses_fields_an_employee_may_not_set(
    employee: Employee, employee_client: APIClient, other_employee: Employee
) -> None:
    response = employee_client.post(
        URL, {"title": "Vraag", "status": "published", "asker": other_employee.pk}
    )

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"asker", "status"}
    assert not Question.objects.exists()


def test_bad_questions_and_answers_are_refused(employee_client: APIClient, db: None) -> None:
    empty = employee_client.post(URL, {"title": ""})
    too_long = employee_client.post(URL, {"title": "x" * 201})
    question = ask(employee_client)
    blank_answer = employee_client.post(f"{URL}{question['id']}/answers/", {"body": " "})
    missing = employee_client.post(f"{URL}999999/answers/", {"body": "Hallo"})

    assert [empty.status_code, too_long.status_code, blank_answer.status_code] == [400] * 3
    assert missing.status_code == 404
    assert Question.objects.count() == 1
    assert Answer.objects.count() == 0


def test_the_asker_accepts_an_answer_and_a_new_choice_replaces_it(
    employee_client: APIClient, other_client: APIClient
) -> None:
    question = ask(employee_client)
    first = answer(other_client, question["id"], "Eerste")
    second = answer(other_client, question["id"], "Tweede")

    accepted_first = employee_client.post(f"/api/v1/knowledge/answers/{first['id']}/accept/")
    accepted_second = employee_client.post(f"/api/v1/knowledge/answers/{second['id']}/accept/")

    assert accepted_first.status_code == accepted_second.status_code == 200
    assert list(Answer.objects.filter(is_accepted=True).values_list("body", flat=True)) == [
        "Tweede"
    ]
    assert Question.objects.get().status == "answered"


def test_only_the_asker_or_an_editor_may_accept(
    employee_client: APIClient, other_client: APIClient, editor_client: APIClient
) -> None:
    question = ask(employee_client)
    given = answer(other_client, question["id"])

    by_other = other_client.post(f"/api/v1/knowledge/answers/{given['id']}/accept/")
    assert by_other.status_code == 403
    assert not Answer.objects.filter(is_accepted=True).exists()

    by_editor = editor_client.post(f"/api/v1/knowledge/answers/{given['id']}/accept/")
    assert by_editor.status_code == 200
    assert Answer.objects.get().is_accepted is True


def test_an_editor_turns_the_accepted_answer_into_a_draft(
    editor: Employee, employee_client: APIClient, other_client: APIClient, editor_client: APIClient
) -> None:
    question = ask(employee_client, "Werkt eSIM in een iPad?")
    given = answer(other_client, question["id"], "Ja.\n\nVraag een data-eSIM aan in de app.")
    employee_client.post(f"/api/v1/knowledge/answers/{given['id']}/accept/")

    response = editor_client.post(f"{URL}{question['id']}/publish/")
    again = editor_client.post(f"{URL}{question['id']}/publish/")
    late_answer = other_client.post(f"{URL}{question['id']}/answers/", {"body": "Nog iets"})

    assert response.status_code == 201, response.content
    article = response.json()
    assert article["status"] == "draft"
    assert article["title"] == "Werkt eSIM in een iPad?"
    assert article["summary"] == "Ja."
    assert article["friend_text"] == "Ja.\n\nVraag een data-eSIM aan in de app."
    assert "Voor een vriendin." in article["body"]
    assert article["owner"]["id"] == editor.pk
    assert again.status_code == 409
    assert again.json()["code"] == "already_published"
    assert late_answer.status_code == 409
    stored = Question.objects.select_related("article").get()
    assert (stored.status, stored.article.slug) == ("published", article["slug"])
    assert Article.objects.count() == 1
    assert employee_client.get(URL).json()["results"][0]["article"]["slug"] == article["slug"]


def test_publishing_needs_an_accepted_answer_and_an_editor(
    employee_client: APIClient, other_client: APIClient, editor_client: APIClient
) -> None:
    question = ask(employee_client)
    answer(other_client, question["id"])

    by_employee = employee_client.post(f"{URL}{question['id']}/publish/")
    without_accepted = editor_client.post(f"{URL}{question['id']}/publish/")

    assert by_employee.status_code == 403
    assert without_accepted.status_code == 409
    assert without_accepted.json()["code"] == "no_accepted_answer"
    assert Article.objects.count() == 0


def test_questions_filter_by_status_and_own(
    employee_client: APIClient, other_client: APIClient
) -> None:
    mine = ask(employee_client, "Mijn vraag")
    theirs = ask(other_client, "Hun vraag")
    given = answer(employee_client, theirs["id"])
    other_client.post(f"/api/v1/knowledge/answers/{given['id']}/accept/")

    own = employee_client.get(URL, {"mine": "true"}).json()["results"]
    open_ones = employee_client.get(URL, {"status": "open"}).json()["results"]
    bad = employee_client.get(URL, {"status": "weird"})

    assert [q["id"] for q in own] == [mine["id"]]
    assert [q["id"] for q in open_ones] == [mine["id"]]
    assert bad.status_code == 400


def test_question_list_uses_a_fixed_number_of_queries(
    employee_client: APIClient, other_client: APIClient, django_assert_num_queries
) -> None:
    for index in range(12):
        question = ask(other_client, f"Vraag {index}")
        answer(other_client, question["id"])

    for size in (3, 10):
        with django_assert_num_queries(2):
            response = employee_client.get(URL, {"page_size": size})
        assert len(response.json()["results"]) == size


@pytest.mark.django_db(transaction=True)
def test_concurrent_acceptances_leave_one_accepted_answer(
    make_employee: Callable[..., Employee],
) -> None:
    asker = make_employee()
    editor = make_employee(roles=(Role.EDITOR,))
    question = Question.objects.create(asker=asker, title="Vraag", language="nl")
    answers = [
        Answer.objects.create(question=question, author=editor, body=f"A{i}") for i in range(2)
    ]
    clients = [login(asker), login(editor)]

    responses = run_concurrently(
        lambda i: clients[i].post(f"/api/v1/knowledge/answers/{answers[i].pk}/accept/"), 2
    )

    assert [r.status_code for r in responses] == [200, 200]
    assert Answer.objects.filter(question=question, is_accepted=True).count() == 1
