"""Fixtures of the identity tests: a real SMTP server on loopback."""

from tests.accounts.smtp import smtp_inbox  # noqa: F401
