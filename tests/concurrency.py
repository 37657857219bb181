"""Run the same callable in parallel threads, released together by a barrier.

Each thread gets its own database connection (Django connections are per thread), so
on PostgreSQL the calls really race. Use with `@pytest.mark.django_db(transaction=True)`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from django.db import connections

T = TypeVar("T")


def run_concurrently(work: Callable[[int], T], count: int, *, timeout: float = 30) -> list[T]:
    barrier = threading.Barrier(count)
    results: list[T | BaseException | None] = [None] * count

    def runner(index: int) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[index] = work(index)
        except BaseException as exc:  # reported to the caller below
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    errors = [r for r in results if isinstance(r, BaseException)]
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]
