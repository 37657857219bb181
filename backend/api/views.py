"""Health checks and the URL-level error handlers."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.errors import ServiceUnavailable, error_json_response
from backend.api.permissions import Public

logger = logging.getLogger(__name__)


class HealthApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [Public]

    @extend_schema(
        operation_id="healthz",
        tags=["health"],
        summary="Liveness: the process is up",
        responses={
            200: inline_serializer("Health", {"status": serializers.CharField()}),
        },
    )
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


class ReadinessApi(APIView):
    """Ready when the database answers; the cache is reported but never fails readiness,
    because throttles fail open without it."""

    authentication_classes: list[type] = []
    permission_classes = [Public]

    @extend_schema(
        operation_id="readyz",
        tags=["health"],
        summary="Readiness: the database is reachable",
        responses={
            200: inline_serializer(
                "Readiness",
                {
                    "status": serializers.CharField(),
                    "checks": serializers.DictField(child=serializers.CharField()),
                },
            ),
        },
    )
    def get(self, request: Request) -> Response:
        checks: dict[str, str] = {}
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            checks["database"] = "ok"
        except Exception as exc:
            logger.error(
                "readiness: database unreachable",
                extra={"error": type(exc).__name__, "detail": str(exc)[:300]},
            )
            # Drop the broken connection so the next probe reconnects.
            connection.close_if_unusable_or_obsolete()
            raise ServiceUnavailable("The database is unreachable.") from None
        try:
            cache.get("readyz")
            checks["cache"] = "ok"
        except Exception:
            checks["cache"] = "unavailable"
        return Response({"status": "ok", "checks": checks})


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.META.get(
        "HTTP_ACCEPT", ""
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return error_json_response(404, "not_found", "No endpoint at this address.")
    from django.views.defaults import page_not_found

    return page_not_found(request, exception or Exception())


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return error_json_response(500, "server_error", "Something went wrong on our side.")
    from django.views.defaults import server_error as html_server_error

    return html_server_error(request)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_json_response(400, "bad_request", "The request could not be understood.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return error_json_response(403, "permission_denied", "You may not do this.")
    from django.views.defaults import permission_denied as html_denied

    return html_denied(request, exception or Exception())
