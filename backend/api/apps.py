from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "backend.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from backend.api import lookups, schema  # noqa: F401  registers extensions, lookups
