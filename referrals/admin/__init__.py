"""Referrals in the admin. Sales ops set up campaigns, decide attributions through the
review workspace (`referrals.ops.admin`) and see everything else read-only; attribution
events can never be changed or deleted, by anyone.

Django's admin autodiscovery imports this package; importing it registers every admin.
"""

from referrals.admin import records
from referrals.admin.common import AttributionEventInline, ReadOnlyAdmin
from referrals.ops import admin as review

__all__ = ["AttributionEventInline", "ReadOnlyAdmin", "records", "review"]
