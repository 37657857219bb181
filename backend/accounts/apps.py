from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "backend.accounts"
    label = "accounts"
    verbose_name = "Employees"

    def ready(self) -> None:
        post_migrate.connect(_sync_role_permissions, sender=self)


def _sync_role_permissions(**kwargs: Any) -> None:
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from backend.accounts.services import roles_sync_permissions

    using = kwargs.get("using", "default")
    # Apps after this one in INSTALLED_APPS get their permissions from their own
    # post_migrate, which has not run yet: create them now (idempotent).
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    roles_sync_permissions(using=using)
