"""Articles through the API: who sees what, editing with revisions, trust and translations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from backend.accounts.models import Employee
from knowledge.models import Article, ArticleRevision, Category
from tests.concurrency import run_concurrently
from tests.conftest import login
from tests.knowledge.conftest import make_stale

URL = "/api/v1/knowledge/articles/"
MakeArticle = Callable[..., Article]


def test_employees_see_published_articles_only(
    make_article: MakeArticle, employee_client: APIClient
) -> None:
    published = make_article(title="Gepubliceerd")
    draft = make_article(title="Concept", status="draft")
    archived = make_article(title="Oud", status="archived")

    listing = employee_client.get(URL)

    assert [item["slug"] for item in listing.json()["results"]] == [published.slug]
    assert employee_client.get(f"{URL}{draft.slug}/").status_code == 404
    assert employee_client.get(f"{URL}{archived.slug}/").status_code == 404
    assert employee_client.get(f"{URL}{published.slug}/").status_code == 200


def test_editors_list_drafts_but_employees_may_not_ask_for_them(
    make_article: MakeArticle, editor_client: APIClient, employee_client: APIClient
) -> None:
    draft = make_article(title="Concept", status="draft")
    make_article(title="Gepubliceerd")

    drafts = editor_client.get(URL, {"status": "draft"})
    refused = employee_client.get(URL, {"status": "draft"})

    assert [item["slug"] for item in drafts.json()["results"]] == [draft.slug]
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert editor_client.get(f"{URL}{draft.slug}/").json()["status"] == "draft"


def test_detail_renders_the_body_as_sanitised_html(
    make_article: MakeArticle, employee_client: APIClient
) -> None:
    article = make_article(
        body="## Stappen\n\n1. **Open** de app\n\n<script>alert(1)</script>\n\n"
        "[klik](javascript:alert(1)) [site](https://example.com)"
    )

    body = employee_client.get(f"{URL}{article.slug}/").json()

    assert "<h2>Stappen</h2>" in body["body_html"]
    assert "<strong>Open</strong>" in body["body_html"]
    assert "<script>" not in body["body_html"]
    assert 'href="javascript' not in body["body_html"]
    assert '<a href="https://example.com" rel="noopener noreferrer">site</a>' in body["body_html"]
    assert body["body"].startswith("## Stappen")


def test_an_expired_article_is_flagged_stale_everywhere(
    make_article: MakeArticle, employee_client: APIClient
) -> None:
    fresh = make_article(title="Vers")
    old = make_article(title="Verlopen")
    make_stale(old)

    listing = {i["slug"]: i["stale"] for i in employee_client.get(URL).json()["results"]}
    detail = employee_client.get(f"{URL}{old.slug}/").json()

    assert listing == {fresh.slug: False, old.slug: True}
    assert detail["stale"] is True


def test_editor_creates_a_draft_as_revision_one(
    editor: Employee, editor_client: APIClient, category: Category
) -> None:
    response = editor_client.post(
        URL,
        {
            "language": "nl",
            "title": "eSIM op een iPad",
            "summary": "Ja, dat kan.",
            "friend_text": "Vraag een eSIM aan.",
            "body": "Uitleg",
            "category": "plans",
            "tags": ["eSIM", "iPad", "esim"],
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "esim-op-een-ipad"
    assert body["status"] == "draft"
    assert body["owner"] == {"id": editor.pk, "display_name": "Eva Jansen"}
    assert body["tags"] == ["esim", "ipad"]
    assert body["revision"] == 1
    revision = ArticleRevision.objects.get(article__slug="esim-op-een-ipad")
    assert (revision.number, revision.action, revision.editor_id) == (1, "create", editor.pk)
    assert revision.changes["title"] == {"from": None, "to": "eSIM op een iPad"}


def test_owner_and_status_cannot_be_set_when_creating(
    editor_client: APIClient, category: Category
) -> None:
    response = editor_client.post(
        URL,
        {
            "language": "nl",
            "title": "Nieuw",
            "category": "plans",
            "status": "published",
            "owner": 1,
        },
    )

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"owner", "status"}
    assert not Article.objects.filter(title="Nieuw").exists()


def test_employees_cannot_write_articles(
    employee_client: APIClient, make_article: MakeArticle
) -> None:
    article = make_article()

    created = employee_client.post(URL, {"language": "nl", "title": "Nieuw"})
    edited = employee_client.patch(f"{URL}{article.slug}/", {"revision": 2, "title": "X"})
    published = employee_client.post(f"{URL}{article.slug}/publish/", {})
    verified = employee_client.post(f"{URL}{article.slug}/verify/", {})
    history = employee_client.get(f"{URL}{article.slug}/revisions/")

    assert [r.status_code for r in (created, edited, published, verified, history)] == [403] * 5
    assert Article.objects.count() == 1
    assert Article.objects.get().title == "Sim-only abonnement"


@pytest.mark.parametrize("field", ["category", "translation_of"])
def test_create_naming_a_record_that_does_not_exist_is_not_found(
    editor_client: APIClient, category: Category, field: str
) -> None:
    response = editor_client.post(URL, {"language": "nl", "title": "X", field: "nope"})

    assert response.status_code == 404
    assert response.json()["code"] == f"{field}_not_found"
    assert list(response.json()["fields"]) == [field]
    assert Article.objects.count() == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"language": "de", "title": "X"}, "language"),
        ({"language": "nl", "title": ""}, "title"),
        ({"language": "nl", "title": "X", "tags": ["not a tag!"]}, "tags"),
        ({"language": "nl", "title": "X", "slug": "Geen Slug"}, "slug"),
        ({"language": "nl", "title": "X", "verified_until": "2020-01-01"}, "verified_until"),
        (
            {
                "language": "nl",
                "title": "X",
                "notice_starts_at": "2026-01-02T10:00:00Z",
                "notice_ends_at": "2026-01-01T10:00:00Z",
            },
            "notice_ends_at",
        ),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(
    editor_client: APIClient, category: Category, payload: dict, field: str
) -> None:
    response = editor_client.post(URL, payload)

    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert Article.objects.count() == 0
    assert ArticleRevision.objects.count() == 0


def test_a_taken_slug_is_a_conflict(editor_client: APIClient, make_article: MakeArticle) -> None:
    make_article(slug="esim")

    response = editor_client.post(URL, {"language": "nl", "title": "X", "slug": "esim"})

    assert response.status_code == 409
    assert response.json()["code"] == "slug_taken"
    assert Article.objects.count() == 1


def test_edit_is_stored_as_a_revision_with_what_changed(
    editor: Employee, editor_client: APIClient, make_article: MakeArticle
) -> None:
    article = make_article(title="Oud")

    response = editor_client.patch(
        f"{URL}{article.slug}/",
        {"revision": article.revision, "title": "Nieuw"},
    )

    assert response.status_code == 200, response.content
    assert response.json()["revision"] == article.revision + 1
    assert response.json()["status"] == "published"
    latest = ArticleRevision.objects.filter(article=article).first()
    assert latest.action == "edit"
    assert latest.editor == editor
    assert latest.changes == {"title": {"from": "Oud", "to": "Nieuw"}}
    article.refresh_from_db()
    assert (article.title, article.owner_id) == ("Nieuw", editor.pk)


def test_an_edit_that_sets_owner_or_status_is_refused_and_changes_nothing(
    editor_client: APIClient, make_article: MakeArticle
) -> None:
    article = make_article(title="Oud")

    response = editor_client.patch(
        f"{URL}{article.slug}/",
        {"revision": article.revision, "title": "Nieuw", "status": "archived", "owner": None},
    )

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"owner", "status"}
    article.refresh_from_db()
    assert (article.title, article.status) == ("Oud", "published")


def test_edit_of_an_outdated_revision_is_a_conflict_and_changes_nothing(
    editor_client: APIClient, make_article: MakeArticle
) -> None:
    article = make_article(title="Oud")

    response = editor_client.patch(
        f"{URL}{article.slug}/", {"revision": article.revision - 1, "title": "Nieuw"}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "stale_revision"
    assert response.json()["current_revision"] == article.revision
    article.refresh_from_db()
    assert article.title == "Oud"
    assert ArticleRevision.objects.filter(article=article).count() == article.revision


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_edits_of_the_same_revision_one_wins(
    make_employee: Callable[..., Employee], category: Category
) -> None:
    from backend.accounts.roles import Role
    from knowledge.services.articles import article_create

    editors = [make_employee(roles=(Role.EDITOR,)) for _ in range(2)]
    article = article_create(editor=editors[0], language="nl", title="Start")
    clients = [login(e) for e in editors]

    responses = run_concurrently(
        lambda i: clients[i].patch(f"{URL}{article.slug}/", {"revision": 1, "title": f"T{i}"}),
        2,
    )

    assert sorted(r.status_code for r in responses) == [200, 409]
    article.refresh_from_db()
    assert article.revision == 2
    assert ArticleRevision.objects.filter(article=article).count() == 2


def test_publishing_needs_a_complete_article(
    editor: Employee, editor_client: APIClient, make_article: MakeArticle
) -> None:
    article = make_article(status="draft", summary="", friend_text="", category=None)

    response = editor_client.post(f"{URL}{article.slug}/publish/", {})

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"summary", "friend_text", "category"}
    article.refresh_from_db()
    assert article.status == "draft"


def test_publishing_verifies_for_the_default_period(
    editor_client: APIClient, make_article: MakeArticle
) -> None:
    article = make_article(status="draft")

    response = editor_client.post(f"{URL}{article.slug}/publish/", {"revision": article.revision})

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "published"
    assert body["verified_until"] == str(timezone.localdate() + timedelta(days=90))
    assert body["stale"] is False
    assert ArticleRevision.objects.filter(article=article).first().action == "publish"


def test_archiving_hides_the_article_from_employees(
    editor_client: APIClient, employee_client: APIClient, make_article: MakeArticle
) -> None:
    article = make_article()

    response = editor_client.post(f"{URL}{article.slug}/archive/", {})

    assert response.json()["status"] == "archived"
    assert employee_client.get(f"{URL}{article.slug}/").status_code == 404


def test_verify_extends_a_stale_article(
    editor_client: APIClient, make_article: MakeArticle
) -> None:
    article = make_article()
    make_stale(article)
    until = timezone.localdate() + timedelta(days=30)

    default = editor_client.post(f"{URL}{article.slug}/verify/", {})
    explicit = editor_client.post(f"{URL}{article.slug}/verify/", {"verified_until": str(until)})

    assert default.json()["verified_until"] == str(timezone.localdate() + timedelta(days=90))
    assert default.json()["stale"] is False
    assert explicit.json()["verified_until"] == str(until)
    actions = list(ArticleRevision.objects.filter(article=article).values_list("action", flat=True))
    assert actions[:2] == ["verify", "verify"]


@pytest.mark.parametrize("days", [0, -3, 800])
def test_verify_refuses_a_day_not_ahead_or_too_far(
    editor_client: APIClient, make_article: MakeArticle, days: int
) -> None:
    article = make_article()
    before = article.verified_until

    response = editor_client.post(
        f"{URL}{article.slug}/verify/",
        {"verified_until": str(timezone.localdate() + timedelta(days=days))},
    )

    assert response.status_code == 400
    assert "verified_until" in response.json()["fields"]
    article.refresh_from_db()
    assert article.verified_until == before


def test_revisions_list_the_history_newest_first(
    editor: Employee, editor_client: APIClient, make_article: MakeArticle
) -> None:
    article = make_article(status="draft")
    editor_client.post(f"{URL}{article.slug}/publish/", {})

    response = editor_client.get(f"{URL}{article.slug}/revisions/")

    results = response.json()["results"]
    assert [(r["number"], r["action"]) for r in results] == [(2, "publish"), (1, "create")]
    assert results[0]["editor"] == {"id": editor.pk, "display_name": "Eva Jansen"}
    assert "status" in results[0]["changed_fields"]


def test_translation_is_outdated_once_its_source_changes(
    editor_client: APIClient, employee_client: APIClient, make_article: MakeArticle
) -> None:
    source = make_article(title="Nummer meenemen", slug="nummer-meenemen")
    created = editor_client.post(
        URL,
        {
            "language": "en",
            "title": "Keep your number",
            "summary": "S",
            "friend_text": "F",
            "category": "plans",
            "translation_of": source.slug,
        },
    )
    slug = created.json()["slug"]
    editor_client.post(f"{URL}{slug}/publish/", {})

    fresh = employee_client.get(f"{URL}{slug}/").json()
    source.refresh_from_db()
    editor_client.patch(
        f"{URL}{source.slug}/", {"revision": source.revision, "summary": "Nieuwe regels"}
    )
    outdated = employee_client.get(f"{URL}{slug}/").json()
    translations_of_source = employee_client.get(f"{URL}{source.slug}/").json()["translations"]
    revision = outdated["revision"]
    synced = editor_client.patch(
        f"{URL}{slug}/", {"revision": revision, "translation_up_to_date": True}
    ).json()

    assert created.status_code == 201
    assert fresh["translation_of"] == "nummer-meenemen"
    assert fresh["translation_outdated"] is False
    assert fresh["translations"] == [
        {
            "slug": "nummer-meenemen",
            "language": "nl",
            "title": "Nummer meenemen",
            "status": "published",
            "translation_outdated": False,
        }
    ]
    assert outdated["translation_outdated"] is True
    assert translations_of_source[0]["translation_outdated"] is True
    assert synced["translation_outdated"] is False


def test_a_second_version_in_the_same_language_is_a_conflict(
    editor_client: APIClient, make_article: MakeArticle
) -> None:
    source = make_article(slug="bron")
    make_article(language="en", title="English", translation_of=source)

    response = editor_client.post(
        URL, {"language": "en", "title": "Another", "translation_of": "bron"}
    )
    same_language = editor_client.post(
        URL, {"language": "nl", "title": "Nog een", "translation_of": "bron"}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "translation_exists"
    assert same_language.status_code == 400
    assert Article.objects.count() == 2


def test_detail_and_list_use_a_fixed_number_of_queries(
    make_article: MakeArticle, employee_client: APIClient, django_assert_num_queries
) -> None:
    source = make_article(slug="bron", title="Bron")
    make_article(language="en", title="Source", slug="source", translation_of=source)
    for index in range(25):
        make_article(title=f"Artikel {index}", tags=["esim"])

    # auth user; the article with category, source, owner, translations and own feedback
    with django_assert_num_queries(2):
        assert employee_client.get(f"{URL}bron/").status_code == 200
    # auth user, the page's ids, their rows with the active notices
    for size in (5, 20):
        with django_assert_num_queries(3):
            response = employee_client.get(URL, {"page_size": size})
        assert len(response.json()["results"]) == size


def test_browse_pages_follow_without_duplicates(
    make_article: MakeArticle, employee_client: APIClient
) -> None:
    for index in range(7):
        make_article(title=f"Artikel {index}")

    first = employee_client.get(URL, {"page_size": 3}).json()
    second = employee_client.get(first["next"]).json()
    third = employee_client.get(second["next"]).json()

    slugs = [i["slug"] for page in (first, second, third) for i in page["results"]]
    assert len(slugs) == 7 == len(set(slugs))
    assert third["next"] is None
    assert employee_client.get(second["previous"]).json()["results"] == first["results"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": 0}, "page_size"),
        ({"page_size": 101}, "page_size"),
        ({"lang": "de"}, "lang"),
        ({"lang": ""}, "lang"),
        ({"q": ""}, "q"),
        ({"status": "gone"}, "status"),
    ],
)
def test_list_refuses_bad_parameters(
    employee_client: APIClient, params: dict, field: str, db: None
) -> None:
    response = employee_client.get(URL, params)

    assert response.status_code == 400
    assert field in response.json()["fields"]


@pytest.mark.parametrize("cursor", ["bm9wZQ", "eyJvIjogOTk5OTk5fQ", "%%%"])
def test_a_cursor_that_points_nowhere_is_refused(
    employee_client: APIClient, cursor: str, db: None
) -> None:
    response = employee_client.get(URL, {"cursor": cursor})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


def test_category_and_tag_filters(
    make_article: MakeArticle, employee_client: APIClient, category: Category
) -> None:
    other = Category.objects.create(slug="roaming", name_nl="Buitenland", name_en="Abroad")
    in_plans = make_article(title="Bundel", tags=["data"])
    in_roaming = make_article(title="Roaming", category=other, tags=["eu", "data"])

    by_category = employee_client.get(URL, {"category": "roaming"}).json()["results"]
    by_tag = employee_client.get(URL, {"tag": "data"}).json()["results"]
    unknown = employee_client.get(URL, {"category": "nope"})

    assert [i["slug"] for i in by_category] == [in_roaming.slug]
    assert {i["slug"] for i in by_tag} == {in_plans.slug, in_roaming.slug}
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "category_not_found"


def test_feedback_is_one_per_employee_and_changeable(
    employee: Employee, employee_client: APIClient, make_article: MakeArticle
) -> None:
    from knowledge.models import ArticleFeedback

    article = make_article()
    url = f"{URL}{article.slug}/feedback/"

    first = employee_client.post(url, {"helpful": True})
    second = employee_client.post(url, {"helpful": False, "reason": "outdated", "comment": "Oud"})
    detail = employee_client.get(f"{URL}{article.slug}/").json()

    assert first.status_code == second.status_code == 200
    feedback = ArticleFeedback.objects.get()
    assert (feedback.employee, feedback.helpful, feedback.reason) == (employee, False, "outdated")
    assert detail["my_feedback"] == {"helpful": False, "reason": "outdated", "comment": "Oud"}


def test_feedback_refuses_a_reason_with_helpful_and_drafts(
    employee_client: APIClient, make_article: MakeArticle
) -> None:
    from knowledge.models import ArticleFeedback

    article = make_article()
    draft = make_article(title="Concept", status="draft")

    with_reason = employee_client.post(
        f"{URL}{article.slug}/feedback/", {"helpful": True, "reason": "unclear"}
    )
    on_draft = employee_client.post(f"{URL}{draft.slug}/feedback/", {"helpful": True})
    bad_reason = employee_client.post(
        f"{URL}{article.slug}/feedback/", {"helpful": False, "reason": "boring"}
    )

    assert [with_reason.status_code, on_draft.status_code, bad_reason.status_code] == [
        400,
        404,
        400,
    ]
    assert ArticleFeedback.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_feedback_of_one_employee_leaves_one_row(
    make_employee: Callable[..., Employee], category: Category
) -> None:
    from knowledge.models import ArticleFeedback
    from knowledge.services.articles import article_create, article_publish

    person = make_employee()
    article = article_create(
        editor=None, language="nl", title="T", summary="S", friend_text="F", category=category
    )
    article_publish(article=article, editor=None)
    client = login(person)

    responses = run_concurrently(
        lambda i: client.post(f"{URL}{article.slug}/feedback/", {"helpful": i % 2 == 0}), 4
    )

    assert [r.status_code for r in responses] == [200] * 4
    assert ArticleFeedback.objects.filter(article=article, employee=person).count() == 1
