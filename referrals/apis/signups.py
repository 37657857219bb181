"""Sign-up ingestion for the sign-up system (`Authorization: Api-Key <key>`)."""

from __future__ import annotations

from typing import Any

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
from backend.accounts.identifiers import hash_normalized
from backend.api.errors import Conflict
from backend.api.input_plan import PlannedInput
from backend.api.moments import PlausibleDateTimeField
from backend.api.rendering import render, render_many
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


_ITEM = PlannedInput(SignupItemSerializer)


class _SignupApi(APIView):
    authentication_classes = [SignupApiKeyAuthentication]
    permission_classes = [HasSignupApiKey]
    throttle_classes = [SignupApiKeyThrottle]


_CONFLICT = {
    "code": "signup_conflict",
    "message": "This external_id was delivered before with a different payload.",
}


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
        item = _ITEM.validated(request.data)
        [result] = signups_ingest(source=source_of(request), items=[_to_input(item)])
        if result.signup is None:
            raise Conflict(_CONFLICT["message"], code=_CONFLICT["code"])
        code = status.HTTP_201_CREATED if result.outcome == Outcome.CREATED else status.HTTP_200_OK
        return Response(render(SignupResultSerializer, result.signup), status=code)


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
        # The stubs lack ListSerializer's min_length and max_length (DRF 3.14+).
        items = SignupItemSerializer(  # type: ignore[call-arg]
            many=True, min_length=1, max_length=MAX_BATCH
        )

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
        batch = _BATCH.validated(request.data)
        items = [_to_input(item) for item in batch["items"]]
        results = signups_ingest(source=source_of(request), items=items)
        rows = [
            {
                "external_id": result.external_id,
                "outcome": result.outcome,
                "signup": result.signup,
                "error": _CONFLICT if result.signup is None else None,
            }
            for result in results
        ]
        return Response(render_many(SignupBatchItemSerializer, rows))


_BATCH = PlannedInput(SignupBatchApi.InputSerializer)


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
        return Response(render(SignupResultSerializer, signup))


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
