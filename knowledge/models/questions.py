"""Questions employees ask colleagues when search fails, and the answers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from knowledge.choices import ArticleLanguage, QuestionStatus
from knowledge.models.articles import Article


class Question(models.Model):
    """Asked by an employee when search fails; colleagues answer; an accepted answer can
    become an article draft."""

    asker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="questions"
    )
    language = models.CharField(max_length=2, choices=ArticleLanguage.choices)
    title = models.CharField(max_length=200)
    details = models.TextField(blank=True, max_length=4000)
    status = models.CharField(
        max_length=10, choices=QuestionStatus.choices, default=QuestionStatus.OPEN
    )
    article = models.OneToOneField(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="question"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "-created_at"], name="knowledge_question_status_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="answers"
    )
    body = models.TextField(max_length=4000)
    is_accepted = models.BooleanField(default=False)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["question"],
                condition=Q(is_accepted=True),
                name="knowledge_answer_one_accepted_per_question",
            ),
        ]

    def __str__(self) -> str:
        return f"Answer {self.pk} to question {self.question_id}"
