from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.accounts.models import Employee
from knowledge.services.importer import ImportRefused, articles_import_directory


class Command(BaseCommand):
    help = (
        "Import knowledge articles from Markdown files with YAML front matter (see README). "
        "Matched by slug, so running it again changes nothing. A set with any bad file is "
        "refused as a whole, naming every bad file; nothing is written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="Folder with *.md files")
        parser.add_argument("--owner", help="Email of the employee who owns newly created articles")

    def handle(self, *args: Any, directory: Path, owner: str | None, **options: Any) -> None:
        owner_employee = None
        if owner:
            owner_employee = Employee.objects.filter(email=owner.strip().lower()).first()
            if owner_employee is None:
                raise CommandError(f"--owner: no employee with email {owner!r}")
        try:
            result = articles_import_directory(directory=directory, owner=owner_employee)
        except ImportRefused as exc:
            raise CommandError(
                f"{directory}: refused, nothing was written:\n" + "\n".join(exc.errors)
            ) from None
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        self.stdout.write(
            f"created={result.created} updated={result.updated} unchanged={result.unchanged} "
            f"categories_created={result.categories_created} "
            f"categories_updated={result.categories_updated}"
        )
