"""Sales ops: the review queue, one attribution's full story, decisions, claims review,
the funnel report with its daily rollup, the CSV export and the admin workspace.

The same layers as the rest of the app:

- `selectors/` read: the queue and its filters, the review of one attribution, claims,
  the funnel report, the CSV lines, the admin dashboard;
- `services/` write: the funnel rollup. Decisions on attributions and claims are the
  domain's own writes and live with the rest of them, in `referrals.services.decisions`
  and `referrals.services.claims`;
- `apis/` parse → call → serialize, for the URLs in `referrals.urls.ops`;
- `admin.py` registers the review workspace in the Django admin (imported by the app's
  `ready()`);
- `funnel.py` declares what the funnel counts (dimensions, metrics, keys), for the report
  and the rollup alike.
"""
