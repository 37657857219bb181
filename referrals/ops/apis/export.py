"""The review queue's CSV download, for the API and the admin alike."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from referrals.models import Attribution
from referrals.ops.selectors.export import queue_csv_lines

CONTENT_TYPE = "text/csv; charset=utf-8"


def queue_csv_response(
    queryset: QuerySet[Attribution], *, review_first: bool
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        queue_csv_lines(queryset, review_first=review_first), content_type=CONTENT_TYPE
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="attributions-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
