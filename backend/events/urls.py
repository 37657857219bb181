from django.urls import path

from backend.events import apis

urlpatterns = [
    path("notifications/", apis.NotificationListApi.as_view(), name="notifications"),
    path(
        "notifications/<int:notification_id>/read/",
        apis.NotificationReadApi.as_view(),
        name="notification-read",
    ),
    path(
        "notifications/read-all/",
        apis.NotificationReadAllApi.as_view(),
        name="notifications-read-all",
    ),
    path(
        "notifications/preferences/",
        apis.PushPreferenceApi.as_view(),
        name="notifications-preferences",
    ),
    path("devices/", apis.DeviceCreateApi.as_view(), name="devices"),
    path("devices/<int:device_id>/", apis.DeviceDeleteApi.as_view(), name="device"),
]
