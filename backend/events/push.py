"""Push through Firebase Cloud Messaging's HTTP v1 API (it carries iOS too).

Authentication is a service-account credential from the environment: google-auth signs
the JWT and exchanges it at the credential's `token_uri` for an OAuth2 access token
(JWT-bearer grant), refreshing it before it expires. Messages go to
`{FCM_ENDPOINT}/v1/projects/{project_id}/messages:send`.
"""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests
from django.conf import settings
from google.auth.transport.requests import Request
from google.oauth2 import service_account

from backend.events.models import Device

logger = logging.getLogger(__name__)

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
_FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
# FCM's answer for a token that no longer belongs to an installed app.
_TOKEN_GONE = {"UNREGISTERED"}
# Worth trying again later (FCM asks for backoff on these).
_TRANSIENT = {"UNAVAILABLE", "INTERNAL", "QUOTA_EXCEEDED"}


class PushNotConfigured(Exception):
    pass


class PushTransientError(Exception):
    """FCM could not take the message now; the job is retried."""


@dataclass(frozen=True)
class PushMessage:
    title: str
    body: str
    data: dict[str, str]


def _service_account_info() -> dict[str, Any]:
    raw = settings.FCM_SERVICE_ACCOUNT_JSON
    if not raw and settings.FCM_SERVICE_ACCOUNT_FILE:
        raw = Path(settings.FCM_SERVICE_ACCOUNT_FILE).read_text()
    if not raw:
        raise PushNotConfigured("FCM_SERVICE_ACCOUNT_JSON / _FILE is not set")
    return dict(json.loads(raw))


@functools.lru_cache(maxsize=1)
def _credentials(raw_key: str) -> service_account.Credentials:
    info = _service_account_info()
    return service_account.Credentials.from_service_account_info(info, scopes=[SCOPE])


def _session() -> requests.Session:
    return requests.Session()


class FcmClient:
    """One client per job run: a session and a fresh-enough access token."""

    def __init__(self) -> None:
        cache_key = settings.FCM_SERVICE_ACCOUNT_JSON + settings.FCM_SERVICE_ACCOUNT_FILE
        self.credentials = _credentials(cache_key)
        self.project_id = self.credentials.project_id
        self.session = _session()
        self.timeout = settings.PUSH_TIMEOUT_SECONDS

    def _token(self, *, force: bool = False) -> str:
        if force or not self.credentials.valid:
            self.credentials.refresh(Request(self.session))
        return str(self.credentials.token)

    def send(self, device: Device, message: PushMessage) -> str:
        """Sends one message; returns "sent" or "token_gone", raises on transient errors."""
        url = f"{settings.FCM_ENDPOINT}/v1/projects/{self.project_id}/messages:send"
        body = {
            "message": {
                "token": device.token,
                "notification": {"title": message.title, "body": message.body},
                "data": message.data,
            }
        }
        response = self._post(url, body, self._token())
        if response.status_code == 401:  # revoked or expired early: one fresh token
            response = self._post(url, body, self._token(force=True))
        if response.ok:
            return "sent"
        code = _error_code(response)
        if code in _TOKEN_GONE:
            return "token_gone"
        if code in _TRANSIENT or response.status_code >= 500:
            raise PushTransientError(f"FCM {response.status_code} {code}")
        logger.warning("FCM refused a message: %s %s", response.status_code, code)
        return "refused"

    def _post(self, url: str, body: dict[str, Any], token: str) -> requests.Response:
        try:
            return self.session.post(
                url,
                json=body,
                headers={"Authorization": f"Bearer {token}"},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise PushTransientError(f"FCM unreachable: {exc.__class__.__name__}") from None


def _error_code(response: requests.Response) -> str:
    """The FcmError code of an error response, else the canonical status."""
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return ""
    for detail in error.get("details", []):
        if detail.get("@type") == _FCM_ERROR_TYPE and detail.get("errorCode"):
            return str(detail["errorCode"])
    return str(error.get("status", ""))


def in_quiet_hours(zone: str, now: datetime) -> bool:
    """True between PUSH_QUIET_START and PUSH_QUIET_END (22:00 to 08:00) on the device's clock."""
    try:
        local = now.astimezone(ZoneInfo(zone)).time()
    except (KeyError, ValueError):
        local = now.astimezone(ZoneInfo(settings.TIME_ZONE)).time()
    start = time(settings.PUSH_QUIET_START)
    end = time(settings.PUSH_QUIET_END)
    if start <= end:
        return start <= local < end
    return local >= start or local < end
