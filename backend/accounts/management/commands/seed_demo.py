from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from backend.accounts.demo import DEMO_PASSWORD, demo_employees_seed
from backend.accounts.extensions import demo_parts

OVERRIDE_FLAG = "--i-know-this-is-not-production"


class Command(BaseCommand):
    help = (
        "Create the demo organisation and content. Running it again changes nothing. "
        f"Refuses unless DEBUG is on or {OVERRIDE_FLAG} is given: it creates an "
        "administrator whose password is published in the README."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            OVERRIDE_FLAG,
            action="store_true",
            dest="not_production",
            help="Seed although DEBUG is off (a test or staging database, never production).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or options["not_production"]):
            raise CommandError(
                "seed_demo creates logins with a published password and runs only with "
                f"DEBUG on. On a database that is not production, pass {OVERRIDE_FLAG}."
            )
        employees = demo_employees_seed()
        self.stdout.write(f"employees: {employees.created} created")
        # Each app adds its own content (registered in its AppConfig.ready()).
        for part in demo_parts():
            for line in part():
                self.stdout.write(line)
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for login in employees.logins:
            self.stdout.write(f"  {login.email:<45} {login.role}")
