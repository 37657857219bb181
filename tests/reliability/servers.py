"""Real app servers (gunicorn, production settings) for multi-process tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import requests
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(*, port: int | None = None) -> str:
    """The test database, optionally reached through another port (a FaultyLink)."""
    db = connection.settings_dict
    host = db.get("HOST") or "127.0.0.1"
    user = db.get("USER") or "postgres"
    return f"postgres://{user}@{host}:{port or db.get('PORT') or 5432}/{db['NAME']}"


@dataclass
class AppServer:
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    session: requests.Session = field(default_factory=requests.Session)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return self.session.get(self.url + path, timeout=15, **kwargs)  # type: ignore[arg-type]

    def post(self, path: str, **kwargs: object) -> requests.Response:
        return self.session.post(self.url + path, timeout=15, **kwargs)  # type: ignore[arg-type]

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_app_server(
    log_dir: Path,
    *,
    env: Mapping[str, str] | None = None,
    workers: int = 2,
    settings_module: str = "backend.settings",
) -> AppServer:
    """Starts gunicorn on a free port against the test database.

    Production settings by default. Uses the test run's SECRET_KEY and IDENTIFIER_PEPPER,
    so tokens and hashes made in the test process are valid in the server and the other
    way round.
    """
    port = free_port()
    log_path = log_dir / f"gunicorn-{port}.log"
    inherited = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "TEST_")) and key != "REDIS_URL"
    }
    server_env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "TEST_DATABASE_URL": database_url(),
        "DEBUG": "false",
        "SECRET_KEY": settings.SECRET_KEY,
        "IDENTIFIER_PEPPER": settings.IDENTIFIER_PEPPER,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url(),
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        "DB_CONNECT_TIMEOUT": "2",
        # Its own disk, as a separate host would have; built from the test database.
        "SEARCH_INDEX_DIR": str(log_dir / f"search-index-{port}"),
        **(env or {}),
    }
    log = log_path.open("wb")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "backend.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
        ],
        cwd=ROOT,
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    server = AppServer(port=port, process=process, log_path=log_path)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited early:\n{server.log_text()}")
        try:
            if server.get("/healthz").status_code == 200:
                return server
        except requests.ConnectionError:
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn did not become healthy:\n{server.log_text()}")
