from django.urls import path

from referrals.apis import campaigns
from referrals.ops.apis import claims, decisions, queue, reports

urlpatterns = [
    path("attributions/", queue.OpsAttributionListApi.as_view(), name="ops-attributions"),
    path(
        "attributions/export/",
        queue.OpsAttributionExportApi.as_view(),
        name="ops-attributions-export",
    ),
    path(
        "attributions/bulk-decide/",
        decisions.OpsAttributionBulkDecideApi.as_view(),
        name="ops-attributions-bulk-decide",
    ),
    path(
        "attributions/<int:attribution_id>/",
        queue.OpsAttributionDetailApi.as_view(),
        name="ops-attribution",
    ),
    path(
        "attributions/<int:attribution_id>/decide/",
        decisions.OpsAttributionDecideApi.as_view(),
        name="ops-attribution-decide",
    ),
    path("claims/", claims.OpsClaimListApi.as_view(), name="ops-claims"),
    path("claims/<int:claim_id>/", claims.OpsClaimDetailApi.as_view(), name="ops-claim"),
    path(
        "claims/<int:claim_id>/accept/",
        claims.OpsClaimAcceptApi.as_view(),
        name="ops-claim-accept",
    ),
    path(
        "claims/<int:claim_id>/reject/",
        claims.OpsClaimRejectApi.as_view(),
        name="ops-claim-reject",
    ),
    path("campaigns/", campaigns.OpsCampaignListCreateApi.as_view(), name="ops-campaigns"),
    path(
        "campaigns/<int:campaign_id>/",
        campaigns.OpsCampaignDetailApi.as_view(),
        name="ops-campaign",
    ),
    path("reports/funnel/", reports.FunnelReportApi.as_view(), name="ops-funnel"),
]
