from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from backend.events.webhooks import endpoint_create
from tests.events.standins import FcmStandIn, WebhookReceiver
from tests.reliability.servers import ROOT, database_url


@pytest.fixture
def fcm(settings: Any) -> Iterator[FcmStandIn]:
    """A Firebase stand-in, and the app configured with its service account."""
    server = FcmStandIn()
    settings.FCM_SERVICE_ACCOUNT_JSON = server.service_account_json()
    settings.FCM_ENDPOINT = server.url
    yield server
    server.stop()
    assert server.problems == []


@pytest.fixture
def receiver() -> Iterator[Callable[..., WebhookReceiver]]:
    started: list[WebhookReceiver] = []

    def start(statuses: list[int] | None = None) -> WebhookReceiver:
        server = WebhookReceiver(statuses)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def allow_private_targets(settings: Any) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True


def subscribe(url: str, *types: str) -> str:
    """An endpoint for `types` (all when none); returns its secret."""
    _, secret = endpoint_create(
        url=url,
        event_types=list(
            types or ("attribution.created", "attribution.status_changed", "claim.decided")
        ),
    )
    return secret


class Worker:
    def __init__(self, process: subprocess.Popen[bytes], log: Path) -> None:
        self.process = process
        self.log = log

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Starts `manage.py worker` (production settings) on the test database; the jobs
    table is emptied first, as transactional tests leave other tests' jobs behind."""
    workers: list[Worker] = []

    def start(**env: str) -> Worker:
        inherited = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "TEST_")) and key != "REDIS_URL"
        }
        worker_env = {
            **inherited,
            "DJANGO_SETTINGS_MODULE": "backend.settings",
            "DATABASE_URL": database_url(),
            "DEBUG": "false",
            "SECRET_KEY": settings.SECRET_KEY,
            "IDENTIFIER_PEPPER": settings.IDENTIFIER_PEPPER,
            "ALLOWED_HOSTS": "127.0.0.1",
            "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
            "LOG_FORMAT": "text",
            "LOG_LEVEL": "INFO",
            **env,
        }
        log = tmp_path / f"worker-{len(workers)}.log"
        process = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--concurrency", "4"],
            cwd=ROOT,
            env=worker_env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        worker = Worker(process, log)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def empty_queue(transactional_db: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE procrastinate_jobs CASCADE")


def zone_in_daytime() -> str:
    """An IANA zone where it is now between 10:00 and 20:00 (outside quiet hours)."""
    now = datetime.now(UTC)
    for offset in range(-12, 13):
        if 10 <= (now + timedelta(hours=offset)).hour < 20:
            # Etc/GMT signs are inverted: Etc/GMT-2 is UTC+2.
            return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"
    raise AssertionError("unreachable")


def zone_at_night() -> str:
    """An IANA zone where it is now between 23:00 and 07:00 (inside quiet hours)."""
    now = datetime.now(UTC)
    for offset in range(-12, 13):
        hour = (now.hour + offset) % 24
        if hour >= 23 or hour < 7:
            return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"
    raise AssertionError("unreachable")
