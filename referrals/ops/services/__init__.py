"""Sales ops writes. Decisions on attributions and claims are `referrals.services.decisions`
and `referrals.services.claims`, shared with the rest of the app."""
