"""Every paginated list refuses a cursor it did not issue the same way: 400
`invalid_cursor` with one message, whatever the paginator's own cursor format (DRF's
position cursor, the article list's offset cursor, the review queue's keyset cursor)."""

from __future__ import annotations

import base64
import json

import pytest
from django.urls import resolve
from rest_framework.test import APIClient

from tests.api.test_authorization_matrix import MATRIX, build_world


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


FORGED = {
    "not base64": "%%%",
    "not json": _b64("nope"),
    "json array": _b64("[1, 2]"),
    "queue key Infinity": _b64('{"k": [1, "2026-01-01T00:00:00+00:00", Infinity], "b": false}'),
    "queue key 1e400": _b64('{"k": [1, "2026-01-01T00:00:00+00:00", 1e400], "b": false}'),
    "queue key NaN rank": _b64('{"k": [NaN, "2026-01-01T00:00:00+00:00", 5], "b": false}'),
    "queue key strings": _b64('{"k": ["1", "2026-01-01T00:00:00+00:00", "999"], "b": "no"}'),
    "queue key float id": _b64('{"k": [1, "2026-01-01T00:00:00+00:00", 5.5], "b": false}'),
    "queue key naive time": _b64('{"k": [1, "2026-01-01T00:00:00", 5], "b": false}'),
    "queue key huge id": _b64('{"k": [1, "2026-01-01T00:00:00+00:00", ' + "9" * 30 + '], "b": 0}'),
    "offset Infinity": _b64('{"o": Infinity}'),
    "offset 1e400": _b64('{"o": 1e400}'),
    "offset string": _b64('{"o": "20"}'),
    "offset true": _b64('{"o": true}'),
    "offset far": _b64(json.dumps({"o": 10**9})),
    "position Infinity": _b64("o=0&r=0&p=Infinity"),
    "position 1e400": _b64("o=0&r=0&p=1e400"),
    "offset digits": _b64("o=" + "9" * 5000),
}

EXPECTED = {
    "code": "invalid_cursor",
    "message": "This cursor does not point at a page; start again without it.",
}


def _paginated_lists() -> list[str]:
    """GET endpoints of the authorization matrix that return a page of results."""
    found = []
    for endpoint in MATRIX:
        method, route = endpoint.split(" ", 1)
        if method != "GET" or "<" in route or not route.startswith("/api/v1/"):
            continue
        view = resolve(route).func.cls  # type: ignore[attr-defined]
        if getattr(view, "pagination_class", None) or route.endswith("/knowledge/articles/"):
            found.append(endpoint)
    return sorted(found)


PAGINATED = _paginated_lists()


def _route_and_client(endpoint: str) -> tuple[str, APIClient]:
    """The list's address and a client of a caller allowed to read it."""
    world = build_world()
    caller = next(role for role, status in MATRIX[endpoint].expect.items() if status == 200)
    return endpoint.split(" ", 1)[1], world.clients[caller]


def test_the_cursor_walk_covers_every_kind_of_paginator() -> None:
    assert {
        "GET /api/v1/knowledge/articles/",
        "GET /api/v1/knowledge/categories/",
        "GET /api/v1/ops/attributions/",
        "GET /api/v1/referrals/shares/",
    } <= set(PAGINATED)


@pytest.mark.parametrize("endpoint", PAGINATED)
def test_every_paginator_refuses_a_forged_cursor_alike(endpoint: str, db: None) -> None:
    route, client = _route_and_client(endpoint)

    answers = {
        name: (response.status_code, response.json())
        for name, cursor in FORGED.items()
        for response in [client.get(route, {"cursor": cursor})]
    }

    assert answers == dict.fromkeys(FORGED, (400, EXPECTED))


@pytest.mark.parametrize("endpoint", PAGINATED)
def test_an_empty_cursor_is_the_first_page_everywhere(endpoint: str, db: None) -> None:
    route, client = _route_and_client(endpoint)

    first = client.get(route)
    empty = client.get(route, {"cursor": ""})

    assert empty.status_code == 200
    assert empty.json()["results"] == first.json()["results"]


BAD_PAGE_SIZES = ["0", "-1", "101", "abc", "1.5", "", "1e2"]
PAGE_SIZE_MESSAGE = "Must be a whole number from 1 to 100."
PAGE_SIZE_EXPECTED = {
    "code": "invalid",
    "message": f"page_size: {PAGE_SIZE_MESSAGE}",
    "fields": {"page_size": [{"code": "invalid", "message": PAGE_SIZE_MESSAGE}]},
}


@pytest.mark.parametrize("endpoint", PAGINATED)
def test_every_paginator_refuses_a_bad_page_size_alike(endpoint: str, db: None) -> None:
    route, client = _route_and_client(endpoint)

    answers = {
        size: (response.status_code, response.json())
        for size in BAD_PAGE_SIZES
        for response in [client.get(route, {"page_size": size})]
    }

    assert answers == dict.fromkeys(BAD_PAGE_SIZES, (400, PAGE_SIZE_EXPECTED))
