"""A small OpenID provider on loopback: a real discovery document and JWKS over HTTP, and
ID tokens signed with real RSA and EC keys (PyJWT + cryptography).

It signs whatever claims a test asks for, so the negative cases (expired, wrong audience
or issuer, unknown key, tampered, `alg: none`, HS256 with the public key) are tokens a
misbehaving or malicious party could really send.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

CLIENT_ID = "ceo-app-mobile"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class OpenIdProvider:
    def __init__(self) -> None:
        self.keys: dict[str, tuple[Any, str]] = {}
        self.published: set[str] = set()
        self.jwks_requests = 0
        self.discovery_requests = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    provider.discovery_requests += 1
                    self._json(provider.discovery())
                elif self.path == "/jwks":
                    provider.jwks_requests += 1
                    self._json(provider.jwks())
                else:
                    self.send_error(404)

            def _json(self, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid in sorted(self.published):
            private, alg = self.keys[kid]
            algorithm = jwt.get_algorithm_by_name(alg)
            jwk = algorithm.to_jwk(private.public_key(), as_dict=True)
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": alg})
        return {"keys": keys}

    def add_key(self, kid: str, alg: str = "RS256", *, publish: bool = True) -> None:
        if alg.startswith("ES"):
            private: Any = ec.generate_private_key(ec.SECP256R1())
        else:
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.keys[kid] = (private, alg)
        if publish:
            self.published.add(kid)

    def claims(self, email: str, /, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": hashlib.sha256(email.encode()).hexdigest()[:24],
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": "n-0S6_WzA2Mj",
            "jti": secrets.token_urlsafe(12),  # every token a provider issues is its own
            "email": email,
            "email_verified": True,
        }
        claims.update(overrides)
        return {name: value for name, value in claims.items() if value is not None}

    def id_token(self, email: str, /, *, kid: str = "key-1", **overrides: Any) -> str:
        private, alg = self.keys[kid]
        return jwt.encode(
            self.claims(email, **overrides), private, algorithm=alg, headers={"kid": kid}
        )

    def unsigned_token(self, email: str, /, **overrides: Any) -> str:
        """`alg: none`: no signature at all."""
        header = _b64(json.dumps({"alg": "none", "kid": "key-1", "typ": "JWT"}).encode())
        return f"{header}.{_b64(json.dumps(self.claims(email, **overrides)).encode())}."

    def hs256_with_public_key(self, email: str, kid: str = "key-1") -> str:
        """The classic key-confusion attack: HMAC keyed with the provider's public key."""
        public_pem = (
            self.keys[kid][0]
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
        header = _b64(json.dumps({"alg": "HS256", "kid": kid, "typ": "JWT"}).encode())
        body = _b64(json.dumps(self.claims(email)).encode())
        signature = hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
        return f"{header}.{body}.{_b64(signature)}"
