from django.urls import path

from referrals.apis import public

urlpatterns = [
    path("codes/<str:code>/", public.PublicCodeCheckApi.as_view(), name="public-code-check"),
    path("shares/<str:token>/", public.PublicShareApi.as_view(), name="public-share"),
    path(
        "shares/<str:token>/feedback/",
        public.PublicShareFeedbackApi.as_view(),
        name="public-share-feedback",
    ),
]
