"""Article dates (verified_until, outage notice windows) are in a plausible range and
notice moments carry their time zone."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from knowledge.models import Article, Category


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"verified_until": "0001-01-01"}, "verified_until", "too_early"),
        ({"verified_until": "9999-12-31"}, "verified_until", "too_far"),
        (
            {"notice_starts_at": "0001-01-01T00:00:00Z", "notice_ends_at": "0001-01-02T00:00:00Z"},
            "notice_starts_at",
            "too_early",
        ),
        (
            {"notice_starts_at": "2026-12-01T09:00:00", "notice_ends_at": "2026-12-02T09:00:00Z"},
            "notice_starts_at",
            "timezone_required",
        ),
        (
            {"notice_starts_at": "9999-12-30T00:00:00Z", "notice_ends_at": "9999-12-31T00:00:00Z"},
            "notice_starts_at",
            "too_far",
        ),
    ],
)
def test_an_implausible_article_date_is_refused(
    editor_client: APIClient, category: Category, fields: dict[str, str], field: str, code: str
) -> None:
    response = editor_client.post(
        "/api/v1/knowledge/articles/", {"language": "nl", "title": "Storing", **fields}
    )

    assert response.status_code == 400, response.content
    assert response.json()["fields"][field][0]["code"] == code
    assert not Article.objects.exists()
