"""Reads for questions and answers. Every employee sees every question: colleagues answer."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from backend.api.errors import NotFound
from knowledge.models import Answer, Question


def questions_list(*, status: str | None = None, asker_id: int | None = None) -> QuerySet[Question]:
    queryset = Question.objects.select_related("asker", "article").annotate(
        answer_count=Count("answers")
    )
    if status:
        queryset = queryset.filter(status=status)
    if asker_id is not None:
        queryset = queryset.filter(asker_id=asker_id)
    return queryset


def question_get(*, question_id: int) -> Question:
    question = (
        Question.objects.select_related("asker", "article")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("author", "accepted_by"))
        )
        .filter(pk=question_id)
        .first()
    )
    if question is None:
        raise NotFound("No question with this id.")
    return question


def question_get_plain(*, question_id: int) -> Question:
    question = Question.objects.filter(pk=question_id).first()
    if question is None:
        raise NotFound("No question with this id.")
    return question


def answer_get(*, answer_id: int) -> Answer:
    answer = Answer.objects.filter(pk=answer_id).first()
    if answer is None:
        raise NotFound("No answer with this id.")
    return answer
