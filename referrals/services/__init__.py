"""Writes of the referrals app, one module per room: codes, shares (and visits), sign-ups
(ingestion and the attribution rules), attribution status changes, and claims."""
