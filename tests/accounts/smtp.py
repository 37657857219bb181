"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import email
import re
import socket
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP

LINK = re.compile(r"(https?://\S+/account/set-password/([^/\s]+)/([^/\s]+)/)")


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.connections = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 30) -> list[EmailMessage]:
        """The first `count` messages, waiting for them to arrive (from a worker)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.messages)} of {count} mails arrived")
            time.sleep(0.1)
        return self.messages[:count]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def link(message: EmailMessage) -> tuple[str, str, str]:
        """(url, uid, token) of the set-password link in the mail."""
        body = message.get_body(preferencelist=("plain",))
        match = LINK.search(body.get_content() if body else "")
        assert match, "no set-password link in the mail"
        return match.group(1), match.group(2), match.group(3)


class _CountingSMTP(SMTP):
    """Counts every connection, so a test can tell that nobody even tried to send."""

    def connection_made(self, transport: Any) -> None:
        self.event_handler.connections += 1
        super().connection_made(transport)


class InboxServer(Controller):
    def factory(self) -> SMTP:
        return _CountingSMTP(self.handler, **self.SMTP_kwargs)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_inbox(settings: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = InboxServer(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    inbox.connections = 0  # start() connects once to see that the server answers
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()
