"""Editors' insights, categories and the admin screens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.models import Employee
from knowledge.models import Article, ArticleFeedback, ArticleRevision, Question, SearchLog
from knowledge.services.feedback import article_feedback_set
from tests.accounts.test_demo_and_admin import admin_client
from tests.knowledge.conftest import make_stale

MakeArticle = Callable[..., Article]


def test_insights_show_where_the_knowledge_base_fails(
    make_article: MakeArticle,
    make_employee: Callable[..., Employee],
    employee: Employee,
    editor_client: APIClient,
) -> None:
    for query in ("iPad eSIM", "ipad esim", "glasvezel buitengebied"):
        SearchLog.objects.create(
            employee=employee, query=query, normalized_query=query.lower(), result_count=0
        )
    SearchLog.objects.create(
        employee=employee, query="roaming", normalized_query="roaming", result_count=3
    )
    old = SearchLog.objects.create(
        employee=employee, query="oud", normalized_query="oud", result_count=0
    )
    SearchLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    stale = make_article(title="Verlopen tarief")
    make_stale(stale, days_ago=3)
    unhelpful = make_article(title="Onduidelijk")
    helpful = make_article(title="Duidelijk")
    voters = [make_employee() for _ in range(3)]
    for index, voter in enumerate(voters):
        article_feedback_set(article=unhelpful, employee=voter, helpful=index == 0)
        article_feedback_set(article=helpful, employee=voter, helpful=index != 0)
    Question.objects.create(asker=employee, title="Open vraag", language="nl")

    body = editor_client.get("/api/v1/knowledge/insights/").json()

    assert (body["searches"], body["zero_result_searches"], body["opened_searches"]) == (4, 3, 0)
    assert [(q["query"], q["count"]) for q in body["zero_result_queries"]] == [
        ("ipad esim", 2),
        ("glasvezel buitengebied", 1),
    ]
    assert [a["slug"] for a in body["stale_articles"]] == [stale.slug]
    assert [
        (a["slug"], a["helpful"], a["not_helpful"]) for a in body["least_helpful_articles"]
    ] == [
        (unhelpful.slug, 1, 2),
        (helpful.slug, 2, 1),
    ]
    assert body["open_question_count"] == 1
    assert body["open_questions"][0]["title"] == "Open vraag"


def test_insights_are_for_editors_and_validate_parameters(
    employee_client: APIClient, editor_client: APIClient, db: None
) -> None:
    assert employee_client.get("/api/v1/knowledge/insights/").status_code == 403
    bad = editor_client.get("/api/v1/knowledge/insights/", {"days": 0, "lang": "fr"})
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"days", "lang"}


def test_categories_list_published_counts_per_language(
    make_article: MakeArticle, employee_client: APIClient, django_assert_num_queries
) -> None:
    make_article(title="Een")
    make_article(title="Twee", status="draft")
    make_article(title="One", language="en")

    with django_assert_num_queries(2):
        response = employee_client.get("/api/v1/knowledge/categories/")

    assert response.json()["results"] == [
        {
            "slug": "plans",
            "name_nl": "Abonnementen",
            "name_en": "Plans",
            "article_count_nl": 1,
            "article_count_en": 1,
        }
    ]


def test_editors_work_on_articles_in_the_admin(editor: Employee, make_article: MakeArticle) -> None:
    article = make_article(title="Roaming in de EU")
    client = admin_client(editor)

    listing = client.get("/admin/knowledge/article/?q=roaming&stale=no&status__exact=published")
    change = client.get(f"/admin/knowledge/article/{article.pk}/change/")

    assert listing.status_code == 200
    assert "Roaming in de EU" in listing.content.decode()
    assert change.status_code == 200
    assert "Revisions" in change.content.decode() or "revisions" in change.content.decode()


def test_an_admin_edit_is_stored_as_a_revision(editor: Employee, make_article: MakeArticle) -> None:
    article = make_article(title="Oud", tags=["esim"])
    client = admin_client(editor)

    response = client.post(
        f"/admin/knowledge/article/{article.pk}/change/",
        {
            "title": "Nieuw",
            "owner": editor.pk,
            "summary": article.summary,
            "friend_text": article.friend_text,
            "body": article.body,
            "category": article.category_id,
            "tags": '["ESIM", "roaming"]',
            "verified_until": str(article.verified_until),
            "notice_starts_at_0": "",
            "notice_starts_at_1": "",
            "notice_ends_at_0": "",
            "notice_ends_at_1": "",
            "revisions-TOTAL_FORMS": "0",
            "revisions-INITIAL_FORMS": "0",
            "revisions-MIN_NUM_FORMS": "0",
            "revisions-MAX_NUM_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    article.refresh_from_db()
    assert (article.title, article.tags) == ("Nieuw", ["esim", "roaming"])
    latest = ArticleRevision.objects.filter(article=article).first()
    assert (latest.action, latest.editor) == ("edit", editor)
    assert set(latest.changes) == {"title", "tags"}


def test_admin_actions_publish_archive_and_verify(
    editor: Employee, make_article: MakeArticle
) -> None:
    draft = make_article(title="Concept", status="draft")
    stale = make_article(title="Verlopen")
    make_stale(stale)
    client = admin_client(editor)

    for action, pk in (("publish_selected", draft.pk), ("verify_selected", stale.pk)):
        response = client.post(
            "/admin/knowledge/article/", {"action": action, "_selected_action": [pk]}
        )
        assert response.status_code == 302
    client.post(
        "/admin/knowledge/article/", {"action": "archive_selected", "_selected_action": [draft.pk]}
    )

    draft.refresh_from_db()
    stale.refresh_from_db()
    assert draft.status == "archived"
    assert stale.stale is False
    assert list(draft.revisions.values_list("action", flat=True)) == [
        "archive",
        "publish",
        "create",
    ]


def test_editors_see_feedback_and_search_log_read_only(
    editor: Employee, employee: Employee, make_article: MakeArticle
) -> None:
    article = make_article()
    ArticleFeedback.objects.create(article=article, employee=employee, helpful=False)
    SearchLog.objects.create(employee=employee, query="x", normalized_query="x", result_count=0)
    client = admin_client(editor)

    assert client.get("/admin/knowledge/articlefeedback/").status_code == 200
    assert client.get("/admin/knowledge/searchlog/?results=none").status_code == 200
    assert client.get("/admin/knowledge/searchlog/add/").status_code == 403
    assert client.get("/admin/knowledge/question/").status_code == 200


def test_a_category_slug_is_set_once_in_the_admin(
    editor: Employee, make_article: MakeArticle
) -> None:
    category = make_article(title="Roaming in de EU").category
    client = admin_client(editor)

    adding = client.get("/admin/knowledge/category/add/")
    response = client.post(
        f"/admin/knowledge/category/{category.pk}/change/",
        {"slug": "renamed", "name_nl": "Nieuw", "name_en": "New", "position": 3},
    )
    category.refresh_from_db()

    assert 'name="slug"' in adding.content.decode()
    assert response.status_code == 302, response.content
    assert category.name_en == "New"
    assert category.slug != "renamed"
