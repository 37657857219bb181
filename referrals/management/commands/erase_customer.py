from __future__ import annotations

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backend.api.errors import DomainError
from referrals.services.privacy import customer_erase


class Command(BaseCommand):
    help = (
        "Erase a friend (customer) from the referral data on their request: their identifier "
        "hashes go from every matching sign-up and claim, and the sign-ups are detached from "
        "the sign-up system's id. Anonymous counts and attributions stay. Audited."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", help="the friend's email address")
        parser.add_argument("--phone", help="the friend's phone number")
        parser.add_argument("--account", help="the friend's customer account number")
        parser.add_argument(
            "--requested-by",
            default="",
            help="who asked for or carries out the erasure (default: the login name)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        identifiers = {
            kind: options[kind] for kind in ("email", "phone", "account") if options.get(kind)
        }
        if not identifiers:
            raise CommandError("Give at least one of --email, --phone or --account.")
        requested_by = options["requested_by"] or getpass.getuser()
        try:
            result = customer_erase(identifiers=identifiers, requested_by=requested_by)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"erased: signups={result.signups} claims={result.claims}")
