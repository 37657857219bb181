"""HTTP to integrators' servers that cannot be turned against our own network.

The address is checked on the connected socket, after DNS resolution, so a name that
resolves to a public address when checked and a private one when connecting (DNS
rebinding) is refused as well. Proxies from the environment are ignored (the peer would
be the proxy), and redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


class TargetRefused(Exception):
    """The URL points at a private, loopback or otherwise internal address."""


def address_check(host: str, address: str) -> None:
    if settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return
    if not ipaddress.ip_address(address.split("%", 1)[0]).is_global:
        raise TargetRefused(f"{host} resolves to the non-public address {address}")


class _PeerCheckedConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        try:
            address_check(self.host, sock.getpeername()[0])
        except TargetRefused:
            sock.close()
            raise
        return sock


class _PeerCheckedHTTPSConnection(_PeerCheckedConnection, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _PeerCheckedConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PeerCheckedHTTPSConnection


class _PublicOnlyAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


def public_session() -> requests.Session:
    """A session that reaches only public addresses (unless WEBHOOK_ALLOW_PRIVATE_TARGETS)."""
    session = requests.Session()
    session.trust_env = False
    session.max_redirects = 0
    adapter = _PublicOnlyAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
