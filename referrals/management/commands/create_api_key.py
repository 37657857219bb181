from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework_api_key.models import APIKey

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$")


class Command(BaseCommand):
    help = (
        "Create an API key for the sign-up system and print it once (only its hash is "
        "stored). NAME is the sign-up source: give a rotated key the same name."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Sign-up source, e.g. crm (letters, digits, . _ -)")

    def handle(self, *args: Any, name: str, **options: Any) -> None:
        if not _NAME.match(name):
            raise CommandError("NAME must be 1-50 letters, digits, '.', '_' or '-'.")
        _, key = APIKey.objects.create_key(name=name)
        self.stdout.write(f"API key for source {name!r} (shown only now, store it safely):")
        self.stdout.write(key)
