"""Single sign-on end to end against panva's certified `oidc-provider` (npm), run with the
machine's Node.js on loopback: the app's Authorization Code flow with PKCE, then the
ID token exchanged for our JWT pair."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import pytest
import requests
from rest_framework.test import APIClient

from backend.accounts.models import Employee

PROVIDER_DIR = Path(__file__).parent / "oidc_provider"
CLIENT_ID = "ceo-app-mobile"
REDIRECT_URI = "nl.ceotelecom.app:/oauth2redirect"

pytestmark = pytest.mark.skipif(
    not shutil.which("node") and not os.environ.get("CI"),
    reason="Node.js is not installed (CI has it)",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def certified_provider() -> Iterator[str]:
    """Starts the provider (installing it from package-lock.json first when needed) and
    yields its issuer URL."""
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],  # noqa: S607
            cwd=PROVIDER_DIR,
            check=True,
            capture_output=True,
            timeout=300,
        )
    port = _free_port()
    process = subprocess.Popen(
        ["node", "provider.mjs", str(port)],  # noqa: S607
        cwd=PROVIDER_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready", "the provider did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def _follow(session: requests.Session, url: str, **kwargs: Any) -> requests.Response:
    """Follows the provider's redirects, stopping at the app's redirect URI."""
    response = session.request(kwargs.pop("method", "GET"), url, allow_redirects=False, **kwargs)
    for _ in range(10):
        location = response.headers.get("Location")
        if response.status_code not in (302, 303) or not location:
            return response
        if location.startswith(REDIRECT_URI):
            return response
        response = session.get(urljoin(url, location), allow_redirects=False)
    raise AssertionError("too many redirects")


def app_signs_in(issuer: str, email: str) -> dict[str, Any]:
    """What the mobile app does: Authorization Code flow with PKCE; returns the token
    response (with `id_token`)."""
    discovery = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    params = {
        "client_id": CLIENT_ID,
        "response_type": "code",
        "scope": "openid email",
        "redirect_uri": REDIRECT_URI,
        "code_challenge": challenge.rstrip(b"=").decode(),
        "code_challenge_method": "S256",
        "state": secrets.token_urlsafe(8),
        "nonce": secrets.token_urlsafe(8),
    }
    session = requests.Session()
    login_page = _follow(session, f"{discovery['authorization_endpoint']}?{urlencode(params)}")
    consent_page = _follow(
        session,
        login_page.url,
        method="POST",
        data={"prompt": "login", "login": email, "password": "any"},
    )
    redirect = _follow(session, consent_page.url, method="POST", data={"prompt": "consent"})
    query = parse_qs(urlparse(redirect.headers["Location"]).query)
    assert query["state"] == [params["state"]]
    token = requests.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": query["code"][0],
            "redirect_uri": REDIRECT_URI,
            "client_id": CLIENT_ID,
            "code_verifier": verifier,
        },
        timeout=5,
    )
    assert token.status_code == 200, token.text
    return token.json()


def test_an_employee_signs_in_through_a_certified_provider_end_to_end(
    certified_provider: str, employee: Employee, settings: Any
) -> None:
    settings.OIDC_ISSUER = certified_provider
    settings.OIDC_CLIENT_IDS = [CLIENT_ID]
    id_token = app_signs_in(certified_provider, employee.email)["id_token"]

    response = APIClient().post("/api/v1/auth/sso/token/", {"id_token": id_token}, format="json")

    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert client.get("/api/v1/me/").json()["email"] == employee.email


def test_a_certified_providers_token_for_someone_not_on_the_roster_is_refused(
    certified_provider: str, db: None, settings: Any
) -> None:
    settings.OIDC_ISSUER = certified_provider
    settings.OIDC_CLIENT_IDS = [CLIENT_ID]
    id_token = app_signs_in(certified_provider, "stranger@ceo-telecom.example")["id_token"]

    response = APIClient().post("/api/v1/auth/sso/token/", {"id_token": id_token}, format="json")

    assert (response.status_code, response.json()["code"]) == (403, "not_on_roster")


def test_the_app_registered_elsewhere_is_refused(
    certified_provider: str, employee: Employee, settings: Any
) -> None:
    settings.OIDC_ISSUER = certified_provider
    settings.OIDC_CLIENT_IDS = ["another-app"]
    id_token = app_signs_in(certified_provider, employee.email)["id_token"]

    response = APIClient().post("/api/v1/auth/sso/token/", {"id_token": id_token}, format="json")

    assert (response.status_code, response.json()["code"]) == (401, "id_token_audience")
