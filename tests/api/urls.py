"""Extra views that raise each kind of error, mounted next to the real URLs."""

from __future__ import annotations

from django.db import IntegrityError, OperationalError
from django.urls import path
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.errors import Conflict
from backend.api.permissions import IsEditor, IsEmployee, Public
from backend.urls import urlpatterns as real_urlpatterns


class ItemSerializer(serializers.Serializer):
    email = serializers.EmailField()


class NestedInput(serializers.Serializer):
    name = serializers.CharField(max_length=5)
    items = ItemSerializer(many=True)


class ValidateApi(APIView):
    permission_classes = [Public]
    authentication_classes: list[type] = []

    def post(self, request: Request) -> Response:
        NestedInput(data=request.data).is_valid(raise_exception=True)
        return Response({})


class ConflictApi(APIView):
    permission_classes = [IsEmployee]

    def post(self, request: Request) -> Response:
        raise Conflict("Someone changed this first.", code="stale_version")


class EditorOnlyApi(APIView):
    permission_classes = [IsEditor]

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class NoPermissionsDeclaredApi(APIView):
    authentication_classes: list[type] = []

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class IntegrityApi(APIView):
    permission_classes = [Public]
    authentication_classes: list[type] = []

    def get(self, request: Request) -> Response:
        raise IntegrityError("duplicate key value violates unique constraint")


class DatabaseDownApi(APIView):
    permission_classes = [Public]
    authentication_classes: list[type] = []

    def get(self, request: Request) -> Response:
        raise OperationalError("connection refused")


class BugApi(APIView):
    permission_classes = [Public]
    authentication_classes: list[type] = []

    def get(self, request: Request, secret: str = "") -> Response:
        raise RuntimeError("a bug")


urlpatterns = [
    path("api/test/validate/", ValidateApi.as_view()),
    path("api/test/conflict/", ConflictApi.as_view()),
    path("api/test/editor-only/", EditorOnlyApi.as_view()),
    path("api/test/no-permissions/", NoPermissionsDeclaredApi.as_view()),
    path("api/test/integrity/", IntegrityApi.as_view()),
    path("api/test/database-down/", DatabaseDownApi.as_view()),
    path("api/test/bug/", BugApi.as_view()),
    path("api/test/bug/<str:secret>/", BugApi.as_view()),
    *real_urlpatterns,
]

handler404 = "backend.api.views.not_found"
handler500 = "backend.api.views.server_error"
