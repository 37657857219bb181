"""Real HTTP servers on loopback that play a webhook receiver and Firebase (OAuth token
endpoint and FCM HTTP v1), checking requests as their documentation describes them."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class _Server:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", 0))
                request = Received(
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length),
                )
                with owner.lock:
                    owner.received.append(request)
                    status, body = owner.respond(request)
                payload = json.dumps(body).encode() if body is not None else b""
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def respond(self, request: Received) -> tuple[int, Any]:
        raise NotImplementedError

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def wait_for(self, count: int, timeout: float = 60) -> list[Received]:
        """Waits until `count` requests arrived (the worker runs in another process)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.05)
        raise AssertionError(f"{len(self.received)} of {count} requests arrived")


class WebhookReceiver(_Server):
    """Answers each request with the next status of `statuses`, then 204."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.statuses = list(statuses or [])
        super().__init__()

    def respond(self, request: Received) -> tuple[int, Any]:
        return (self.statuses.pop(0) if self.statuses else 204), None


def _b64url(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


@dataclass
class FcmStandIn(_Server):
    """OAuth2 JWT-bearer token endpoint plus FCM's messages:send.

    Every deviation from the documented request is kept in `problems` and answered 400.
    Tokens in `unregistered` get FCM's 404 UNREGISTERED error, tokens in `unavailable` a
    503 UNAVAILABLE (as many times as given) and are not kept in `messages`.
    """

    project_id: str = "ceo-app-test"
    client_email: str = "push@ceo-app-test.iam.gserviceaccount.com"
    unregistered: set[str] = field(default_factory=set)
    # Token -> how many more sends to it FCM answers 503 UNAVAILABLE.
    unavailable: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    issued: set[str] = field(default_factory=set)
    messages: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        super().__init__()

    def service_account_json(self) -> str:
        pem = self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return json.dumps(
            {
                "type": "service_account",
                "project_id": self.project_id,
                "private_key_id": "test-key-1",
                "private_key": pem,
                "client_email": self.client_email,
                "client_id": "1234567890",
                "token_uri": f"{self.url}/token",
            }
        )

    def respond(self, request: Received) -> tuple[int, Any]:
        if request.path == "/token":
            return self._token(request)
        if request.path == f"/v1/projects/{self.project_id}/messages:send":
            return self._send(request)
        return self._problem(f"unknown path {request.path}")

    def _problem(self, text: str) -> tuple[int, Any]:
        self.problems.append(text)
        return 400, {"error": {"code": 400, "message": text, "status": "INVALID_ARGUMENT"}}

    def _token(self, request: Received) -> tuple[int, Any]:
        form = {key: values[0] for key, values in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != JWT_BEARER:
            return self._problem(f"grant_type {form.get('grant_type')}")
        try:
            header, claims, signature = form["assertion"].split(".")
            self.key.public_key().verify(
                _b64url(signature),
                f"{header}.{claims}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except Exception as exc:
            return self._problem(f"assertion does not verify: {exc!r}")
        head, body = json.loads(_b64url(header)), json.loads(_b64url(claims))
        # Google's server-to-server OAuth documentation: `aud` is always this address,
        # wherever the credential's token_uri sends the request.
        expected = {"iss": self.client_email, "scope": FCM_SCOPE, "aud": GOOGLE_TOKEN_AUDIENCE}
        wrong = {k: body.get(k) for k, v in expected.items() if body.get(k) != v}
        if head.get("alg") != "RS256" or wrong or not 0 < body["exp"] - body["iat"] <= 3600:
            return self._problem(f"assertion claims {head} {wrong}")
        token = f"ya29.{secrets.token_urlsafe(24)}"
        self.issued.add(token)
        return 200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}

    def _send(self, request: Received) -> tuple[int, Any]:
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if bearer not in self.issued:
            return 401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}}
        if not request.headers.get("content-type", "").startswith("application/json"):
            return self._problem("content-type")
        body = json.loads(request.body)
        message = body.get("message", {})
        if set(body) != {"message"} or not isinstance(message.get("token"), str):
            return self._problem(f"body {sorted(body)}")
        notification = message.get("notification", {})
        if set(notification) - {"title", "body", "image"} or not all(
            isinstance(value, str) for value in notification.values()
        ):
            return self._problem(f"notification {notification}")
        data = message.get("data", {})
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
            return self._problem("data values must be strings")
        if self.unavailable.get(message["token"], 0) > 0:
            self.unavailable[message["token"]] -= 1
            return 503, {"error": {"code": 503, "message": "Try later.", "status": "UNAVAILABLE"}}
        self.messages.append(message)
        if message["token"] in self.unregistered:
            return 404, {
                "error": {
                    "code": 404,
                    "message": "Requested entity was not found.",
                    "status": "NOT_FOUND",
                    "details": [
                        {
                            "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                            "errorCode": "UNREGISTERED",
                        }
                    ],
                }
            }
        return 200, {"name": f"projects/{self.project_id}/messages/{secrets.token_hex(8)}"}
