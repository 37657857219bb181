from django.urls import path

from referrals.apis import campaigns, ops, ops_claims, ops_reports

urlpatterns = [
    path("attributions/", ops.OpsAttributionListApi.as_view(), name="ops-attributions"),
    path(
        "attributions/export/",
        ops.OpsAttributionExportApi.as_view(),
        name="ops-attributions-export",
    ),
    path(
        "attributions/bulk-decide/",
        ops.OpsAttributionBulkDecideApi.as_view(),
        name="ops-attributions-bulk-decide",
    ),
    path(
        "attributions/<int:attribution_id>/",
        ops.OpsAttributionDetailApi.as_view(),
        name="ops-attribution",
    ),
    path(
        "attributions/<int:attribution_id>/decide/",
        ops.OpsAttributionDecideApi.as_view(),
        name="ops-attribution-decide",
    ),
    path("claims/", ops_claims.OpsClaimListApi.as_view(), name="ops-claims"),
    path("claims/<int:claim_id>/", ops_claims.OpsClaimDetailApi.as_view(), name="ops-claim"),
    path(
        "claims/<int:claim_id>/accept/",
        ops_claims.OpsClaimAcceptApi.as_view(),
        name="ops-claim-accept",
    ),
    path(
        "claims/<int:claim_id>/reject/",
        ops_claims.OpsClaimRejectApi.as_view(),
        name="ops-claim-reject",
    ),
    path("campaigns/", campaigns.OpsCampaignListCreateApi.as_view(), name="ops-campaigns"),
    path(
        "campaigns/<int:campaign_id>/",
        campaigns.OpsCampaignDetailApi.as_view(),
        name="ops-campaign",
    ),
    path("reports/funnel/", ops_reports.FunnelReportApi.as_view(), name="ops-funnel"),
]
