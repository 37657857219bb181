"""Security headers, HTTPS and CORS as a production server actually sends them."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reliability.servers import AppServer, start_app_server

# The django_db mark makes sure the test database exists; the server reads it, the tests
# write nothing.
pytestmark = [pytest.mark.reliability, pytest.mark.django_db]

HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def production_server(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    """One server for the module: these tests only read headers, they write nothing."""
    server = start_app_server(
        tmp_path_factory.mktemp("deployment"),
        env={
            "SECURE_SSL_REDIRECT": "true",
            "SECURE_PROXY_SSL_HEADER": "true",
            "CORS_ALLOWED_ORIGINS": "https://app.ceo-telecom.example",
        },
        workers=1,
    )
    yield server
    server.stop()


def test_plain_http_is_redirected_to_https_except_health_checks(
    production_server: AppServer,
) -> None:
    redirected = production_server.get("/api/v1/me/", allow_redirects=False)

    assert redirected.status_code == 301
    assert (
        redirected.headers["Location"] == f"https://127.0.0.1:{production_server.port}/api/v1/me/"
    )
    assert production_server.get("/healthz", allow_redirects=False).status_code == 200
    assert production_server.get("/readyz", allow_redirects=False).status_code == 200


def test_api_responses_carry_hsts_nosniff_and_frame_deny(production_server: AppServer) -> None:
    response = production_server.get("/api/v1/me/", headers=HTTPS)

    assert response.status_code == 401
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Content-Type"] == "application/json"
    assert "Content-Security-Policy" not in response.headers


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/", "/admin/login/"])
def test_html_pages_carry_a_content_security_policy(
    production_server: AppServer, path: str
) -> None:
    response = production_server.get(path, headers=HTTPS)

    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"


def test_cors_admits_only_the_configured_origins(production_server: AppServer) -> None:
    def preflight(origin: str) -> dict[str, str]:
        response = production_server.session.options(
            production_server.url + "/api/v1/me/",
            headers={
                **HTTPS,
                "Origin": origin,
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "authorization",
            },
            timeout=15,
        )
        return dict(response.headers)

    allowed = preflight("https://app.ceo-telecom.example")
    refused = preflight("https://evil.example")

    assert allowed["access-control-allow-origin"] == "https://app.ceo-telecom.example"
    assert "authorization" in allowed["access-control-allow-headers"]
    assert "access-control-allow-origin" not in {k.lower() for k in refused}
