from django.urls import path

from referrals.apis import campaigns, employee

urlpatterns = [
    path("codes/", employee.ReferralCodeListCreateApi.as_view(), name="referral-codes"),
    path(
        "codes/<str:code>/revoke/",
        employee.ReferralCodeRevokeApi.as_view(),
        name="referral-code-revoke",
    ),
    path("codes/<str:code>/qr/", employee.ReferralCodeQrApi.as_view(), name="referral-code-qr"),
    path("shares/", employee.ShareListCreateApi.as_view(), name="shares"),
    path("shares/<str:token>/qr/", employee.ShareQrApi.as_view(), name="share-qr"),
    path("attributions/", employee.AttributionListApi.as_view(), name="attributions"),
    path("impact/", employee.ImpactApi.as_view(), name="impact"),
    path("claims/", employee.ClaimListCreateApi.as_view(), name="claims"),
    path("campaigns/", campaigns.CampaignListApi.as_view(), name="campaigns"),
]
