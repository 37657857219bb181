"""Small shared parts of the referrals API views."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.pagination import CursorPagination
from backend.api.rendering import render_many
from backend.api.serializers import QueryParamsSerializer
from referrals.links import QR_MEDIA_TYPES, qr_image

TAGS = ["referrals"]


def paginated_response(
    *,
    queryset: QuerySet[Any],
    serializer_class: type[serializers.Serializer],
    request: Request,
    view: APIView,
) -> Response:
    paginator = CursorPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(render_many(serializer_class, page or []))


class IgnoreFormatNegotiation(DefaultContentNegotiation):
    """`?format=svg|png` chooses the QR image, not a DRF renderer; errors stay JSON."""

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class QrFormatSerializer(QueryParamsSerializer):
    format = serializers.ChoiceField(choices=sorted(QR_MEDIA_TYPES), default="svg")


# The same bytes under a generic type, for clients that take any download but no image
# type (generated API clients among them): chosen only when Accept prefers it.
QR_GENERIC_MEDIA_TYPE = "application/octet-stream"


def qr_response(request: Request, content: str, *, kind: str, filename: str) -> HttpResponse:
    image_type = QR_MEDIA_TYPES[kind]
    # Accept never refuses the image (`format` chooses it), so no 406 for an Accept that
    # names neither type; a missing Accept (any type) gets the image.
    media_type = request.get_preferred_type([image_type, QR_GENERIC_MEDIA_TYPE]) or image_type
    response = HttpResponse(qr_image(content, kind=kind), content_type=media_type)
    response["Content-Disposition"] = f'inline; filename="{filename}.{kind}"'
    response["Cache-Control"] = "private, max-age=3600"
    patch_vary_headers(response, ["Accept"])
    return response


QR_FORMAT_PARAMETER = OpenApiParameter(
    "format", OpenApiTypes.STR, enum=["svg", "png"], default="svg", description="Image format."
)
_QR_IMAGE = OpenApiResponse(
    response=OpenApiTypes.BINARY,
    description=(
        "The QR image in the `format` asked for (SVG or PNG). The same bytes come as "
        f"`{QR_GENERIC_MEDIA_TYPE}` when the Accept header prefers that type."
    ),
)
QR_RESPONSES = {
    (200, QR_MEDIA_TYPES["svg"]): _QR_IMAGE,
    (200, QR_MEDIA_TYPES["png"]): _QR_IMAGE,
    (200, QR_GENERIC_MEDIA_TYPE): _QR_IMAGE,
}
