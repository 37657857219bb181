"""Auth and profile endpoints: parse, call a service, serialize."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts import services
from backend.accounts.models import Employee, Language
from backend.accounts.selectors import employee_personal_code
from backend.api.permissions import IsEmployee, Public
from backend.api.serializers import StrictInputSerializer
from backend.api.throttling import LoginIdentityThrottle, LoginRateThrottle, TokenRefreshThrottle
from referrals.codes import format_code


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="Short-lived access token: `Authorization: Bearer …`.")
    refresh = serializers.CharField(help_text="Refresh token; each use returns a new one.")


class TokenObtainApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [Public]
    throttle_classes = [LoginRateThrottle, LoginIdentityThrottle]
    error_codes = (401,)

    class InputSerializer(StrictInputSerializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, trim_whitespace=False)

    @extend_schema(
        operation_id="auth_token_obtain",
        tags=["auth"],
        summary="Log in with email and password",
        request=InputSerializer,
        responses={200: TokenPairSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = services.auth_login(**serializer.validated_data, request=request._request)
        return Response(TokenPairSerializer(pair).data)


class TokenRefreshApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [Public]
    throttle_classes = [TokenRefreshThrottle]
    error_codes = (401,)

    class InputSerializer(StrictInputSerializer):
        refresh = serializers.CharField(max_length=2048)

    @extend_schema(
        operation_id="auth_token_refresh",
        tags=["auth"],
        summary="Exchange a refresh token for a new pair (the old one stops working)",
        request=InputSerializer,
        responses={200: TokenPairSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = services.auth_refresh(refresh=serializer.validated_data["refresh"])
        return Response(TokenPairSerializer(pair).data)


class LogoutApi(APIView):
    permission_classes = [IsEmployee]

    class InputSerializer(StrictInputSerializer):
        refresh = serializers.CharField(max_length=2048)

    @extend_schema(
        operation_id="auth_logout",
        tags=["auth"],
        summary="Log out: the refresh token can no longer be used",
        request=InputSerializer,
        responses={204: None},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.auth_logout(employee=request.user, refresh=serializer.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmployeeProfileSerializer(serializers.ModelSerializer):
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)
    personal_code = serializers.SerializerMethodField(
        help_text="Your personal referral code, `XXXXX-XXXXX`."
    )

    class Meta:
        model = Employee
        fields = [
            "id",
            "email",
            "employee_number",
            "display_name",
            "department",
            "team",
            "language",
            "roles",
            "is_staff",
            "ranking_opt_out",
            "personal_code",
        ]
        read_only_fields = fields

    def get_personal_code(self, employee: Employee) -> str | None:
        raw = getattr(employee, "personal_code", None)
        return format_code(raw) if raw else None


def _profile(employee: Employee) -> dict[str, Any]:
    """What EmployeeProfileSerializer renders, built directly: this is the most frequent
    call of the app, and the serializer's field machinery costs more than the query."""
    code = employee_personal_code(employee=employee)
    return {
        "id": employee.pk,
        "email": employee.email,
        "employee_number": employee.employee_number,
        "display_name": employee.display_name,
        "department": employee.department,
        "team": employee.team,
        "language": employee.language,
        "roles": employee.roles,
        "is_staff": employee.is_staff,
        "ranking_opt_out": employee.ranking_opt_out,
        "personal_code": format_code(code) if code else None,
    }


class MeApi(APIView):
    permission_classes = [IsEmployee]

    class InputSerializer(StrictInputSerializer):
        language = serializers.ChoiceField(choices=Language.choices, required=False)
        ranking_opt_out = serializers.BooleanField(required=False)

    @extend_schema(
        operation_id="me_retrieve",
        tags=["me"],
        summary="Your profile, roles and personal referral code",
        responses={200: EmployeeProfileSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response(_profile(request.user))

    @extend_schema(
        operation_id="me_update",
        tags=["me"],
        summary="Change your language or ranking opt-out",
        request=InputSerializer,
        responses={200: EmployeeProfileSerializer},
    )
    def patch(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        employee = services.employee_update_preferences(
            employee=request.user, data=serializer.validated_data
        )
        return Response(_profile(employee))
