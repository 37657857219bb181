"""A TCP proxy whose link can be cut and restored, to take a backing service away from
the app under test without touching the real server (which other tests share). It can
also hang: connections are accepted and what is sent is read, but nothing is forwarded
and nothing answers (a server that is up but stuck)."""

from __future__ import annotations

import contextlib
import socket
import threading


class FaultyLink:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._cut = threading.Event()
        self._hang = threading.Event()
        self._closed = threading.Event()
        # Bytes the clients sent while the link hung: none means nobody called.
        self.swallowed = 0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        """Drops every open connection; new ones are closed as soon as they arrive."""
        self._cut.set()
        with self._lock:
            for sock in list(self._sockets):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def hang(self) -> None:
        """From now on nothing is forwarded either way; new connections are accepted and
        read but never answered."""
        self._hang.set()

    def restore(self) -> None:
        self._cut.clear()
        self._hang.clear()

    def _swallow(self, data: bytes) -> None:
        with self._lock:
            self.swallowed += len(data)

    def close(self) -> None:
        self._closed.set()
        self.cut()
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._cut.is_set():
                client.close()
                continue
            if self._hang.is_set():
                with self._lock:
                    self._sockets.add(client)
                threading.Thread(target=self._pipe, args=(client, None), daemon=True).start()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._sockets.update((client, upstream))
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket | None) -> None:
        try:
            while data := source.recv(65536):
                if sink is None or self._hang.is_set():
                    self._swallow(data)
                else:
                    sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink) if sink else (source,):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            with self._lock:
                self._sockets.discard(source)
                self._sockets.discard(sink)
