"""What ingestion takes (a validated sign-up) and gives back (an outcome per item)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from referrals.models import Signup

MAX_BATCH = 1000


@dataclass(frozen=True)
class SignupInput:
    """One validated sign-up; customer identifiers are already keyed hashes."""

    external_id: str
    occurred_at: datetime
    sales_channel: str
    is_new_customer: bool
    customer_hashes: dict[str, str]
    code: str = ""
    share_token: str = ""
    product: str = ""

    def payload_hash(self) -> str:
        """Fingerprint of what was delivered, to tell a repeat from a changed payload."""
        canonical = {
            "occurred_at": self.occurred_at.astimezone(UTC).isoformat(),
            "code": self.code,
            "share_token": self.share_token,
            "customer": dict(sorted(self.customer_hashes.items())),
            "product": self.product,
            "sales_channel": self.sales_channel,
            "is_new_customer": self.is_new_customer,
        }
        return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


class Outcome:
    CREATED = "created"
    REPLAYED = "replayed"
    CONFLICT = "conflict"


@dataclass(frozen=True)
class IngestResult:
    external_id: str
    outcome: str
    signup: Signup | None  # the stored sign-up with its `attribution`; None for a conflict
