"""Fixtures of the identity tests: a real SMTP server on loopback, and the job worker."""

from tests.accounts.smtp import smtp_inbox  # noqa: F401
from tests.events.conftest import empty_queue, start_worker  # noqa: F401
