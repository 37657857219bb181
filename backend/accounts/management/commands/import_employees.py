from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.accounts.roster import RosterError, roster_import, roster_parse


class Command(BaseCommand):
    help = (
        "Upsert employees from an HR roster CSV (see README for the columns). A file with "
        "any bad row is refused as a whole, listing every bad line; nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("roster", type=Path, help="Path to the roster CSV file")

    def handle(self, *args: Any, roster: Path, **options: Any) -> None:
        try:
            text = roster.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CommandError(f"{roster}: no such file") from None
        except UnicodeDecodeError:
            raise CommandError(f"{roster}: not UTF-8 text") from None
        try:
            result = roster_import(rows=roster_parse(text))
        except RosterError as exc:
            raise CommandError(
                f"{roster}: refused, nothing was written:\n" + "\n".join(exc.errors)
            ) from None
        self.stdout.write(
            f"created={result.created} updated={result.updated} "
            f"deactivated={result.deactivated} reactivated={result.reactivated} "
            f"unchanged={result.unchanged}"
        )
