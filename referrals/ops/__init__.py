"""Sales ops: the review queue, the detail of one attribution, claims for review, the CSV
export and the funnel report. Reads only; decisions live in `referrals.services`."""
