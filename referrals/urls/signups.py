from django.urls import path

from referrals.apis import signups

urlpatterns = [
    path("", signups.SignupCreateApi.as_view(), name="signups"),
    path("batch/", signups.SignupBatchApi.as_view(), name="signups-batch"),
    path(
        "<str:external_id>/activate/", signups.SignupActivateApi.as_view(), name="signup-activate"
    ),
    path("<str:external_id>/cancel/", signups.SignupCancelApi.as_view(), name="signup-cancel"),
]
