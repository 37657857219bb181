"""Sign-up ingestion and the attribution rules.

One code path serves a single sign-up and a batch of up to 1,000: the reads for the whole
call are two round trips (`context`), the rules run in memory (`rules`, in DESIGN.md's
order), and the writes are bulk inserts or COPY (`writers`) — a fixed number of queries
per call, whatever the batch size. A call is one transaction that lands whole or not at
all, re-planned when the database decides a race (`ingest`). `lifecycle` records
activations and cancellations.
"""

from referrals.services.signups.ingest import signups_ingest
from referrals.services.signups.inputs import MAX_BATCH, IngestResult, Outcome, SignupInput
from referrals.services.signups.lifecycle import signup_activate, signup_cancel
from referrals.services.signups.writers import COPY_FROM

__all__ = [
    "COPY_FROM",
    "MAX_BATCH",
    "IngestResult",
    "Outcome",
    "SignupInput",
    "signup_activate",
    "signup_cancel",
    "signups_ingest",
]
