from django.urls import path

from referrals.apis import public

urlpatterns = [
    path("shares/<str:token>/", public.PublicShareApi.as_view(), name="public-share"),
    path(
        "shares/<str:token>/feedback/",
        public.PublicShareFeedbackApi.as_view(),
        name="public-share-feedback",
    ),
]
