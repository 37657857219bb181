from django.urls import path

from referrals.apis import attributions, campaigns, claims, codes, impact, shares

urlpatterns = [
    path("codes/", codes.ReferralCodeListCreateApi.as_view(), name="referral-codes"),
    path(
        "codes/<str:code>/revoke/",
        codes.ReferralCodeRevokeApi.as_view(),
        name="referral-code-revoke",
    ),
    path("codes/<str:code>/qr/", codes.ReferralCodeQrApi.as_view(), name="referral-code-qr"),
    path("shares/", shares.ShareListCreateApi.as_view(), name="shares"),
    path("shares/<str:token>/qr/", shares.ShareQrApi.as_view(), name="share-qr"),
    path("attributions/", attributions.AttributionListApi.as_view(), name="attributions"),
    path("impact/", impact.ImpactApi.as_view(), name="impact"),
    path("claims/", claims.ClaimListCreateApi.as_view(), name="claims"),
    path("campaigns/", campaigns.CampaignListApi.as_view(), name="campaigns"),
]
