"""Reads of the referrals app, one module per part: `codes`, `shares` (the employee's and
the friend's view of one), `attributions`, `claims`, `impact` and `campaigns`.
Employee-facing reads are always scoped to the employee."""

from referrals.selectors.codes import personal_code_of

__all__ = ["personal_code_of"]  # read by `backend.accounts` for `/me`
