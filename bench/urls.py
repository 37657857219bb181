from django.http import HttpRequest, JsonResponse
from django.urls import path

from backend.urls import handler404, handler500  # noqa: F401
from backend.urls import urlpatterns as app_urlpatterns


def baseline(request: HttpRequest) -> JsonResponse:
    """The yardstick: no database, no authentication, a small JSON body, same middleware."""
    return JsonResponse({"status": "ok", "service": "ceo-app", "version": 1})


urlpatterns = [path("bench/baseline", baseline), *app_urlpatterns]
