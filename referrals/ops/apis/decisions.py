"""Sales ops decide attributions: approve, reject or reassign one, or many at once (all or
nothing). The decisions themselves are `referrals.services.decisions`."""

from __future__ import annotations

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.errors import Conflict
from backend.api.permissions import IsSalesOps
from backend.api.rendering import render
from backend.api.request import EmployeeRequest
from backend.api.serializers import StrictInputSerializer
from referrals.ops.apis.serializers import (
    MAX_ID,
    TAGS,
    ApproveOrRejectSerializer,
    DecisionInputSerializer,
    OpsAttributionSerializer,
    ReassignSerializer,
)
from referrals.ops.selectors.queue import attributions_for_queue
from referrals.services.decisions import (
    MAX_BULK,
    DecisionAction,
    SeenVersion,
    attributions_decide,
)


class OpsAttributionDecideApi(APIView):
    permission_classes = [IsSalesOps]
    error_codes = (409,)

    @extend_schema(
        operation_id="ops_attributions_decide",
        tags=TAGS,
        summary="Approve, reject or reassign one attribution, with a reason",
        description=(
            "`version` is the version you saw: a record that changed since is refused "
            "with 409 `stale_version`. Approving moves `needs_review` (or a rejection "
            "with a referrer) to `pending`, or to `confirmed` when the withdrawal period "
            "after activation has passed. Impossible transitions are 409 with a code "
            "saying why (`already_approved`, `already_rejected`, `no_referrer`, "
            "`signup_withdrawn`, `already_assigned`, `employee_inactive`, "
            "`self_referral`, `duplicate_customer`, `own_attribution`)."
        ),
        request=PolymorphicProxySerializer(
            component_name="AttributionDecision",
            serializers=[ApproveOrRejectSerializer, ReassignSerializer],
            resource_type_field_name=None,
        ),
        responses={200: OpsAttributionSerializer},
    )
    def post(self, request: EmployeeRequest, attribution_id: int) -> Response:
        body = DecisionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        decided = attributions_decide(
            seen=[SeenVersion(attribution_id, data["version"])],
            actor=request.user,
            action=data["action"],
            reason=data["reason"],
            employee_id=data.get("employee"),
        )
        [attribution] = attributions_for_queue([a.pk for a in decided])
        return Response(render(OpsAttributionSerializer, attribution))


class SeenVersionSerializer(StrictInputSerializer):
    id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    version = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    class Meta:
        ref_name = "SeenVersion"


def _items() -> serializers.BaseSerializer:
    """The list of attributions a bulk decision takes, built where it is declared (so the
    field keeps its place among the others)."""
    # DRF (3.14+) passes min_length and max_length on to the list; the stubs lack them.
    return SeenVersionSerializer(many=True, min_length=1, max_length=MAX_BULK)  # type: ignore[call-arg]


class BulkApproveOrRejectSerializer(StrictInputSerializer):
    action = serializers.ChoiceField(choices=[DecisionAction.APPROVE, DecisionAction.REJECT])
    reason = serializers.CharField(max_length=500)
    items = _items()


class BulkReassignSerializer(StrictInputSerializer):
    action = serializers.ChoiceField(choices=[DecisionAction.REASSIGN])
    reason = serializers.CharField(max_length=500)
    employee = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    items = _items()


class BulkDecisionInputSerializer(DecisionInputSerializer):
    version = None  # type: ignore[assignment]
    items = _items()

    def validate_items(self, items: list[dict[str, int]]) -> list[dict[str, int]]:
        """An attribution listed twice with the same version is one decision; listed with
        two versions, at least one of them is stale."""
        versions: dict[int, int] = {}
        for item in items:
            if versions.setdefault(item["id"], item["version"]) != item["version"]:
                raise Conflict(
                    f"Attribution {item['id']} is listed with two versions; reload it.",
                    code="stale_version",
                )
        return [{"id": pk, "version": version} for pk, version in versions.items()]


class OpsAttributionBulkDecideApi(APIView):
    permission_classes = [IsSalesOps]
    error_codes = (404, 409)

    class OutputSerializer(serializers.Serializer):
        decided = serializers.IntegerField()
        results = OpsAttributionSerializer(many=True)

    @extend_schema(
        operation_id="ops_attributions_bulk_decide",
        tags=TAGS,
        summary=f"One decision on up to {MAX_BULK} attributions, all or nothing",
        description=(
            "One transaction: when any attribution cannot be decided so (a stale version, "
            "an impossible transition), nothing changes and the 409 `decisions_refused` "
            "lists each refused id with its code in `errors`. Unknown ids are a 404 "
            "`attribution_not_found` listing them in `ids`."
        ),
        request=PolymorphicProxySerializer(
            component_name="AttributionBulkDecision",
            serializers=[BulkApproveOrRejectSerializer, BulkReassignSerializer],
            resource_type_field_name=None,
        ),
        responses={200: OutputSerializer},
    )
    def post(self, request: EmployeeRequest) -> Response:
        body = BulkDecisionInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        decided = attributions_decide(
            seen=[SeenVersion(item["id"], item["version"]) for item in data["items"]],
            actor=request.user,
            action=data["action"],
            reason=data["reason"],
            employee_id=data.get("employee"),
        )
        result = {
            "decided": len(decided),
            "results": attributions_for_queue([a.pk for a in decided]),
        }
        return Response(render(self.OutputSerializer, result))
