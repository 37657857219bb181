"""Response shapes of the sales ops API. Friend contact data never appears, not even as
a hash; sign-ups are named by their source and external id."""

from __future__ import annotations

from rest_framework import serializers

from backend.api.serializers import StrictInputSerializer
from referrals.models import AttributionStatus, ClaimStatus, SalesChannel, ShareChannel
from referrals.services.decisions import DecisionAction

MAX_ID = 2**31 - 1
TAGS = ["ops"]


class OpsEmployeeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee_number = serializers.CharField()
    display_name = serializers.CharField()
    department = serializers.CharField()
    team = serializers.CharField()
    is_active = serializers.BooleanField()


class OpsSignupSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    # The stubs type `Field.source`; a field of this name is what DRF means by it.
    source = serializers.CharField()  # type: ignore[assignment]
    external_id = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    product = serializers.CharField()
    sales_channel = serializers.ChoiceField(choices=SalesChannel.choices)
    is_new_customer = serializers.BooleanField()
    activated_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)


class OpsCampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class OpsArticleSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()


class OpsAttributionSerializer(serializers.Serializer):
    """One row of the review queue. Send `version` back with a decision."""

    id = serializers.IntegerField()
    version = serializers.IntegerField(help_text="Send it back with a decision.")
    status = serializers.ChoiceField(choices=AttributionStatus.choices)
    reason = serializers.CharField(help_text="Machine code of the rule or decision.")
    review_signals = serializers.ListField(
        child=serializers.CharField(),
        help_text="Every review signal that fired (e.g. `velocity` and `channel_conflict`); "
        "`reason` holds the first. Filtering by `reason` finds any of them.",
    )
    employee = OpsEmployeeSerializer(allow_null=True)
    code = serializers.CharField(source="code.display", allow_null=True, default=None)
    campaign = OpsCampaignSerializer(source="code.campaign", allow_null=True, default=None)
    share_channel = serializers.ChoiceField(
        source="share.channel", choices=ShareChannel.choices, allow_null=True, default=None
    )
    article = OpsArticleSerializer(allow_null=True)
    signup = OpsSignupSerializer()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    confirmed_at = serializers.DateTimeField(allow_null=True)


class TraceLineSerializer(serializers.Serializer):
    rule = serializers.CharField()
    result = serializers.ChoiceField(choices=["pass", "fail", "skip", "flag"])
    detail = serializers.CharField()


class OpsEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = OpsEmployeeSerializer(allow_null=True, help_text="Empty for the system.")
    from_status = serializers.CharField(help_text="Empty for the first event.")
    to_status = serializers.ChoiceField(choices=AttributionStatus.choices)
    reason = serializers.CharField()
    note = serializers.CharField(help_text="The reviewer's reason, for decisions.")
    from_employee = OpsEmployeeSerializer(allow_null=True)
    to_employee = OpsEmployeeSerializer(allow_null=True)


class CodeTouchSerializer(serializers.Serializer):
    typed = serializers.CharField(help_text="As the customer typed it.")
    code = serializers.CharField(allow_null=True, help_text="The code it names, if any.")
    owner = OpsEmployeeSerializer(allow_null=True)
    external_id = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    this_signup = serializers.BooleanField()


class ShareTouchSerializer(serializers.Serializer):
    token = serializers.CharField(source="share.token")
    channel = serializers.ChoiceField(source="share.channel", choices=ShareChannel.choices)
    employee = OpsEmployeeSerializer(source="share.employee")
    article = OpsArticleSerializer(source="share.article", allow_null=True)
    created_at = serializers.DateTimeField(source="share.created_at")
    external_id = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    within_window = serializers.BooleanField(
        help_text="The link was younger than the attribution window at the sign-up."
    )
    visits_in_window = serializers.IntegerField()
    this_signup = serializers.BooleanField()


class ClaimTouchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee = OpsEmployeeSerializer()
    kind = serializers.CharField()
    note = serializers.CharField()
    status = serializers.ChoiceField(choices=ClaimStatus.choices)
    created_at = serializers.DateTimeField()


class OtherSignupSerializer(OpsSignupSerializer):
    attribution_id = serializers.IntegerField(source="attribution.id")
    status = serializers.ChoiceField(source="attribution.status", choices=AttributionStatus.choices)
    employee = OpsEmployeeSerializer(source="attribution.employee", allow_null=True)


class CandidatesSerializer(serializers.Serializer):
    codes = CodeTouchSerializer(many=True, help_text="Codes typed at this customer's sign-ups.")
    shares = ShareTouchSerializer(
        many=True, help_text="Share links carried by this customer's sign-ups."
    )
    claims = ClaimTouchSerializer(many=True, help_text="Employees' claims for this customer.")
    other_signups = OtherSignupSerializer(
        many=True, help_text="Other sign-ups of the same customer (matched by hash)."
    )


class OpsAttributionDetailSerializer(OpsAttributionSerializer):
    trace = TraceLineSerializer(many=True, help_text="One line per rule, in order.")
    events = OpsEventSerializer(many=True, source="review_events", help_text="Oldest first.")
    candidates = CandidatesSerializer(source="review_candidates")


# Decision bodies. The API takes one shape (`DecisionInputSerializer`); the schema spells
# out its two forms so that `employee` is required exactly for a reassignment.
_REASON = serializers.CharField(
    max_length=500, help_text="Why: kept with the decision's event. Mandatory."
)
_VERSION = serializers.IntegerField(
    min_value=1, max_value=MAX_ID, help_text="The attribution's version you saw."
)
_EMPLOYEE = serializers.IntegerField(
    min_value=1, max_value=MAX_ID, help_text="Id of the active employee to credit."
)


class ApproveOrRejectSerializer(StrictInputSerializer):
    action = serializers.ChoiceField(choices=[DecisionAction.APPROVE, DecisionAction.REJECT])
    version = _VERSION
    reason = _REASON


class ReassignSerializer(StrictInputSerializer):
    action = serializers.ChoiceField(choices=[DecisionAction.REASSIGN])
    version = _VERSION
    reason = _REASON
    employee = _EMPLOYEE


class DecisionInputSerializer(StrictInputSerializer):
    action = serializers.ChoiceField(choices=DecisionAction.choices)
    version = _VERSION
    reason = _REASON
    employee = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)

    def validate(self, attrs: dict[str, object]) -> dict[str, object]:
        reassign = attrs["action"] == DecisionAction.REASSIGN
        if reassign and "employee" not in attrs:
            raise serializers.ValidationError(
                {"employee": ["Name the employee to reassign to."]}, code="required"
            )
        if not reassign and "employee" in attrs:
            raise serializers.ValidationError(
                {"employee": ["Only a reassignment names an employee."]}, code="unknown_field"
            )
        return attrs
