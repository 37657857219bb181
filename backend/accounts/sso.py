"""Single sign-on: an OpenID Connect ID token from the company's provider -> our JWT pair.

The mobile app runs the Authorization Code flow with PKCE against the provider itself and
sends us the ID token. We verify it as a relying party must (OpenID Connect Core 3.1.3.7):
signature against the provider's published keys, issuer, audience (and `azp`), expiry,
issued-at and not-before with a small leeway, and only asymmetric algorithms. PyJWT does
the cryptography and fetches the keys; nothing here is hand-written crypto.

Keys: the provider's discovery document gives `jwks_uri`; the key set is cached for an
hour and fetched again early only when a token names a key id we do not know, and then at
most once a minute per process (PyJWKClient's cooldown), so a stream of tokens with made-up
key ids cannot turn us into a load generator against the provider.

Each ID token signs in once (`id_token_use`): one that leaked from the device, a proxy or a
log cannot be exchanged for a second session while it is still valid. The app signs in
again with the provider (silently, while the provider's own session lasts) instead of
re-sending a token.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import urllib.request
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.error import URLError

import jwt
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from backend.accounts.models import Employee, UsedIdToken
from backend.api.errors import DomainError, NotFound, ServiceUnavailable

logger = logging.getLogger(__name__)

# Asymmetric only: `none` and HS* (which would let the provider's *public* key act as a
# shared secret) are never accepted.
ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
LEEWAY_SECONDS = 30
KEYS_LIFESPAN_SECONDS = 3600
KEYS_REFRESH_COOLDOWN_SECONDS = 60
PROVIDER_TIMEOUT_SECONDS = 5


class SsoNotConfigured(NotFound):
    default_code = "sso_not_configured"
    default_message = (
        "Single sign-on is not configured on this server: sign in with email and password."
    )


class IdTokenInvalid(DomainError):
    status_code = 401
    default_code = "id_token_invalid"
    default_message = "The ID token is not valid."


class SsoEmployeeRefused(DomainError):
    status_code = 403
    default_code = "not_on_roster"
    default_message = "No active employee has this email address."


class ProviderUnavailable(ServiceUnavailable):
    default_code = "identity_provider_unavailable"
    default_message = "The identity provider cannot be reached. Please retry shortly."


_lock = threading.Lock()
_clients: dict[str, jwt.PyJWKClient] = {}


def _discover_jwks_uri(issuer: str) -> str:
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        with urllib.request.urlopen(url, timeout=PROVIDER_TIMEOUT_SECONDS) as response:  # noqa: S310
            document = json.load(response)
    except (URLError, TimeoutError, OSError, ValueError) as exc:
        logger.warning("oidc discovery failed", extra={"error": type(exc).__name__})
        raise ProviderUnavailable() from None
    # OpenID Connect Discovery 4.3: the document must name exactly the issuer we asked.
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        logger.error("oidc discovery names another issuer")
        raise ProviderUnavailable("The identity provider's configuration does not match.")
    jwks_uri = document.get("jwks_uri")
    if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
        raise ProviderUnavailable("The identity provider publishes no signing keys.")
    return jwks_uri


def _keys_client(issuer: str) -> jwt.PyJWKClient:
    with _lock:
        client = _clients.get(issuer)
        if client is None:
            client = jwt.PyJWKClient(
                _discover_jwks_uri(issuer),
                cache_jwk_set=True,
                lifespan=KEYS_LIFESPAN_SECONDS,
                cooldown_duration=KEYS_REFRESH_COOLDOWN_SECONDS,
                timeout=PROVIDER_TIMEOUT_SECONDS,
            )
            _clients.clear()  # one provider at a time: a changed issuer replaces the old one
            _clients[issuer] = client
        return client


def _signing_key(issuer: str, token: str) -> jwt.PyJWK:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError:
        raise IdTokenInvalid("The ID token is not a JWT.") from None
    if header.get("alg") not in ALLOWED_ALGORITHMS:
        raise IdTokenInvalid(
            f"ID tokens signed with {header.get('alg')!r} are not accepted.",
            code="id_token_algorithm",
        )
    try:
        return _keys_client(issuer).get_signing_key(str(header.get("kid") or ""))
    except jwt.PyJWKClientConnectionError:
        raise ProviderUnavailable() from None
    except jwt.PyJWKClientError:
        raise IdTokenInvalid(
            "The ID token is signed with a key the provider does not publish.",
            code="id_token_unknown_key",
        ) from None


def id_token_verify(*, token: str) -> dict[str, Any]:
    """The verified claims of an ID token from OIDC_ISSUER for one of OIDC_CLIENT_IDS.
    Raises IdTokenInvalid (401), ProviderUnavailable (503) or SsoNotConfigured (404)."""
    issuer: str = settings.OIDC_ISSUER
    client_ids: list[str] = settings.OIDC_CLIENT_IDS
    if not issuer:
        raise SsoNotConfigured()
    key = _signing_key(issuer, token)
    algorithms = [key.algorithm_name] if key.algorithm_name in ALLOWED_ALGORITHMS else []
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key=key.key,
            algorithms=algorithms or list(ALLOWED_ALGORITHMS),
            audience=client_ids,
            issuer=issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.ExpiredSignatureError:
        raise IdTokenInvalid("The ID token has expired.", code="id_token_expired") from None
    except jwt.InvalidAudienceError:
        raise IdTokenInvalid(
            "The ID token was issued for another application.", code="id_token_audience"
        ) from None
    except jwt.InvalidIssuerError:
        raise IdTokenInvalid(
            "The ID token comes from another provider.", code="id_token_issuer"
        ) from None
    except jwt.InvalidTokenError as exc:
        raise IdTokenInvalid(f"The ID token is not valid: {exc}.") from None
    _check_authorized_party(claims, client_ids)
    return claims


def _check_authorized_party(claims: dict[str, Any], client_ids: list[str]) -> None:
    """OpenID Connect Core 3.1.3.7, items 4 and 5: with several audiences the token must
    name the client it was issued to (`azp`), and that client must be ours."""
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    azp = claims.get("azp")
    if (len(audiences) > 1 and azp is None) or (azp is not None and azp not in client_ids):
        raise IdTokenInvalid(
            "The ID token was issued to another application.", code="id_token_audience"
        )


def sso_employee(*, claims: dict[str, Any]) -> Employee:
    """The active employee on the roster whose email the claims carry. Sign-in never
    creates anyone: HR provisions employees (SCIM, roster import or the admin)."""
    claim: str = settings.OIDC_EMAIL_CLAIM
    value = claims.get(claim)
    if not isinstance(value, str) or "@" not in value:
        raise IdTokenInvalid(
            f"The ID token has no {claim!r} claim with an email address.",
            code="id_token_no_email",
        )
    if claim == "email" and claims.get("email_verified") is False:
        raise IdTokenInvalid(
            "The provider has not verified this email address.", code="email_unverified"
        )
    employee = Employee.objects.filter(email=value.strip().lower()).first()
    if employee is None:
        raise SsoEmployeeRefused()
    if not employee.is_active:
        raise SsoEmployeeRefused(
            "This employee has left or is not active.", code="account_inactive"
        )
    return employee


def id_token_use(*, token: str, claims: dict[str, Any]) -> None:
    """Records that the verified `token` signed someone in; raises IdTokenInvalid
    (`id_token_replayed`) if it already did. The primary key decides between concurrent
    uses: exactly one insert succeeds. Call it inside the sign-in's transaction, so that a
    sign-in that fails later leaves the token unused."""
    signed_claims = token.split(".")[1]
    used = UsedIdToken(
        claims_hash=hashlib.sha256(signed_claims.encode()).hexdigest(),
        expires_at=datetime.fromtimestamp(claims["exp"], tz=UTC)
        + timedelta(seconds=LEEWAY_SECONDS),
    )
    try:
        with transaction.atomic():
            used.save(force_insert=True)
    except IntegrityError:
        raise IdTokenInvalid(
            "This ID token has already been used to sign in: sign in with the provider again.",
            code="id_token_replayed",
        ) from None


def used_id_tokens_purge() -> int:
    """Forgets used ID tokens that have expired (they can no longer sign in anyway)."""
    deleted, _ = UsedIdToken.objects.filter(expires_at__lt=timezone.now()).delete()
    return deleted
