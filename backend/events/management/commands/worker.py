from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Run a job worker (Procrastinate): push, webhooks, password reset mails and the periodic "
        "jobs. Run one or more beside the app servers; they share the queue in PostgreSQL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=4, help="jobs run at once")

    def handle(self, *args: Any, concurrency: int, **options: Any) -> None:
        if settings.JOBS_IN_PROCESS:
            raise CommandError(
                "This database is SQLite (the demo): jobs run in-process after each commit, "
                "so there is no queue for a worker. Use PostgreSQL to run workers."
            )
        # Every worker also defers the periodic jobs; Procrastinate makes sure each run
        # is deferred once however many workers there are.
        call_command(
            "procrastinate", "worker", f"--concurrency={concurrency}", "--delete-jobs=successful"
        )
