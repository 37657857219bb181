"""The job queue: Procrastinate, with its jobs in PostgreSQL.

A job is deferred on the request's own database connection, so it is part of the
business transaction: a committed change always has its job, a rolled-back one never
does, whether or not a worker runs at that moment (no outbox to drain, no broker).

The demo runs on SQLite, where Procrastinate cannot live. There `JOBS_IN_PROCESS` is on
and a deferred job runs in the same process right after the transaction commits (and
not at all after a rollback): the same tasks, the same code, without retries or
periodic runs. Production and the test suite use PostgreSQL and `manage.py worker`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from procrastinate import BaseRetryStrategy, RetryDecision
from procrastinate.contrib.django import app
from procrastinate.jobs import Job

logger = logging.getLogger(__name__)

__all__ = ["RetrySchedule", "app", "connections_refresh", "job_defer"]


def connections_refresh() -> None:
    """Drops database connections past their age or broken, as Django does around each
    request: a worker thread otherwise keeps a dead connection for good. Not inside a
    transaction (a job called directly, e.g. from a test or the shell)."""
    if not connection.in_atomic_block:
        close_old_connections()


def job_defer(
    task: Any, *, lock: str | None = None, schedule_in: int | None = None, **kwargs: Any
) -> None:
    """Defers `task(**kwargs)` inside the current transaction (see the module docstring).

    `lock` serialises jobs sharing it in the order they were deferred.
    """
    if settings.JOBS_IN_PROCESS:
        transaction.on_commit(lambda: _run_in_process(task, kwargs))
        return
    options: dict[str, Any] = {"lock": lock}
    if schedule_in is not None:
        options["schedule_in"] = {"seconds": schedule_in}
    task.configure(**options).defer(**kwargs)


def _run_in_process(task: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    try:
        task(**kwargs)
    except Exception:
        # The demo has no retries; the change that caused the job is committed anyway.
        logger.exception("In-process job %s failed", getattr(task, "name", task))


class RetrySchedule(BaseRetryStrategy):
    """Retries after the waits (in seconds) a setting names, read at each failure so
    tests and operators can change it: attempt n + 1 waits `schedule[n]`."""

    def __init__(self, setting: str) -> None:
        self.setting = setting

    def waits(self) -> list[int]:
        return list(getattr(settings, self.setting))

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        waits = self.waits()
        if job.attempts >= len(waits):
            return None
        return RetryDecision(retry_in={"seconds": waits[job.attempts]})
