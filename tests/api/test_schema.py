from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient
from rest_framework.views import APIView

from backend.api.permissions import DenyAll

COMMITTED = Path(settings.BASE_DIR) / "api_schema.yaml"


def generate_schema(tmp_path: Path) -> dict:
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    return yaml.safe_load(target.read_text())


def test_committed_schema_matches_the_code(tmp_path: Path) -> None:
    generated = generate_schema(tmp_path)

    assert generated == yaml.safe_load(COMMITTED.read_text()), (
        "api_schema.yaml is out of date: run `make schema` and commit the result"
    )


def _operations(schema: dict) -> list[tuple[str, str, dict]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_every_protected_operation_documents_401_and_403_with_the_error_shape() -> None:
    schema = yaml.safe_load(COMMITTED.read_text())

    for path, method, operation in _operations(schema):
        for code, response in operation["responses"].items():
            if code.startswith(("4", "5")):
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/Error", (path, method, code)
        if operation.get("security"):
            assert {"401", "403"} <= set(operation["responses"]), (path, method)
        if "{" in path:
            assert "404" in operation["responses"], (path, method)
        if method in {"post", "put", "patch"}:
            assert {"400", "413"} <= set(operation["responses"]), (path, method)


def _api_views(patterns: list, prefix: str = "") -> list[tuple[str, type[APIView]]]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _api_views(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            view_class = getattr(pattern.callback, "cls", None)
            if view_class is not None and issubclass(view_class, APIView):
                found.append((prefix + str(pattern.pattern), view_class))
    return found


def test_every_api_view_declares_its_permissions() -> None:
    views = _api_views(get_resolver().url_patterns)

    assert views
    for route, view_class in views:
        if view_class.__module__.startswith("drf_spectacular"):
            continue
        assert DenyAll not in view_class.permission_classes, route


def test_docs_are_served_with_local_assets(api_client: APIClient, db: None) -> None:
    docs = api_client.get("/api/docs/")
    redoc = api_client.get("/api/redoc/")
    schema = api_client.get("/api/schema/")

    assert docs.status_code == 200
    assert redoc.status_code == 200
    assert schema.status_code == 200
    for page in (docs.content.decode(), redoc.content.decode()):
        assert "/static/drf_spectacular_sidecar/" in page
        assert "cdn" not in page.lower()
        assert "https://" not in page
