from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from referrals.services.attribution import attributions_expire


class Command(BaseCommand):
    help = (
        "Reverse (reason not_activated) pending attributions whose sign-up was not "
        "activated within ACTIVATION_DAYS. Idempotent; run daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        expired = attributions_expire()
        self.stdout.write(f"expired={expired}")
