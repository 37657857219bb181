"""Admin screens for what employees leave behind: feedback, searches, questions. Read-only
except questions, which editors tidy."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from knowledge.models import Answer, ArticleFeedback, Question, SearchLog


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(_ReadOnlyAdmin):
    list_display = ("article", "helpful", "reason", "comment", "updated_at")
    list_filter = ("helpful", "reason", "article__language")
    search_fields = ("article__title", "article__slug", "comment")
    list_select_related = ("article",)


class ZeroResultFilter(admin.SimpleListFilter):
    title = "results"
    parameter_name = "results"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("none", "No results"), ("some", "Some results")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[SearchLog]) -> QuerySet[SearchLog]:
        if self.value() == "none":
            return queryset.filter(result_count=0)
        if self.value() == "some":
            return queryset.filter(result_count__gt=0)
        return queryset


@admin.register(SearchLog)
class SearchLogAdmin(_ReadOnlyAdmin):
    list_display = ("query", "language", "result_count", "clicked_article", "created_at")
    list_filter = (ZeroResultFilter, "language")
    search_fields = ("normalized_query",)
    list_select_related = ("clicked_article",)
    date_hierarchy = "created_at"
    # Who searched for what is not the editors' business; they see the queries only.
    exclude = ("employee",)


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ("author", "body", "is_accepted", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("title", "language", "status", "asker", "created_at")
    list_filter = ("status", "language")
    search_fields = ("title", "details")
    list_select_related = ("asker",)
    readonly_fields = ("asker", "article", "created_at", "updated_at")
    fields = ("title", "details", "language", "status", "asker", "article", "created_at")
    inlines = [AnswerInline]
