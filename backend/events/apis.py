"""The employee's own notifications, devices and push preference.

Everything is scoped to the signed-in employee: another employee's notification or device
is a 404, never a 403.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.pagination import CursorPagination
from backend.api.permissions import IsEmployee
from backend.api.request import EmployeeRequest
from backend.api.serializers import (
    QueryParamsSerializer,
    StrictInputSerializer,
    refuse_body_fields,
)
from backend.api.throttling import CacheCounterThrottle
from backend.events import catalog, selectors, services
from backend.events.models import DevicePlatform, Notification

TAGS = ["notifications"]


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=sorted(catalog.KINDS))
    title = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField()
    data = serializers.JSONField(  # type: ignore[assignment]
        source="params", help_text="Ids and titles to open what it is about; never friend data."
    )
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, notification: Notification) -> dict[str, Any]:
        # Title and body come from one render, not one each.
        self._text = catalog.render(
            notification.kind, notification.params, self.context["language"]
        )
        return super().to_representation(notification)

    def get_title(self, notification: Notification) -> str:
        return self._text[0]

    def get_body(self, notification: Notification) -> str:
        return self._text[1]


class FeedPagination(CursorPagination):
    """Cursor pages with the employee's unread count beside them."""

    unread_count = 0

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["unread_count"] = self.unread_count
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        response = super().get_paginated_response_schema(schema)
        response["properties"]["unread_count"] = {
            "type": "integer",
            "description": "Unread notifications in the whole feed, not just this page.",
        }
        response["required"] = [*response["required"], "unread_count"]
        return response


class NotificationListApi(APIView):
    permission_classes = [IsEmployee]
    pagination_class = FeedPagination

    class FilterSerializer(QueryParamsSerializer):
        unread = serializers.BooleanField(required=False, default=None, allow_null=True)

    @extend_schema(
        operation_id="notifications_list",
        tags=TAGS,
        summary="Your notifications, newest first, with the unread count",
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description="only unread")],
        responses={200: NotificationSerializer(many=True)},
    )
    def get(self, request: EmployeeRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        paginator = FeedPagination()
        page = paginator.paginate_queryset(
            selectors.notifications_of(
                employee=request.user, unread=filters.validated_data.get("unread")
            ),
            request,
            view=self,
        )
        paginator.unread_count = selectors.unread_count(employee=request.user)
        context = {"language": request.user.language}
        return paginator.get_paginated_response(
            NotificationSerializer(page, many=True, context=context).data
        )


class NotificationReadApi(APIView):
    permission_classes = [IsEmployee]
    error_codes = (404,)

    @extend_schema(
        operation_id="notifications_read",
        tags=TAGS,
        summary="Mark one of your notifications read",
        request=None,
        responses={200: NotificationSerializer},
    )
    def post(self, request: EmployeeRequest, notification_id: int) -> Response:
        refuse_body_fields(request.data)
        notification = services.notification_mark_read(
            employee=request.user, notification_id=notification_id
        )
        context = {"language": request.user.language}
        return Response(NotificationSerializer(notification, context=context).data)


class NotificationReadAllApi(APIView):
    permission_classes = [IsEmployee]

    class OutputSerializer(serializers.Serializer):
        marked_read = serializers.IntegerField()
        unread_count = serializers.IntegerField()

    @extend_schema(
        operation_id="notifications_read_all",
        tags=TAGS,
        summary="Mark all your notifications read",
        request=None,
        responses={200: OutputSerializer},
    )
    def post(self, request: EmployeeRequest) -> Response:
        refuse_body_fields(request.data)
        marked = services.notifications_mark_all_read(employee=request.user)
        return Response(self.OutputSerializer({"marked_read": marked, "unread_count": 0}).data)


class DeviceThrottle(CacheCounterThrottle):
    """Device registrations per employee: an app re-registers on start, not in a loop."""

    scope = "devices"

    def get_ident_key(self, request: Request, view: object) -> str | None:
        return f"employee-{request.user.pk}" if request.method == "POST" else None


class DeviceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    platform = serializers.ChoiceField(choices=DevicePlatform.choices)
    timezone = serializers.CharField()
    created_at = serializers.DateTimeField()


class DeviceCreateApi(APIView):
    permission_classes = [IsEmployee]
    throttle_classes = [DeviceThrottle]

    class InputSerializer(StrictInputSerializer):
        platform = serializers.ChoiceField(choices=DevicePlatform.choices)
        token = serializers.CharField(max_length=512, help_text="The FCM registration token.")
        timezone = serializers.CharField(
            max_length=64,
            required=False,
            default=settings.TIME_ZONE,
            help_text="IANA time zone of the phone, for quiet hours (22:00 to 08:00).",
        )

    @extend_schema(
        operation_id="devices_create",
        tags=TAGS,
        summary="Register this phone for push messages",
        request=InputSerializer,
        responses={201: DeviceSerializer},
    )
    def post(self, request: EmployeeRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        device = services.device_register(
            employee=request.user,
            platform=data["platform"],
            token=data["token"],
            tz=data["timezone"],
        )
        return Response(DeviceSerializer(device).data, status=status.HTTP_201_CREATED)


class DeviceDeleteApi(APIView):
    permission_classes = [IsEmployee]
    error_codes = (404,)

    @extend_schema(
        operation_id="devices_delete",
        tags=TAGS,
        summary="Stop push messages to one of your phones",
        responses={204: None},
    )
    def delete(self, request: EmployeeRequest, device_id: int) -> Response:
        services.device_remove(employee=request.user, device_id=device_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PushPreferenceApi(APIView):
    permission_classes = [IsEmployee]

    class PreferenceSerializer(StrictInputSerializer):
        push_enabled = serializers.BooleanField(
            help_text="Off: notifications only appear in the app's feed."
        )

    @extend_schema(
        operation_id="notifications_preferences_read",
        tags=TAGS,
        summary="Your push preference",
        responses={200: PreferenceSerializer},
    )
    def get(self, request: EmployeeRequest) -> Response:
        enabled = selectors.push_enabled(employee=request.user)
        return Response(self.PreferenceSerializer({"push_enabled": enabled}).data)

    @extend_schema(
        operation_id="notifications_preferences_update",
        tags=TAGS,
        summary="Turn push messages on or off",
        request=PreferenceSerializer,
        responses={200: PreferenceSerializer},
    )
    def put(self, request: EmployeeRequest) -> Response:
        serializer = self.PreferenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        preference = services.push_preference_set(
            employee=request.user, push_enabled=serializer.validated_data["push_enabled"]
        )
        return Response(self.PreferenceSerializer(preference).data)
