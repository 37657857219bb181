"""The knowledge app's written-out SQL: the reads on the hottest paths, where compiling the
equivalent querysets costs several times more CPU than the database takes to answer them
(measured on the benchmark dataset: the article detail's three querysets cost 2.2 ms of
CPU to compile and read, this module's one statement for the same data 0.5 ms), and the
search log's insert, made with every search.

Each statement returns frozen records (`knowledge.records`), never model instances: a
record holds exactly what its statement read. Select lists are built from the model
fields, and every value passes through its field's database converters, so a statement
reads the same Python types as the ORM, on PostgreSQL and on the demo's SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone

from backend.accounts.models import Employee
from knowledge.models import (
    Article,
    ArticleFeedback,
    ArticleStatus,
    Category,
    SearchLog,
    article_is_stale,
    notice_is_active,
    translation_is_outdated,
)
from knowledge.records import (
    ArticleCard,
    ArticleDetail,
    ArticleVersion,
    CategoryRef,
    FeedbackState,
    NoticeWindow,
    PersonRef,
)

Row = dict[str, Any]
_Converter = Callable[[Any, Any, Any], Any]


class _Columns:
    """A statement's columns as `alias.field` names: its select list and how each value is
    converted come from this one declaration."""

    def __init__(self, *groups: tuple[str, type[Model], tuple[str, ...]]) -> None:
        self.fields: list[tuple[str, Field[Any, Any]]] = [
            (f"{alias}.{name}", model._meta.get_field(name))  # type: ignore[misc]
            for alias, model, names in groups
            for name in names
        ]
        self._converters: dict[str, list[tuple[str, Any, list[_Converter]]]] = {}

    def sql(self) -> str:
        return ", ".join(f"{key.split('.')[0]}.{field.column}" for key, field in self.fields)

    def converters(self) -> list[tuple[str, Any, list[_Converter]]]:
        """Per column: its name, its expression and the functions that turn what the
        database returns into the field's Python value (worked out once per backend;
        they are stateless, so every connection of that backend can use them)."""
        found = self._converters.get(connection.vendor)
        if found is None:
            found = []
            for key, field in self.fields:
                column = field.get_col(field.model._meta.db_table)
                functions = connection.ops.get_db_converters(column)
                found.append((key, column, functions + column.get_db_converters(connection)))
            self._converters[connection.vendor] = found
        return found


def _fetch(statement: str, columns: _Columns, params: Sequence[Any]) -> list[Row]:
    """Runs `statement`; each row as `alias.field` → value, converted as the ORM would."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    if not rows:
        return []
    converters = columns.converters()
    keys = [key for key, _, _ in converters]
    # Most columns need no conversion on PostgreSQL: only those that do are looked at.
    converting = [
        (position, key, column, functions)
        for position, (key, column, functions) in enumerate(converters)
        if functions
    ]
    converted = []
    for row in rows:
        values: Row = dict(zip(keys, row, strict=True))
        for position, key, column, functions in converting:
            value = row[position]
            for function in functions:
                value = function(value, column, connection)
            values[key] = value
        converted.append(values)
    return converted


_CARD_GROUPS: tuple[tuple[str, type[Model], tuple[str, ...]], ...] = (
    (
        "a",
        Article,
        (
            "id",
            "slug",
            "language",
            "title",
            "summary",
            "friend_text",
            "tags",
            "status",
            "verified_until",
            "notice_starts_at",
            "notice_ends_at",
            "updated_at",
            "translation_source_revision",
            "translation_group",
        ),
    ),
    ("c", Category, ("slug", "name_nl", "name_en")),
    ("s", Article, ("slug", "content_revision")),
)
_CARDS = _Columns(*_CARD_GROUPS)
_CARD_FROM = f"""
    FROM {Article._meta.db_table} AS a
    LEFT JOIN {Category._meta.db_table} AS c ON c.id = a.category_id
    LEFT JOIN {Article._meta.db_table} AS s ON s.id = a.translation_source_id
"""


_CARDS_SELECT = f"SELECT {_CARDS.sql()} {_CARD_FROM}"


def _card_values(
    row: Row, *, now: datetime, today: date | None = None, highlight: str | None = None
) -> dict[str, Any]:
    """The fields of an ArticleCard from a row read with `_CARD_GROUPS`, stale and notice
    as of `now` (`today` is its local date: a caller with many rows works it out once)."""
    category = None
    if row["c.slug"] is not None:
        category = CategoryRef(
            slug=row["c.slug"], name_nl=row["c.name_nl"], name_en=row["c.name_en"]
        )
    return {
        "id": row["a.id"],
        "slug": row["a.slug"],
        "language": row["a.language"],
        "title": row["a.title"],
        "summary": row["a.summary"],
        "friend_text": row["a.friend_text"],
        "tags": tuple(row["a.tags"]),
        "status": row["a.status"],
        "category": category,
        "verified_until": row["a.verified_until"],
        "stale": article_is_stale(row["a.verified_until"], today or timezone.localdate(now)),
        "translation_outdated": translation_is_outdated(
            row["s.content_revision"], row["a.translation_source_revision"]
        ),
        "notice": _notice(row["a.notice_starts_at"], row["a.notice_ends_at"], now),
        "updated_at": row["a.updated_at"],
        "highlight": highlight,
    }


def _notice(
    starts_at: datetime | None, ends_at: datetime | None, now: datetime
) -> NoticeWindow | None:
    if starts_at is None or ends_at is None:
        return None
    return NoticeWindow(
        starts_at=starts_at, ends_at=ends_at, active=notice_is_active(starts_at, ends_at, now)
    )


@dataclass
class Cards:
    """A page's articles by id, and the outage notices active at the time."""

    by_id: dict[int, ArticleCard]
    notices: list[tuple[ArticleCard, UUID]]  # oldest notice first, with translation group


# On PostgreSQL the ids are one array and the notice window is compared with the time the
# statement starts, so the statement's text and parameters' types never change: it is
# planned once per connection (a generic plan). With the time as a parameter PostgreSQL
# planned it anew for every page (its guess for a window between two parameters favoured
# a custom plan), which cost 1.1 ms of its CPU per search where running it costs 0.2.
_NOTICE_ACTIVE_AT_STATEMENT_TIME = (
    "a.notice_starts_at <= statement_timestamp() AND a.notice_ends_at > statement_timestamp()"
)


def article_cards_fetch(
    *,
    ids: Sequence[int],
    status: str,
    highlights: Mapping[int, str] | None = None,
    with_notices: bool = False,
) -> Cards:
    """List rows of the articles among `ids` that have `status`, by id, each with its
    search highlight from `highlights`; with `with_notices`, also the published articles
    whose notice window holds now, oldest notice first. One statement: a page and its
    notices cost one round trip."""
    now, highlights = timezone.now(), highlights or {}
    conditions: list[str] = []
    params: list[Any] = []
    postgresql = connection.vendor == "postgresql"
    if ids:
        if postgresql:
            conditions.append("(a.id = ANY(%s) AND a.status = %s)")
            params += [list(ids), status]
        else:
            conditions.append(f"(a.id IN ({', '.join(['%s'] * len(ids))}) AND a.status = %s)")
            params += [*ids, status]
    if with_notices:
        if postgresql:
            conditions.append(f"(a.status = %s AND {_NOTICE_ACTIVE_AT_STATEMENT_TIME})")
            params += [ArticleStatus.PUBLISHED]
        else:
            conditions.append(
                "(a.status = %s AND a.notice_starts_at <= %s AND a.notice_ends_at > %s)"
            )
            params += [ArticleStatus.PUBLISHED, now, now]
    if not conditions:
        return Cards(by_id={}, notices=[])
    rows = _fetch(f"{_CARDS_SELECT} WHERE {' OR '.join(conditions)}", _CARDS, params)
    today, wanted = timezone.localdate(now), set(ids)
    cards, notices = Cards(by_id={}, notices=[]), []
    for row in rows:
        card = ArticleCard(
            **_card_values(row, now=now, today=today, highlight=highlights.get(row["a.id"]))
        )
        if card.id in wanted and card.status == status:
            cards.by_id[card.id] = card
        notice = card.notice
        if with_notices and notice and notice.active and card.status == ArticleStatus.PUBLISHED:
            group = row["a.translation_group"]
            notices.append((notice.starts_at, card.id, replace(card, highlight=None), group))
    cards.notices = [(card, group) for _, _, card, group in sorted(notices)]
    return cards


_DETAIL = _Columns(
    *_CARD_GROUPS,
    (
        "a",
        Article,
        ("body", "body_html", "revision", "verified_at", "created_at", "published_at"),
    ),
    ("o", Employee, ("id", "display_name")),
    ("f", ArticleFeedback, ("helpful", "reason", "comment")),
    ("v", Article, ("slug", "language", "title", "status", "translation_source_revision")),
    ("vs", Article, ("content_revision",)),
)
# One row per other language version of the article (with nl and en: at most one), or
# one row whose version columns are empty.
_ARTICLE_DETAIL = f"""
    SELECT {_DETAIL.sql()} {_CARD_FROM}
    LEFT JOIN {Employee._meta.db_table} AS o ON o.id = a.owner_id
    LEFT JOIN {ArticleFeedback._meta.db_table} AS f
        ON f.article_id = a.id AND f.employee_id = %s
    LEFT JOIN {Article._meta.db_table} AS v
        ON v.translation_group = a.translation_group AND v.id <> a.id
    LEFT JOIN {Article._meta.db_table} AS vs ON vs.id = v.translation_source_id
    WHERE a.slug = %s
    ORDER BY v.language
"""


def article_detail_fetch(*, slug: str, reader_id: int) -> ArticleDetail | None:
    """The article `slug` with its category, source and owner, its other language versions
    and `reader_id`'s own feedback on it, in one statement; None for an unknown slug."""
    rows = _fetch(_ARTICLE_DETAIL, _DETAIL, [reader_id, slug])
    if not rows:
        return None
    first = rows[0]
    return ArticleDetail(
        **_card_values(first, now=timezone.now()),
        body=first["a.body"],
        body_html=first["a.body_html"],
        revision=first["a.revision"],
        verified_at=first["a.verified_at"],
        created_at=first["a.created_at"],
        published_at=first["a.published_at"],
        translation_of=first["s.slug"],
        translation_source_revision=first["a.translation_source_revision"],
        owner=None
        if first["o.id"] is None
        else PersonRef(id=first["o.id"], display_name=first["o.display_name"]),
        my_feedback=None
        if first["f.helpful"] is None
        else FeedbackState(
            helpful=first["f.helpful"], reason=first["f.reason"], comment=first["f.comment"]
        ),
        translations=tuple(_version(row) for row in rows if row["v.slug"] is not None),
    )


def _version(row: Row) -> ArticleVersion:
    return ArticleVersion(
        slug=row["v.slug"],
        language=row["v.language"],
        title=row["v.title"],
        status=row["v.status"],
        translation_outdated=translation_is_outdated(
            row["vs.content_revision"], row["v.translation_source_revision"]
        ),
    )


_SEARCH_LOG_COLUMNS = [
    str(SearchLog._meta.get_field(name).column)  # type: ignore[union-attr]
    for name in ("employee", "query", "normalized_query", "language", "result_count", "created_at")
]
_SEARCH_LOG_INSERT = f"""
    INSERT INTO {SearchLog._meta.db_table} ({", ".join(_SEARCH_LOG_COLUMNS)})
    VALUES ({", ".join(["%s"] * len(_SEARCH_LOG_COLUMNS))})
    RETURNING {SearchLog._meta.pk.column}
"""  # noqa: S608  (names from the model, values as parameters)


def search_log_insert(
    *, employee_id: int, query: str, normalized_query: str, language: str, result_count: int
) -> int:
    """Records one search, made now; returns its id. The ORM's `create()` for the same row
    cost 0.7 ms of CPU against 0.35 ms for this statement, on every search."""
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            _SEARCH_LOG_INSERT,
            [employee_id, query, normalized_query, language, result_count, created_at],
        )
        row = cursor.fetchone()
    return int(row[0])


def articles_changed_probe(*, since: datetime) -> str:
    """A fingerprint of the articles updated since `since`: their count, the newest
    `updated_at` and the sum of every `updated_at` (exact on PostgreSQL, where epoch
    seconds are `numeric`; to the millisecond on SQLite, the demo). It changes when any
    of them changes, also to a time older than the newest, as an edit does whose
    transaction commits after a later one's. One index range scan."""
    stamp = (
        "EXTRACT(EPOCH FROM updated_at)"
        if connection.vendor == "postgresql"
        else "julianday(updated_at)"
    )
    statement = (
        f"SELECT count(*), max(updated_at), sum({stamp}) "  # noqa: S608  (no input in it)
        f"FROM {Article._meta.db_table} WHERE updated_at >= %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [connection.ops.adapt_datetimefield_value(since)])
        count, newest, total = cursor.fetchone()
    return f"{count}:{newest}:{total}"
