from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from rest_framework.test import APIClient


def test_healthz_needs_no_database(api_client: APIClient) -> None:
    response = api_client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_the_database_and_cache(api_client: APIClient) -> None:
    response = api_client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


@pytest.mark.django_db
def test_readyz_is_503_in_the_error_shape_when_the_database_is_unreachable(
    api_client: APIClient,
) -> None:
    with mock.patch("backend.api.views.connection.cursor", side_effect=OperationalError("refused")):
        response = api_client.get("/readyz")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"  # as every other 503
    assert response.json() == {
        "code": "service_unavailable",
        "message": "The database is unreachable.",
    }
