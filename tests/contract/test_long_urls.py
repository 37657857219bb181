"""A URL far past the schema's bounds is refused with 414 in a documented content type.

Contract fuzzing once failed on it ("Schema-violating request accepted" and "Undocumented
Content-Type" in one case): a search term past its maxLength, in multi-byte characters,
made a request line longer than gunicorn's limit (8190 bytes), and gunicorn answered 414
itself, as an HTML page the schema did not list; and 414 was not counted as a rejection.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.reliability.servers import AppServer

SCHEMA = Path(settings.BASE_DIR) / "api_schema.yaml"


@pytest.mark.reliability
@pytest.mark.django_db(transaction=True)
def test_an_overlong_url_is_refused_in_a_documented_content_type(
    start_server: Callable[..., AppServer],
) -> None:
    server = start_server(settings_module="backend.settings_test")
    # Defaults, not schemathesis.toml: these cases need none of its pinned records.
    schema = schemathesis.openapi.from_path(str(SCHEMA), config=SchemathesisConfig())
    operation = schema["/api/v1/knowledge/articles/"]["GET"]
    answers = {}

    for who, term in {"app": "a" * 7990, "gunicorn": "é" * 1400}.items():
        case = operation.Case(query={"q": term})
        response = case.call(base_url=server.url)
        case.validate_response(
            response,
            checks=[content_type_conformance, status_code_conformance, response_schema_conformance],
        )
        plain = server.get("/api/v1/knowledge/articles/", params={"q": term})
        answers[who] = (plain.status_code, plain.headers["Content-Type"].split(";")[0])

    assert answers == {"app": (414, "application/json"), "gunicorn": (414, "text/html")}


def test_contract_fuzzing_counts_414_as_a_rejection() -> None:
    config = tomllib.loads((Path(settings.BASE_DIR) / "schemathesis.toml").read_text())

    assert "414" in config["checks"]["negative_data_rejection"]["expected-statuses"]
