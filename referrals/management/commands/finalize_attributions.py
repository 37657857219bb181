from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from referrals.services.attribution import attributions_finalize


class Command(BaseCommand):
    help = (
        "Confirm pending attributions whose sign-up was activated and whose withdrawal "
        "period (WITHDRAWAL_DAYS) passed without cancellation. Idempotent; run daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        confirmed = attributions_finalize()
        self.stdout.write(f"confirmed={confirmed}")
