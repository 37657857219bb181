from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from referrals.ops.services.rollup import funnel_rollup


class Command(BaseCommand):
    help = (
        "Count shares, visits and attributions of the days that are over into the funnel "
        "rollup, which keeps the funnel report fast, and count again the days whose "
        "attributions changed since the last run. Idempotent: schedule it every few minutes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild", action="store_true", help="count every day again from the first one"
        )

    def handle(self, *args: Any, rebuild: bool = False, **options: Any) -> None:
        result = funnel_rollup(rebuild=rebuild)
        self.stdout.write(
            f"funnel rolled up until {result.rolled_until or '-'}: {result.days_added} day(s) "
            f"added, {result.days_recounted} day(s) with changed attributions counted again"
        )
