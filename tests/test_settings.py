"""Settings come from the environment; bad values stop start-up naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from backend.env import Env

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "prod-" + "k" * 60,
    "IDENTIFIER_PEPPER": "prod-" + "p" * 40,
    "ALLOWED_HOSTS": "api.ceo-telecom.example",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/ceo_app",
}


def run_django(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO")}
    for name in (*PRODUCTION, "SECURE_SSL_REDIRECT", "REDIS_URL", "LOG_LEVEL"):
        clean.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "backend.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("parse", "raw", "message"),
    [
        (lambda e: e.bool("DEBUG", False), "maybe", "DEBUG must be one of true/false"),
        (
            lambda e: e.int("JWT_ACCESS_MINUTES", 15, minimum=1),
            "ten",
            "JWT_ACCESS_MINUTES must be a whole number",
        ),
        (
            lambda e: e.int("JWT_ACCESS_MINUTES", 15, minimum=1),
            "0",
            "JWT_ACCESS_MINUTES must be >= 1",
        ),
        (
            lambda e: e.choice("LOG_LEVEL", "INFO", ("INFO", "DEBUG")),
            "LOUD",
            "LOG_LEVEL must be one of",
        ),
    ],
)
def test_bad_values_name_the_variable(parse, raw: str, message: str) -> None:
    name = message.split()[0]

    with pytest.raises(ImproperlyConfigured, match=message):
        parse(Env({name: raw}))


def test_lists_and_defaults() -> None:
    env = Env({"ALLOWED_HOSTS": " a.example , b.example,", "DEBUG": "On"})

    assert env.list("ALLOWED_HOSTS") == ["a.example", "b.example"]
    assert env.list("CORS_ALLOWED_ORIGINS") == []
    assert env.bool("DEBUG", False) is True
    assert env.int("JWT_REFRESH_DAYS", 14) == 14


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"IDENTIFIER_PEPPER": ""}, "IDENTIFIER_PEPPER must be set"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must be set when DEBUG is off"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL must point at PostgreSQL or SQLite"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL is not a valid database URL"),
        ({"REDIS_URL": "localhost:6379"}, "REDIS_URL must start with redis://"),
        ({"DEBUG": "perhaps"}, "DEBUG must be one of"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 50 characters"),
        ({"OIDC_ISSUER": "https://login.example"}, "OIDC_CLIENT_IDS must be set"),
        (
            {"OIDC_ISSUER": "http://localhost.evil.example", "OIDC_CLIENT_IDS": "app"},
            "OIDC_ISSUER must be an https:// URL",
        ),
        ({"EMAIL_USE_SSL": "true"}, "EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other"),
        ({"EMAIL_PORT": "0"}, "EMAIL_PORT must be between 1 and 65535"),
    ],
)
def test_production_start_up_fails_loudly_on_bad_configuration(
    override: dict[str, str], message: str
) -> None:
    result = run_django(["check"], {**PRODUCTION, **override})

    assert result.returncode != 0
    assert message in result.stderr


def test_production_settings_pass_the_deployment_check() -> None:
    result = run_django(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.django_db
def test_a_statement_run_repeatedly_is_prepared_once_per_connection() -> None:
    from django.db import connection

    from knowledge.models import Category

    for _ in range(6):  # psycopg prepares a statement from its fifth run
        list(Category.objects.filter(slug="data"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]

    assert any('FROM "knowledge_category"' in statement for statement in prepared)


def test_prepared_statements_can_be_turned_off_for_a_pooler() -> None:
    code = (
        "from django.conf import settings; "
        "options = settings.DATABASES['default']['OPTIONS']; "
        "print('binding', options.get('server_side_binding'), options.get('prepare_threshold'))"
    )
    on = run_django(["shell", "-c", code], {**PRODUCTION})
    off = run_django(["shell", "-c", code], {**PRODUCTION, "DB_PREPARED_STATEMENTS": "false"})

    assert "binding True 5" in on.stdout.splitlines(), on.stderr
    assert "binding None None" in off.stdout.splitlines(), off.stderr


def test_an_app_server_loads_every_view_at_start_and_keeps_it_out_of_the_collector() -> None:
    code = (
        "import gc, sys; import backend.wsgi; "
        "print('frozen', gc.get_freeze_count() > 50_000, "
        "'views', 'knowledge.apis.articles' in sys.modules)"
    )
    result = run_django(["shell", "-c", code], {**PRODUCTION})

    assert "frozen True views True" in result.stdout.splitlines(), result.stderr
