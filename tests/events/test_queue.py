"""The retry schedules the worker follows."""

from __future__ import annotations

from procrastinate.jobs import Job

from backend.events.queue import RetrySchedule


def job(attempts: int) -> Job:
    return Job(
        id=1, queue="default", lock=None, queueing_lock=None, task_name="t", attempts=attempts
    )


def test_webhook_retries_start_within_ten_seconds_and_give_up_after_about_a_day() -> None:
    schedule = RetrySchedule("WEBHOOK_RETRY_SCHEDULE")
    waits = []
    attempts = 0
    while decision := schedule.get_retry_decision(exception=Exception(), job=job(attempts)):
        waits.append(decision.retry_at)
        attempts += 1

    assert schedule.waits()[0] == 10
    assert attempts == 8
    assert 20 * 3600 <= sum(schedule.waits()) <= 30 * 3600
    assert schedule.waits() == sorted(schedule.waits())


def test_a_changed_schedule_applies_at_the_next_failure(settings) -> None:
    schedule = RetrySchedule("WEBHOOK_RETRY_SCHEDULE")
    settings.WEBHOOK_RETRY_SCHEDULE = [1]

    assert schedule.get_retry_decision(exception=Exception(), job=job(0)) is not None
    assert schedule.get_retry_decision(exception=Exception(), job=job(1)) is None
