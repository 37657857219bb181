from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.accounts.passwords import employees_invite


class Command(BaseCommand):
    help = (
        "Email a one-time link to set a password to active employees who have none: all of "
        "them (--all) or the ones named by email. Others are skipped with the reason."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("emails", nargs="*", help="Work email addresses")
        parser.add_argument(
            "--all", action="store_true", dest="everyone", help="Every employee without one"
        )

    def handle(self, *args: Any, emails: list[str], everyone: bool, **options: Any) -> None:
        if everyone == bool(emails):
            raise CommandError("Name employees by email, or give --all (not both).")
        result = employees_invite(emails=emails, everyone=everyone)
        for email, reason in result.skipped.items():
            self.stderr.write(f"skipped {email}: {reason}")
        self.stdout.write(f"invited={len(result.invited)} skipped={len(result.skipped)}")
