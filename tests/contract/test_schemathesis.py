"""Contract fuzzing: schemathesis against the committed schema and a live server.

For each caller (employee, editor, sales ops, the sign-up system's API key) schemathesis
generates valid and invalid requests for every operation and runs all its default
checks: no 5xx, documented status codes and content types, responses matching their
schemas, invalid data rejected, valid data accepted. A run must end with no failures.

`SCHEMATHESIS_MAX_EXAMPLES` (default 25) and `SCHEMATHESIS_SEED` tune a run; a fixed
seed keeps CI reproducible, another seed explores further.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from rest_framework_api_key.models import APIKey

from backend.accounts.demo import DEMO_PASSWORD, demo_email
from backend.accounts.models import Employee
from knowledge.models import Article
from referrals.models import Campaign, ReferralCode, Share, Signup
from tests.conftest import login
from tests.reliability.servers import AppServer

SCHEMA = Path(settings.BASE_DIR) / "api_schema.yaml"
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _bearer(name: str) -> str:
    employee = Employee.objects.get(email=demo_email(name))
    client = login(employee, DEMO_PASSWORD)
    return client._credentials["HTTP_AUTHORIZATION"]  # type: ignore[attr-defined]


THROTTLED = (
    "LOGIN",
    "LOGIN_IDENTITY",
    "TOKEN_REFRESH",
    "PUBLIC",
    "SIGNUP",
    "KNOWLEDGE_SEARCH",
    "KNOWLEDGE_QUESTION",
    "PASSWORD_RESET",
    "CLAIM",
)


def _api_key() -> str:
    _, key = APIKey.objects.create_key(name=SIGNUP_SOURCE)
    return f"Api-Key {key}"


FUZZ_CAMPAIGN_ID = 9001  # pinned in schemathesis.toml
SIGNUP_SOURCE = "demo-crm"  # the source of the seeded sign-ups
CALLER_NAMES = {"employee": "Anna de Vries", "editor": "Eva Jansen", "sales_ops": "Sam Bakker"}

# Each caller fuzzes the operations that are theirs, plus the public ones; that the others
# are refused to them is the authorization matrix's job (tests/api/test_authorization_matrix.py).
EDITOR_OPERATIONS = (
    r"^knowledge_(articles_(create|update|publish|archive|verify|revisions)"
    r"|insights|questions_publish)$"
)
CALLER_FILTERS = {
    "employee": [
        *[f"--include-tag={tag}" for tag in ("auth", "me", "knowledge", "referrals", "public")],
        f"--exclude-operation-id-regex={EDITOR_OPERATIONS}",
    ],
    "editor": [f"--include-operation-id-regex={EDITOR_OPERATIONS}"],
    "sales_ops": ["--include-tag=ops"],
    "signup_key": ["--include-tag=signups", "--include-tag=public"],
}

CALLERS: dict[str, Callable[[], str]] = {
    "employee": lambda: _bearer("Anna de Vries"),
    "editor": lambda: _bearer("Eva Jansen"),
    "sales_ops": lambda: _bearer("Sam Bakker"),
    "signup_key": _api_key,
}


def fuzz_environment(caller: str) -> dict[str, str]:
    """Records that exist, for the fields schemathesis.toml pins (see there why)."""
    owner = Employee.objects.get(email=demo_email(CALLER_NAMES.get(caller, "Anna de Vries")))
    code = ReferralCode.objects.filter(owner=owner, revoked_at__isnull=True).first()
    share = Share.objects.filter(employee=owner).first() or Share.objects.first()
    campaign = Campaign.objects.update_or_create(
        pk=FUZZ_CAMPAIGN_ID,
        defaults={
            "name": "Fuzz",
            "starts_at": timezone.now() - timedelta(days=1),
            "ends_at": timezone.now() + timedelta(days=30),
        },
    )[0]
    article = Article.objects.filter(status="published").order_by("pk").first()
    signup = Signup.objects.filter(source=SIGNUP_SOURCE).order_by("pk").first()
    for record in (code, share, campaign, article, signup):
        assert record is not None, "seed_demo made no such records"
    return {
        "CEO_FUZZ_CODE": code.code,
        "CEO_FUZZ_SHARE_TOKEN": share.token,
        "CEO_FUZZ_ARTICLE": article.slug,
        "CEO_FUZZ_CATEGORY": article.category.slug if article.category else "",
        "CEO_FUZZ_SIGNUP": signup.external_id,
        "CEO_FUZZ_PAST": (timezone.now() - timedelta(minutes=1)).isoformat(),
    }


def run_schemathesis(
    base_url: str, authorization: str, report: Path, env: dict[str, str], filters: list[str]
) -> subprocess.CompletedProcess[str]:
    command = [
        str(SCHEMATHESIS),
        "run",
        str(SCHEMA),
        "--url",
        base_url,
        "--header",
        f"Authorization: {authorization}",
        "--max-examples",
        os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25"),
        "--seed",
        os.environ.get("SCHEMATHESIS_SEED", "20261123"),
        "--no-color",
        *filters,
        "--report",
        "junit",
        "--report-junit-path",
        str(report),
    ]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        cwd=settings.BASE_DIR,  # where schemathesis.toml is
        env={**os.environ, **env},
    )


@pytest.mark.parametrize("caller", sorted(CALLERS))
def test_schemathesis_finds_no_failures(
    caller: str, start_server: Callable[..., AppServer], tmp_path: Path
) -> None:
    with open(os.devnull, "w") as devnull:
        call_command("seed_demo", "--i-know-this-is-not-production", verbosity=0, stdout=devnull)
    authorization = CALLERS[caller]()
    # A real gunicorn. Test settings, for their fast password hasher: every login attempt
    # otherwise costs a deliberately slow hash. Generous limits so that the logic behind
    # the throttles gets exercised too.
    server = start_server(
        settings_module="backend.settings_test",
        env={f"{name}_THROTTLE_RATE": "100000/min" for name in THROTTLED},
    )

    result = run_schemathesis(
        server.url,
        authorization,
        tmp_path / "junit.xml",
        fuzz_environment(caller),
        CALLER_FILTERS[caller],
    )

    (tmp_path / "schemathesis.txt").write_text(result.stdout + result.stderr)
    summary = result.stdout[-6000:]
    assert result.returncode == 0, (
        f"schemathesis as {caller} failed:\n{summary}\n{result.stderr[-2000:]}"
    )
    assert "Failures:" not in result.stdout, summary
    assert "Errors:" not in result.stdout, summary
