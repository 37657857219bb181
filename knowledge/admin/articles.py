"""Admin screens for articles and categories. Writes go through the services, so an edit
in the admin is stored as a revision exactly like one through the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from backend.accounts.models import Employee
from backend.api.errors import DomainError
from knowledge.models import Article, ArticleRevision, Category
from knowledge.selectors.articles import stale_on
from knowledge.services import article_checks
from knowledge.services import articles as services
from knowledge.services.article_revisions import EDITABLE_FIELDS


def _editor(request: HttpRequest) -> Employee:
    """Only signed-in staff reach the admin, so the user is an employee."""
    if not isinstance(request.user, Employee):
        raise PermissionDenied
    return request.user


def _as_validation_error(exc: DomainError) -> ValidationError:
    if exc.fields:
        return ValidationError(
            {name: [error["message"] for error in errors] for name, errors in exc.fields.items()}
        )
    return ValidationError(exc.message)


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = (
            "slug",
            "language",
            "title",
            "owner",
            "summary",
            "friend_text",
            "body",
            "category",
            "tags",
            "verified_until",
            "notice_starts_at",
            "notice_ends_at",
            "translation_source",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            if "tags" in cleaned:
                tags = cleaned["tags"] or []
                if not isinstance(tags, list):
                    raise ValidationError({"tags": 'A list of tags, e.g. ["esim", "roaming"].'})
                cleaned["tags"] = article_checks.tags_normalize(tags)
            article_checks.notice_window_validate(
                cleaned.get("notice_starts_at"), cleaned.get("notice_ends_at")
            )
        except DomainError as exc:
            raise _as_validation_error(exc) from None
        return cleaned


class StaleFilter(admin.SimpleListFilter):
    title = "verification"
    parameter_name = "stale"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Stale (expired or never verified)"), ("no", "Verified")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.filter(stale_on(today))
        if self.value() == "no":
            return queryset.exclude(stale_on(today))
        return queryset


class NoticeFilter(admin.SimpleListFilter):
    title = "outage notice"
    parameter_name = "notice"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("active", "Active now"), ("any", "Has a notice window")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Article]) -> QuerySet[Article]:
        now = timezone.now()
        if self.value() == "active":
            return queryset.filter(notice_starts_at__lte=now, notice_ends_at__gt=now)
        if self.value() == "any":
            return queryset.filter(notice_starts_at__isnull=False)
        return queryset


class ArticleRevisionInline(admin.TabularInline):
    model = ArticleRevision
    extra = 0
    fields = ("number", "action", "editor", "created_at", "changed_fields")
    readonly_fields = fields
    ordering = ("-number",)
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleAdminForm
    list_display = (
        "title",
        "language",
        "category",
        "status",
        "verified_until",
        "is_stale",
        "owner",
        "updated_at",
    )
    list_filter = ("status", "language", "category", StaleFilter, NoticeFilter)
    search_fields = ("title", "slug", "summary")
    list_select_related = ("category", "owner")
    autocomplete_fields = ("translation_source",)
    raw_id_fields = ("owner",)
    inlines = [ArticleRevisionInline]
    actions = ["publish_selected", "archive_selected", "verify_selected"]
    readonly_fields = (
        "status",
        "revision",
        "content_revision",
        "translation_source_revision",
        "verified_at",
        "published_at",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("slug", "language", "title", "status", "owner")}),
        ("Content", {"fields": ("summary", "friend_text", "body", "category", "tags")}),
        ("Trust", {"fields": ("verified_at", "verified_until")}),
        ("Outage notice", {"fields": ("notice_starts_at", "notice_ends_at")}),
        (
            "Translation",
            {"fields": ("translation_source", "translation_source_revision")},
        ),
        (
            "History",
            {
                "fields": (
                    "revision",
                    "content_revision",
                    "published_at",
                    "created_at",
                    "updated_at",
                )
            },
        ),
    )

    @admin.display(boolean=True, description="stale")
    def is_stale(self, article: Article) -> bool:
        return article.stale

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return self.readonly_fields
        # Slug, language and translation link are fixed once created: shares and
        # translations refer to them.
        return (*self.readonly_fields, "slug", "language", "translation_source")

    def save_model(self, request: HttpRequest, obj: Article, form: Any, change: bool) -> None:
        data = form.cleaned_data
        try:
            if not change:
                created = services.article_create(
                    editor=_editor(request),
                    slug=data.get("slug") or None,
                    language=data["language"],
                    title=data["title"],
                    summary=data.get("summary", ""),
                    friend_text=data.get("friend_text", ""),
                    body=data.get("body", ""),
                    category=data.get("category"),
                    tags=data.get("tags") or [],
                    translation_of=data.get("translation_source"),
                    verified_until=data.get("verified_until"),
                    notice_starts_at=data.get("notice_starts_at"),
                    notice_ends_at=data.get("notice_ends_at"),
                )
                obj.pk, obj.slug = created.pk, created.slug
                return
            editable = {name: data[name] for name in form.changed_data if name in EDITABLE_FIELDS}
            services.article_update(
                article=obj,
                editor=_editor(request),
                data=editable,
                expected_revision=None,
            )
            if "owner" in form.changed_data:
                Article.objects.filter(pk=obj.pk).update(owner=data.get("owner"))
        except DomainError as exc:
            # Re-raised as a message: the form already checked what it could.
            self.message_user(request, exc.message, messages.ERROR)

    def _apply(
        self, request: HttpRequest, queryset: QuerySet[Article], action: Any, label: str
    ) -> None:
        done, failed = 0, []
        for article in queryset.order_by("pk"):
            try:
                action(article=article, editor=_editor(request))
                done += 1
            except DomainError as exc:
                failed.append(f"{article.slug}: {exc.message}")
        if done:
            self.message_user(request, f"{done} article(s) {label}.", messages.SUCCESS)
        for failure in failed:
            self.message_user(request, failure, messages.ERROR)

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._apply(request, queryset, services.article_publish, "published")

    @admin.action(description="Archive selected articles", permissions=["change"])
    def archive_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._apply(request, queryset, services.article_archive, "archived")

    @admin.action(
        description="Verify selected articles (for the default period)", permissions=["change"]
    )
    def verify_selected(self, request: HttpRequest, queryset: QuerySet[Article]) -> None:
        self._apply(request, queryset, services.article_verify, "verified")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name_en", "name_nl", "slug", "position")
    search_fields = ("name_en", "name_nl", "slug")
    prepopulated_fields = {"slug": ("name_en",)}
    ordering = ("position", "slug")

    # A slug is a category's identity: clients filter by it and the search index stores
    # it with every article, so it is set once and never renamed.
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("slug",) if obj is not None else ()

    def get_prepopulated_fields(self, request: HttpRequest, obj: Any = None) -> dict[str, Any]:
        return {} if obj is not None else dict(self.prepopulated_fields)
