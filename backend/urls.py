from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from backend.accounts.pages import set_password_page
from backend.api.views import HealthApi, ReadinessApi

api_v1 = [
    path("", include("backend.accounts.urls")),
    path("", include("backend.events.urls")),
    path("referrals/", include("referrals.urls.employee")),
    path("public/", include("referrals.urls.public")),
    path("signups/", include("referrals.urls.signups")),
    path("knowledge/", include("knowledge.urls")),
    path("ops/", include("referrals.urls.ops")),
]

urlpatterns = [
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("healthz", HealthApi.as_view(), name="healthz"),
    path("readyz", ReadinessApi.as_view(), name="readyz"),
    path("scim/v2/", include("backend.accounts.scim.urls")),
    path("account/set-password/<str:uidb64>/<str:token>/", set_password_page, name="set-password"),
    path("admin/", admin.site.urls),
    path("", include("referrals.urls.landing")),
]

handler400 = "backend.api.views.bad_request"
handler403 = "backend.api.views.permission_denied"
handler404 = "backend.api.views.not_found"
handler500 = "backend.api.views.server_error"
