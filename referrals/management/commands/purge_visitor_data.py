from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.api.errors import DomainError
from referrals.services.privacy import visitor_data_purge


class Command(BaseCommand):
    help = (
        "Erase visitor detail (the salted visitor hash and the exact time) from visits and "
        "friend feedback older than the retention period. Counts by share and day stay. "
        "Idempotent: run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than",
            type=int,
            default=settings.VISITOR_DATA_RETENTION_DAYS,
            metavar="DAYS",
            help=f"retention in days (default {settings.VISITOR_DATA_RETENTION_DAYS})",
        )

    def handle(self, *args: Any, older_than: int, **options: Any) -> None:
        try:
            result = visitor_data_purge(older_than_days=older_than)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"visitor detail erased before {result.cutoff}: "
            f"visits={result.visits} feedback={result.feedback}"
        )
