"""Writes for questions to colleagues and their answers."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from backend.accounts.models import Employee
from backend.accounts.roles import Role
from backend.api.errors import Conflict, Forbidden
from knowledge.models import Answer, Article, Category, Question, QuestionStatus
from knowledge.selectors.category_suggestion import question_suggested_category
from knowledge.services.announce import answer_accepted_announce, question_answered_announce
from knowledge.services.articles import article_create


def question_ask(*, asker: Employee, title: str, details: str = "", language: str) -> Question:
    return Question.objects.create(
        asker=asker, title=title.strip(), details=details.strip(), language=language
    )


@transaction.atomic
def answer_post(*, question: Question, author: Employee, body: str) -> Answer:
    if question.status == QuestionStatus.PUBLISHED:
        raise Conflict(
            "This question has become an article; it takes no more answers.",
            code="question_published",
        )
    answer = Answer.objects.create(question=question, author=author, body=body.strip())
    question_answered_announce(question=question, answer=answer)
    return answer


@transaction.atomic
def answer_accept(*, answer: Answer, actor: Employee) -> Answer:
    """The asker or an editor accepts an answer; a previously accepted one is released.

    Holds a FOR UPDATE lock on the question, so two concurrent acceptances end with one
    accepted answer (a partial unique index guarantees it as well).
    """
    question = Question.objects.select_for_update().get(pk=answer.question_id)
    if question.asker_id != actor.pk and not actor.has_role(Role.EDITOR):
        raise Forbidden("Only the person who asked, or an editor, may accept an answer.")
    if question.status == QuestionStatus.PUBLISHED:
        raise Conflict(
            "This question has become an article; its accepted answer is fixed.",
            code="question_published",
        )
    answer = Answer.objects.select_for_update().get(pk=answer.pk)
    if answer.is_accepted:
        return answer
    Answer.objects.filter(question=question, is_accepted=True).update(
        is_accepted=False, accepted_by=None
    )
    answer.is_accepted = True
    answer.accepted_by = actor
    answer.save(update_fields=["is_accepted", "accepted_by"])
    answer_accepted_announce(question=question, answer=answer, actor=actor)
    if question.status != QuestionStatus.ANSWERED:
        question.status = QuestionStatus.ANSWERED
        question.save(update_fields=["status", "updated_at"])
    return answer


def _first_paragraph(text: str, limit: int) -> str:
    paragraph = text.strip().split("\n\n", 1)[0].replace("\n", " ").strip()
    return paragraph if len(paragraph) <= limit else paragraph[: limit - 1].rsplit(" ", 1)[0] + "…"


# The draft speaks the question's language, labels included.
ANSWER_BY = {"nl": "Antwoord van {author}", "en": "Answer by {author}"}
A_COLLEAGUE = {"nl": "een collega", "en": "a colleague"}


@transaction.atomic
def question_publish(
    *, question: Question, editor: Employee, category: Category | None = None
) -> Article:
    """Turns a question with an accepted answer into an article draft, prefilled from both,
    in the question's language and owned by the editor, on the shelf the editor chose
    (`category`), else the suggested one. Holds a FOR UPDATE lock on the question; a
    second call is a 409."""
    locked = Question.objects.select_for_update().get(pk=question.pk)
    if locked.status == QuestionStatus.PUBLISHED or locked.article_id is not None:
        raise Conflict("This question has already become an article.", code="already_published")
    accepted = (
        Answer.objects.filter(question=locked, is_accepted=True).select_related("author").first()
    )
    if accepted is None:
        raise Conflict("Accept an answer before publishing.", code="no_accepted_answer")
    details = f"{locked.details}\n\n" if locked.details else ""
    language = locked.language
    author = accepted.author.display_name if accepted.author else A_COLLEAGUE[language]
    label = ANSWER_BY[language].format(author=author)
    article = article_create(
        editor=editor,
        language=language,
        title=locked.title[:200],
        summary=_first_paragraph(accepted.body, 500),
        friend_text=accepted.body,
        body=f"{details}**{label}:**\n\n{accepted.body}",
        category=category or question_suggested_category(question=locked),
    )
    locked.article = article
    locked.status = QuestionStatus.PUBLISHED
    try:
        locked.save(update_fields=["article", "status", "updated_at"])
    except IntegrityError:
        raise Conflict(
            "This question has already become an article.", code="already_published"
        ) from None
    return article
