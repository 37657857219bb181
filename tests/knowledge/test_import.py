"""`manage.py import_articles`: the seed corpus, idempotence, and refusing bad files whole."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from backend.accounts.models import Employee
from knowledge.demo import SEED_DIR
from knowledge.models import Article, ArticleRevision, Category

GOOD = """---
slug: {slug}
language: {language}
title: {title}
summary: Korte samenvatting.
friend_text: Tekst die je kunt doorsturen.
category: plans
tags: [esim, Sim-Kaart]
{extra}---
## Kop

Uitleg met **nadruk**.
"""


def write(
    directory: Path,
    name: str,
    *,
    slug: str,
    language: str = "nl",
    title: str = "Titel",
    extra: str = "",
) -> Path:
    path = directory / name
    path.write_text(
        GOOD.format(slug=slug, language=language, title=title, extra=extra), encoding="utf-8"
    )
    return path


def run(directory: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_articles", str(directory), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def source_dir(tmp_path: Path, db: None) -> Path:
    (tmp_path / "categories.yaml").write_text(
        "- {slug: plans, name_nl: Abonnementen, name_en: Plans}\n", encoding="utf-8"
    )
    write(tmp_path, "a.md", slug="esim-activeren", title="eSIM activeren")
    write(
        tmp_path,
        "b.md",
        slug="activating-an-esim",
        language="en",
        title="Activating an eSIM",
        extra="translation_of: esim-activeren\nverified_until: 2099-12-31\n",
    )
    return tmp_path


def test_the_seed_corpus_is_a_real_knowledge_base(db: None) -> None:
    output = run(Path(SEED_DIR))

    published = Article.objects.filter(status="published")
    assert "created=62 updated=0 unchanged=0 categories_created=12" in output
    assert published.count() >= 60
    assert published.filter(language="nl").count() >= 30
    assert published.filter(language="en").count() >= 30
    assert Category.objects.count() == 12
    assert not published.filter(category__isnull=True).exists()
    assert not published.filter(tags=[]).exists()
    translations = published.filter(translation_source__isnull=False)
    assert translations.count() == 31
    assert all(
        not a.translation_outdated for a in translations.select_related("translation_source")
    )


def test_importing_twice_changes_nothing(db: None) -> None:
    run(Path(SEED_DIR))
    snapshot = list(Article.objects.order_by("pk").values("slug", "revision", "updated_at"))

    output = run(Path(SEED_DIR))

    assert "created=0 updated=0 unchanged=62" in output
    assert list(Article.objects.order_by("pk").values("slug", "revision", "updated_at")) == snapshot
    assert ArticleRevision.objects.count() == 62


def test_import_creates_published_articles_with_translation_links(
    source_dir: Path, editor: Employee
) -> None:
    output = run(source_dir, "--owner", editor.email)

    source = Article.objects.get(slug="esim-activeren")
    translation = Article.objects.select_related("translation_source").get(
        slug="activating-an-esim"
    )
    assert "created=2" in output
    assert (source.status, source.owner, source.tags) == (
        "published",
        editor,
        ["esim", "sim-kaart"],
    )
    assert "<strong>nadruk</strong>" in source.body_html
    assert source.verified_at is not None
    assert translation.translation_group == source.translation_group
    assert translation.translation_source == source
    assert str(translation.verified_until) == "2099-12-31"
    assert source.revisions.get().action == "import"


def test_a_changed_source_file_makes_its_translation_outdated(source_dir: Path) -> None:
    run(source_dir)
    write(source_dir, "a.md", slug="esim-activeren", title="eSIM activeren (nieuw)")

    output = run(source_dir)

    assert "created=0 updated=1 unchanged=1" in output
    translation = Article.objects.select_related("translation_source").get(
        slug="activating-an-esim"
    )
    assert translation.translation_outdated is True
    assert Article.objects.get(slug="esim-activeren").revision == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("no front matter at all", "no front matter"),
        ("---\nslug: [unclosed\n---\nbody", "not valid YAML (front matter line 1)"),
        ("---\n- a list\n---\nbody", "must be a mapping"),
        (GOOD.format(slug="x", language="de", title="T", extra=""), "language: must be nl or en"),
        (GOOD.format(slug="Bad Slug", language="nl", title="T", extra=""), "slug: 'Bad Slug'"),
        (GOOD.format(slug="x", language="nl", title="T", extra="colour: red\n"), "unknown key"),
        (GOOD.format(slug="x", language="nl", title="", extra=""), "title: missing"),
        (
            GOOD.format(slug="x", language="nl", title="T", extra="verified_until: soon\n"),
            "verified_until: 'soon' is not a date",
        ),
        (
            GOOD.format(slug="x", language="nl", title="T", extra="verified_until: 0001-01-01\n"),
            "verified_until: 0001-01-01 is outside 2000-01-01 to 2100-12-31",
        ),
        (
            GOOD.format(
                slug="x",
                language="nl",
                title="T",
                extra="notice_starts_at: 9999-12-30T00:00:00Z\n"
                "notice_ends_at: 9999-12-31T00:00:00Z\n",
            ),
            "notice_starts_at: 9999-12-30 is outside 2000-01-01 to 2100-12-31",
        ),
        (
            GOOD.format(slug="x", language="nl", title="T", extra="translation_of: nowhere\n"),
            "translation_of: no article 'nowhere'",
        ),
        (
            GOOD.format(slug="x", language="nl", title="T", extra="").replace("plans", "nope"),
            "unknown category 'nope'",
        ),
        (
            GOOD.format(slug="x", language="nl", title="T", extra="status: archived\n"),
            "status: must be published or draft",
        ),
    ],
)
def test_a_bad_file_is_named_and_nothing_is_written(
    source_dir: Path, content: str, message: str
) -> None:
    bad = source_dir / "zz-bad.md"
    bad.write_text(content, encoding="utf-8")

    with pytest.raises(CommandError) as error:
        run(source_dir)

    assert "refused, nothing was written" in str(error.value)
    assert f"{bad}: " in str(error.value)
    assert message in str(error.value)
    assert Article.objects.count() == 0
    assert Category.objects.count() == 0


def test_every_bad_file_is_listed(source_dir: Path) -> None:
    (source_dir / "x.md").write_text("nothing", encoding="utf-8")
    (source_dir / "y.md").write_bytes(b"\xff\xfe\x00broken")
    write(source_dir, "z.md", slug="esim-activeren", title="Dubbel")

    with pytest.raises(CommandError) as error:
        run(source_dir)

    text = str(error.value)
    assert f"{source_dir / 'x.md'}: no front matter" in text
    assert f"{source_dir / 'y.md'}: not UTF-8 text" in text
    assert "slug 'esim-activeren' is also used by" in text
    assert Article.objects.count() == 0


def test_an_existing_article_cannot_change_language(source_dir: Path) -> None:
    run(source_dir)
    write(source_dir, "a.md", slug="esim-activeren", language="en", title="Now English")

    with pytest.raises(CommandError) as error:
        run(source_dir)

    assert "the language of an article cannot change" in str(error.value)
    assert Article.objects.get(slug="esim-activeren").language == "nl"


def test_missing_directory_and_unknown_owner_are_errors(tmp_path: Path, db: None) -> None:
    with pytest.raises(CommandError, match="not a directory"):
        run(tmp_path / "missing")
    with pytest.raises(CommandError, match="no employee"):
        run(tmp_path, "--owner", "nobody@example.com")


def test_seed_demo_loads_the_knowledge_base_with_an_active_notice(db: None) -> None:
    from knowledge.selectors.articles import notices_active

    first = StringIO()
    call_command("seed_demo", "--i-know-this-is-not-production", stdout=first)
    revisions = ArticleRevision.objects.count()
    second = StringIO()
    call_command("seed_demo", "--i-know-this-is-not-production", stdout=second)

    assert "knowledge: 62 articles created, 2 outage notice(s) pinned" in first.getvalue()
    assert "knowledge: 0 articles created, 0 outage notice(s) pinned" in second.getvalue()
    assert ArticleRevision.objects.count() == revisions
    editor = Employee.objects.get(employee_number="E1002")
    assert Article.objects.filter(owner=editor, status="published").count() == 62
    notices = notices_active(employee=editor)
    assert [n.slug for n in notices] == ["storing-mobiel-netwerk-utrecht"]
