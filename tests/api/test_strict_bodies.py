"""Every write body in the API refuses unknown fields and wrong JSON types.

Walks the same endpoint table as the authorization matrix (read from the URL
configuration, so a new write endpoint is covered as soon as it has its matrix entry):
each write is sent, by a caller allowed to make it, its valid body plus one unknown
field, and then the valid body with one field at a time in the wrong JSON type.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction

from tests.api.test_authorization_matrix import MATRIX, World, build_world

WRITES = sorted(
    endpoint
    for endpoint in MATRIX
    if endpoint.split(" ", 1)[0] in ("POST", "PUT", "PATCH")
    and endpoint.split(" ", 1)[1].startswith("/api/")
)
UNKNOWN = [{"code": "unknown_field", "message": "Unknown field."}]


def _caller_and_body(world: World, endpoint: str) -> tuple[str, str, dict[str, Any]]:
    rule = MATRIX[endpoint]
    _method, route = endpoint.split(" ", 1)
    # A caller allowed to make the write; for one that no caller can make here (single
    # sign-on while it is off), any caller: bodies are checked before anything else.
    allowed = [role for role, status in rule.expect.items() if 200 <= status < 300]
    caller = allowed[0] if allowed else next(iter(rule.expect))
    body = rule.body(world, caller) if rule.body else None
    return caller, rule.url(world) if rule.url else route, dict(body or {})


def _send(world: World, caller: str, method: str, url: str, body: Any) -> Any:
    cache.clear()
    with transaction.atomic():
        client = world.clients[caller]
        response = getattr(client, method.lower())(url, body, format="json")
        transaction.set_rollback(True)
    return response


def _wrong_type(value: Any) -> Any:
    if isinstance(value, bool):
        return "true"
    if isinstance(value, int):
        return str(value)  # "revision": "999"
    if isinstance(value, str):
        return 12
    if isinstance(value, list | dict):
        return "[]"
    return None


def test_every_api_write_is_walked() -> None:
    assert len(WRITES) >= 25
    assert "POST /api/v1/knowledge/articles/<slug:slug>/publish/" in WRITES


@pytest.mark.parametrize("endpoint", WRITES)
def test_every_write_refuses_an_unknown_field(endpoint: str, db: None) -> None:
    world = build_world()
    caller, url, body = _caller_and_body(world, endpoint)

    response = _send(world, caller, endpoint.split(" ")[0], url, {**body, "surprise": 1})

    assert response.status_code == 400, response.content
    assert response.json()["fields"] == {"surprise": UNKNOWN}


@pytest.mark.parametrize("endpoint", WRITES)
def test_every_write_refuses_a_field_of_the_wrong_json_type(endpoint: str, db: None) -> None:
    world = build_world()
    caller, url, body = _caller_and_body(world, endpoint)
    answers = {}

    for name, value in body.items():
        if value is None:
            continue
        response = _send(
            world, caller, endpoint.split(" ")[0], url, {**body, name: _wrong_type(value)}
        )
        answers[name] = (response.status_code, name in response.json().get("fields", {}))

    assert answers == dict.fromkeys(answers, (400, True))
