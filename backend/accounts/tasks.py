"""Jobs of accounts, run by `manage.py worker` (in-process after commit on the demo)."""

from __future__ import annotations

from backend.accounts.passwords import password_reset_mail_send
from backend.accounts.services import expired_tokens_purge
from backend.events.queue import RetrySchedule, app, connections_refresh


@app.task(name="accounts.password_reset_mail", retry=RetrySchedule("MAIL_RETRY_SCHEDULE"))
def password_reset_mail(sealed_email: str) -> None:
    connections_refresh()
    password_reset_mail_send(sealed_email=sealed_email)


@app.periodic(cron="20 4 * * *", periodic_id="purge_expired_tokens")
@app.task(name="accounts.purge_expired_tokens", queueing_lock="purge_expired_tokens")
def purge_expired_tokens(timestamp: int) -> None:
    connections_refresh()
    expired_tokens_purge()
