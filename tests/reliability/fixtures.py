from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from backend.accounts.models import Employee
from tests.reliability.proxy import FaultyLink
from tests.reliability.servers import AppServer, start_app_server

PRODUCTION_PASSWORD = "reliable-password-2026"


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[..., AppServer]]:
    servers: list[AppServer] = []

    def start(**kwargs: Any) -> AppServer:
        server = start_app_server(tmp_path, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def faulty_link() -> Iterator[Callable[[str, int], FaultyLink]]:
    links: list[FaultyLink] = []

    def make(host: str, port: int) -> FaultyLink:
        link = FaultyLink(host, port)
        links.append(link)
        return link

    yield make
    for link in links:
        link.close()


@pytest.fixture
def production_employee(make_employee: Callable[..., Employee]) -> Employee:
    """An employee whose password hash the production settings can verify (PBKDF2)."""
    employee = make_employee(display_name="Rita Reliable")
    hasher = PBKDF2PasswordHasher()
    employee.password = hasher.encode(PRODUCTION_PASSWORD, hasher.salt())
    employee.save(update_fields=["password"])
    return employee


def credentials(employee: Employee) -> dict[str, str]:
    return {"email": employee.email, "password": PRODUCTION_PASSWORD}
