from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.api.errors import DomainError
from backend.events.webhooks import EVENT_TYPES, endpoint_create


class Command(BaseCommand):
    help = (
        "Create a webhook endpoint and print its signing secret (whsec_…) once; "
        "only an encrypted copy is kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url")
        parser.add_argument(
            "--events",
            required=True,
            help=f"comma-separated event types: {', '.join(EVENT_TYPES)}",
        )
        parser.add_argument("--description", default="")

    def handle(self, *args: Any, url: str, events: str, description: str, **options: Any) -> None:
        try:
            endpoint, secret = endpoint_create(
                url=url,
                event_types=[name.strip() for name in events.split(",") if name.strip()],
                description=description,
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stderr.write(f"endpoint {endpoint.pk} created for {', '.join(endpoint.event_types)}")
        self.stdout.write(secret)
