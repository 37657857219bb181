"""The employee's impact, their team's and the company's, with milestones."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.permissions import IsEmployee
from backend.api.rendering import render
from backend.api.request import EmployeeRequest
from referrals.apis.common import TAGS
from referrals.selectors.impact import MILESTONES, impact_of


class ImpactTotalsSerializer(serializers.Serializer):
    shares = serializers.IntegerField(help_text="Links shared (answers and codes).")
    answers_shared = serializers.IntegerField()
    friends_reached = serializers.IntegerField(help_text="Shared links opened at least once.")
    signups_attributed = serializers.IntegerField(help_text="Pending, in review or confirmed.")
    signups_confirmed = serializers.IntegerField()


class LeaderSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    display_name = serializers.CharField()
    signups_confirmed = serializers.IntegerField()


class MilestonesSerializer(serializers.Serializer):
    reached = serializers.ListField(
        child=serializers.IntegerField(),
        source="milestones_reached",
        help_text=(
            f"Confirmed sign-up milestones reached (of {', '.join(str(m) for m in MILESTONES)})."
        ),
    )
    next = serializers.IntegerField(source="next_milestone", allow_null=True)


class ImpactApi(APIView):
    permission_classes = [IsEmployee]

    class OutputSerializer(serializers.Serializer):
        own = ImpactTotalsSerializer()
        milestones = MilestonesSerializer(source="*")
        team_name = serializers.CharField()
        team_members = serializers.IntegerField()
        team = ImpactTotalsSerializer()
        team_leaders = LeaderSerializer(
            many=True, help_text="Never lists people who opted out of rankings."
        )
        company = ImpactTotalsSerializer()
        company_leaders = LeaderSerializer(many=True)

    @extend_schema(
        operation_id="impact_retrieve",
        tags=TAGS,
        summary="Your impact, your team's and the company's, with milestones",
        responses={200: OutputSerializer},
    )
    def get(self, request: EmployeeRequest) -> Response:
        return Response(render(self.OutputSerializer, impact_of(employee=request.user)))
