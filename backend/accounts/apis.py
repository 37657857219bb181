"""Auth and profile endpoints: parse, call a service, serialize."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts import passwords, services
from backend.accounts.models import Employee, Language
from backend.accounts.selectors import employee_personal_code
from backend.api.permissions import IsEmployee, Public
from backend.api.rendering import render
from backend.api.request import EmployeeRequest
from backend.api.serializers import StrictInputSerializer
from backend.api.throttling import (
    LoginIdentityThrottle,
    LoginRateThrottle,
    PasswordResetIdentityThrottle,
    TokenRefreshThrottle,
)


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


class SsoTokenApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [Public]
    throttle_classes = [LoginRateThrottle]
    error_codes = (401, 403, 404, 503)

    class InputSerializer(StrictInputSerializer):
        id_token = serializers.CharField(
            max_length=16384,
            help_text="The ID token (a JWT) the app received from the company's OpenID provider.",
        )

    @extend_schema(
        operation_id="auth_sso_token",
        tags=["auth"],
        summary="Sign in with the company's identity provider (OpenID Connect ID token)",
        description=(
            "Verifies the ID token (signature against the provider's published keys, "
            "issuer, audience, expiry) and returns the same pair as `auth/token/` for the "
            "active employee whose email the token carries. Nobody is created by signing "
            "in. Each ID token signs in once: to sign in again, get a new one from the "
            "provider (a retried request with the same token is refused). Errors: 401 "
            "`id_token_*` (expired, wrong audience or issuer, unknown key, refused "
            "algorithm, `id_token_replayed`), 403 `not_on_roster` or `account_inactive`, 404 "
            "`sso_not_configured` when single sign-on is off, 503 "
            "`identity_provider_unavailable`."
        ),
        request=InputSerializer,
        responses={200: TokenPairSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        pair = services.auth_sso_login(id_token=serializer.validated_data["id_token"])
        return Response(TokenPairSerializer(pair).data)


class PasswordResetApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [Public]
    throttle_classes = [LoginRateThrottle, PasswordResetIdentityThrottle]

    class InputSerializer(StrictInputSerializer):
        email = serializers.EmailField(max_length=254)

    @extend_schema(
        operation_id="auth_password_reset",
        tags=["auth"],
        summary="Ask for a link to set a new password (always 202)",
        description=(
            "When an active employee has this email, a one-time link to set a password is "
            "mailed to it, in their language, shortly after (by the job worker). The answer "
            "is 202 either way, and the request does the same work either way, so neither "
            "the answer nor its timing tells who works here."
        ),
        request=InputSerializer,
        responses={202: None},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        passwords.password_reset_request(email=serializer.validated_data["email"])
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(APIView):
    authentication_classes: list[type] = []
    permission_classes = [Public]
    throttle_classes = [LoginRateThrottle]

    class InputSerializer(StrictInputSerializer):
        uid = serializers.CharField(max_length=64, help_text="From the link: `…/<uid>/<token>/`.")
        token = serializers.CharField(max_length=128, help_text="From the link.")
        new_password = serializers.CharField(
            max_length=passwords.PASSWORD_MAX_LENGTH, trim_whitespace=False
        )

    @extend_schema(
        operation_id="auth_password_reset_confirm",
        tags=["auth"],
        summary="Set a new password with the link's uid and token",
        description=(
            "The link works once and expires. The password must pass the password rules "
            "(400 with `fields.new_password`). Every existing session ends. 400 "
            "`reset_link_invalid`: the link expired, was used or never existed."
        ),
        request=InputSerializer,
        responses={204: None},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        passwords.password_reset_confirm(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


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
    def post(self, request: EmployeeRequest) -> Response:
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
        return employee_personal_code(employee=employee)


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
    def get(self, request: EmployeeRequest) -> Response:
        return Response(render(EmployeeProfileSerializer, request.user))

    @extend_schema(
        operation_id="me_update",
        tags=["me"],
        summary="Change your language or ranking opt-out",
        request=InputSerializer,
        responses={200: EmployeeProfileSerializer},
    )
    def patch(self, request: EmployeeRequest) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        employee = services.employee_update_preferences(
            employee=request.user, data=serializer.validated_data
        )
        return Response(render(EmployeeProfileSerializer, employee))
