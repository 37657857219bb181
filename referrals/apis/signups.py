"""Sign-up ingestion for the sign-up system (`Authorization: Api-Key <key>`)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.accounts.fields import (
    AccountIdentifierField,
    EmailIdentifierField,
    PhoneIdentifierField,
)
from backend.accounts.identifiers import hash_normalized, identifier_hash
from backend.api.errors import Conflict
from backend.api.moments import PlausibleDateTimeField
from backend.api.serializers import StrictInputSerializer
from referrals.authentication import HasSignupApiKey, SignupApiKeyAuthentication, source_of
from referrals.models import AttributionStatus, SalesChannel, Signup
from referrals.services.signups import (
    MAX_BATCH,
    Outcome,
    SignupInput,
    signup_activate,
    signup_cancel,
    signups_ingest,
)
from referrals.throttling import SignupApiKeyThrottle

TAGS = ["signups"]
EXTERNAL_ID = r"^[A-Za-z0-9._:-]{1,100}$"


class SignupCustomerSerializer(StrictInputSerializer):
    """At least one identifier. Each is normalised and replaced by its keyed hash at once;
    the clear value is never stored or logged."""

    schema_min_properties = 1

    email = EmailIdentifierField(required=False)
    phone = PhoneIdentifierField(required=False)
    account = AccountIdentifierField(required=False)

    def validate(self, attrs: dict[str, str]) -> dict[str, str]:
        if not attrs:
            raise serializers.ValidationError(
                "Give at least one of email, phone or account.", code="required"
            )
        return {kind: hash_normalized(kind, value) for kind, value in attrs.items()}


class SignupItemSerializer(StrictInputSerializer):
    external_id = serializers.RegexField(
        EXTERNAL_ID, help_text="Your id of the sign-up: letters, digits and `._:-`, at most 100."
    )
    occurred_at = PlausibleDateTimeField()
    code = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="The referral code the customer typed, as typed.",
    )
    share_token = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="The `share` parameter of the sign-up link, when present.",
    )
    customer = SignupCustomerSerializer()
    product = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    sales_channel = serializers.ChoiceField(choices=SalesChannel.choices)
    is_new_customer = serializers.BooleanField()

    class Meta:
        ref_name = "SignupItem"


# --- The fast path for well-formed batches ------------------------------------------------
# DRF's nested serializers cost about a millisecond per item, which caps a batch of 1,000 at
# a second of validation. A batch whose every item is plainly well-formed is checked here
# instead, with the same fields, limits and normalisation (the date-time field and the
# identifier hashing are the very ones the serializer uses). Anything this path is not sure
# of — a wrong type, an unknown field, surrounding whitespace, non-ASCII text, an invalid
# identifier — sends the whole batch through the serializers, which accept or refuse it with
# the documented errors. So this path never accepts what the serializers would refuse.

_ITEM_FIELDS = frozenset(
    {"external_id", "occurred_at", "code", "share_token", "customer", "product"}
    | {"sales_channel", "is_new_customer"}
)
_ITEM_REQUIRED = frozenset(
    {"external_id", "occurred_at", "customer", "sales_channel", "is_new_customer"}
)
_CUSTOMER_LIMITS = {"email": 254, "phone": 40, "account": 60}
_OPTIONAL_LIMITS = {"code": 32, "share_token": 64, "product": 100}
_EXTERNAL_ID_FULL = re.compile(EXTERNAL_ID.strip("^$"))
_CHANNELS = frozenset(SalesChannel.values)
_OCCURRED_AT = PlausibleDateTimeField()


def _plain_text(value: object, limit: int) -> bool:
    return (
        type(value) is str
        and len(value) <= limit
        and value.isascii()
        and value == value.strip()
        and "\x00" not in value
    )


def _fast_item(data: object) -> dict[str, Any] | None:
    """SignupItemSerializer's validated data for a plainly well-formed item, else None."""
    if type(data) is not dict or not data.keys() <= _ITEM_FIELDS:
        return None
    if not data.keys() >= _ITEM_REQUIRED:
        return None
    external_id = data["external_id"]
    if type(external_id) is not str or not _EXTERNAL_ID_FULL.fullmatch(external_id):
        return None
    if type(data["sales_channel"]) is not str or data["sales_channel"] not in _CHANNELS:
        return None
    if type(data["is_new_customer"]) is not bool:
        return None
    optional = {}
    for name, limit in _OPTIONAL_LIMITS.items():
        value = data.get(name, "")
        if not _plain_text(value, limit):
            return None
        optional[name] = value
    occurred_at = data["occurred_at"]
    customer = data["customer"]
    if type(occurred_at) is not str or type(customer) is not dict or not customer:
        return None
    if not customer.keys() <= _CUSTOMER_LIMITS.keys():
        return None
    hashes = {}
    for kind, value in customer.items():
        if not _plain_text(value, _CUSTOMER_LIMITS[kind]) or not value:
            return None
        try:
            hashes[kind] = identifier_hash(kind, value)
        except ValidationError:
            return None
    try:
        moment = _OCCURRED_AT.run_validation(occurred_at)
    except serializers.ValidationError:
        return None
    return {
        "external_id": external_id,
        "occurred_at": moment,
        "customer": hashes,
        "sales_channel": data["sales_channel"],
        "is_new_customer": data["is_new_customer"],
        **optional,
    }


def _fast_batch(data: object) -> list[dict[str, Any]] | None:
    if type(data) is not dict or data.keys() != {"items"}:
        return None
    items = data["items"]
    if type(items) is not list or not 1 <= len(items) <= MAX_BATCH:
        return None
    validated = []
    for item in items:
        fast = _fast_item(item)
        if fast is None:
            return None
        validated.append(fast)
    if len({item["external_id"] for item in validated}) != len(validated):
        return None  # the serializer names the repeated id
    return validated


def signup_result(signup: Signup) -> dict[str, Any]:
    """What SignupResultSerializer renders (built directly: a batch has a thousand)."""
    attribution = signup.attribution
    return {
        "id": signup.pk,
        "external_id": signup.external_id,
        "occurred_at": _OCCURRED_AT.to_representation(signup.occurred_at),
        "status": attribution.status,
        "reason": attribution.reason,
        "activated_at": _OCCURRED_AT.to_representation(signup.activated_at)
        if signup.activated_at
        else None,
        "cancelled_at": _OCCURRED_AT.to_representation(signup.cancelled_at)
        if signup.cancelled_at
        else None,
    }


def _to_input(data: dict[str, Any]) -> SignupInput:
    return SignupInput(
        external_id=data["external_id"],
        occurred_at=data["occurred_at"],
        sales_channel=data["sales_channel"],
        is_new_customer=data["is_new_customer"],
        customer_hashes=data["customer"],
        code=data["code"].strip(),
        share_token=data["share_token"].strip(),
        product=data["product"],
    )


class SignupResultSerializer(serializers.Serializer):
    """What the sign-up system learns: the outcome, never the referrer or customer data."""

    id = serializers.IntegerField()
    external_id = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    status = serializers.ChoiceField(source="attribution.status", choices=AttributionStatus.choices)
    reason = serializers.CharField(source="attribution.reason")
    activated_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)


class _SignupApi(APIView):
    authentication_classes = [SignupApiKeyAuthentication]
    permission_classes = [HasSignupApiKey]
    throttle_classes = [SignupApiKeyThrottle]


_CONFLICT = Conflict(
    "This external_id was delivered before with a different payload.", code="signup_conflict"
)


class SignupCreateApi(_SignupApi):
    error_codes = (409,)

    @extend_schema(
        operation_id="signups_create",
        tags=TAGS,
        summary="Report a sign-up: 201 when new, 200 with the stored result when repeated",
        request=SignupItemSerializer,
        responses={201: SignupResultSerializer, 200: SignupResultSerializer},
    )
    def post(self, request: Request) -> Response:
        item = _fast_item(request.data)
        if item is None:
            serializer = SignupItemSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            item = serializer.validated_data
        [result] = signups_ingest(source=source_of(request), items=[_to_input(item)])
        if result.outcome == Outcome.CONFLICT:
            raise Conflict(_CONFLICT.message, code=_CONFLICT.code)
        code = status.HTTP_201_CREATED if result.outcome == Outcome.CREATED else status.HTTP_200_OK
        assert result.signup is not None
        return Response(signup_result(result.signup), status=code)


class SignupItemErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class SignupBatchItemSerializer(serializers.Serializer):
    external_id = serializers.CharField()
    outcome = serializers.ChoiceField(
        choices=[Outcome.CREATED, Outcome.REPLAYED, Outcome.CONFLICT],
        help_text="`created`, `replayed` (delivered before, same payload) or `conflict`.",
    )
    signup = SignupResultSerializer(allow_null=True)
    error = SignupItemErrorSerializer(allow_null=True)


class SignupBatchApi(_SignupApi):
    class InputSerializer(StrictInputSerializer):
        items = SignupItemSerializer(many=True, min_length=1, max_length=MAX_BATCH)

        def validate_items(self, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            seen: set[str] = set()
            for item in items:
                if item["external_id"] in seen:
                    raise serializers.ValidationError(
                        f"external_id {item['external_id']} appears more than once.",
                        code="duplicate_external_id",
                    )
                seen.add(item["external_id"])
            return items

    @extend_schema(
        operation_id="signups_batch",
        tags=TAGS,
        summary=f"Report up to {MAX_BATCH} sign-ups at once; one result per item, in order",
        description=(
            "All or nothing: a malformed item refuses the whole call with 400 naming "
            "`items.<index>.<field>`, and nothing is written. Items delivered before are "
            "replayed; an external_id delivered before with another payload is a `conflict` "
            "item and does not stop the others."
        ),
        request=InputSerializer,
        responses={200: SignupBatchItemSerializer(many=True)},
    )
    def post(self, request: Request) -> Response:
        items = _fast_batch(request.data)
        if items is None:
            serializer = self.InputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            items = serializer.validated_data["items"]
        results = signups_ingest(
            source=source_of(request), items=[_to_input(item) for item in items]
        )
        body = [
            {
                "external_id": result.external_id,
                "outcome": result.outcome,
                "signup": signup_result(result.signup) if result.signup else None,
                "error": (
                    {"code": _CONFLICT.code, "message": _CONFLICT.message}
                    if result.outcome == Outcome.CONFLICT
                    else None
                ),
            }
            for result in results
        ]
        return Response(body)


# Records one moment of a sign-up's life (activation, cancellation). A comment, not a
# docstring: drf-spectacular would publish a docstring as every subclass's description.
class _SignupMomentApi(_SignupApi):
    error_codes = (409,)
    InputSerializer: type[StrictInputSerializer]

    def get_serializer_class(self) -> type[StrictInputSerializer]:
        return self.InputSerializer  # the request body, for the schema

    def record(self, *, source: str, external_id: str, moment: dict[str, Any]) -> Signup:
        raise NotImplementedError

    def post(self, request: Request, external_id: str) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        signup = self.record(
            source=source_of(request), external_id=external_id, moment=serializer.validated_data
        )
        return Response(signup_result(signup))


@extend_schema_view(
    post=extend_schema(
        operation_id="signups_activate",
        tags=TAGS,
        summary="The sign-up's service was activated (repeating the same moment is harmless)",
        responses={200: SignupResultSerializer},
    )
)
class SignupActivateApi(_SignupMomentApi):
    class InputSerializer(StrictInputSerializer):
        activated_at = PlausibleDateTimeField()

    def record(self, *, source: str, external_id: str, moment: dict[str, Any]) -> Signup:
        return signup_activate(source=source, external_id=external_id, **moment)


@extend_schema_view(
    post=extend_schema(
        operation_id="signups_cancel",
        tags=TAGS,
        summary="The customer cancelled; within the withdrawal period this reverses the referral",
        responses={200: SignupResultSerializer},
    )
)
class SignupCancelApi(_SignupMomentApi):
    class InputSerializer(StrictInputSerializer):
        cancelled_at = PlausibleDateTimeField()

    def record(self, *, source: str, external_id: str, moment: dict[str, Any]) -> Signup:
        return signup_cancel(source=source, external_id=external_id, **moment)
