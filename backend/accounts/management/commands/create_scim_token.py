from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.accounts.scim.authentication import scim_token_create
from backend.api.errors import Conflict


class Command(BaseCommand):
    help = (
        "Create a bearer token for an identity provider's SCIM client (Entra ID, Okta …). "
        "The token is printed once; only its hash is stored. Revoke it in the admin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="A name for the client, e.g. entra-id")

    def handle(self, *args: Any, name: str, **options: Any) -> None:
        if not name.strip():
            raise CommandError("Give the token a name, e.g. entra-id.")
        try:
            _, raw = scim_token_create(name=name.strip())
        except Conflict as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(raw)
        self.stderr.write("Paste this token into the provider now: it is not shown again.")
