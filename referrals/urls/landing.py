from django.urls import path

from referrals import views

urlpatterns = [
    path("s/<str:token>", views.landing_page, name="landing"),
    path("s/<str:token>/preview.png", views.landing_preview, name="landing-preview"),
    path("s/<str:token>/feedback", views.landing_feedback, name="landing-feedback"),
]
