from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "backend.events"
    label = "events"
    verbose_name = "Events: notifications, push and webhooks"
