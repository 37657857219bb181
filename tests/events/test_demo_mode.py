"""The SQLite demo has no queue: jobs run in-process after commit (JOBS_IN_PROCESS)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction

from backend.events.webhooks import event_record
from tests.events.conftest import subscribe
from tests.reliability.servers import ROOT


@pytest.mark.django_db(transaction=True)
def test_in_process_jobs_run_after_commit_and_never_after_rollback(
    settings, receiver, allow_private_targets
) -> None:
    settings.JOBS_IN_PROCESS = True
    server = receiver()
    subscribe(f"{server.url}/h", "claim.decided")

    def record(claim_id: int) -> None:
        event_record(event_type="claim.decided", subject=f"claim:{claim_id}", data={"id": claim_id})

    with pytest.raises(RuntimeError), transaction.atomic():  # noqa: PT012
        record(1)
        raise RuntimeError("rolled back")
    with transaction.atomic():
        record(2)
        assert server.received == []  # not before the commit

    [request] = server.received
    assert json.loads(request.body)["data"] == {"id": 2}


@pytest.mark.slow
def test_the_sqlite_demo_shows_notifications_after_the_demo_sign_ups(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TEST_"))},
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "backend.settings",
        "LOG_LEVEL": "WARNING",
    }

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    manage("migrate", "--noinput", "--verbosity", "0")
    manage("seed_demo")
    kinds = manage(
        "shell",
        "--no-imports",
        "-c",
        "import json; from backend.events.models import Notification; print(json.dumps(sorted("
        "set(Notification.objects.filter(employee__email__startswith='anna.de.vries')"
        ".values_list('kind', flat=True)))))",
    )
    refused = subprocess.run(
        [sys.executable, "manage.py", "worker"], cwd=ROOT, env=env, capture_output=True, text=True
    )

    assert json.loads(kinds.strip().splitlines()[-1]) == [
        "attribution.attributed",
        "attribution.confirmed",
        "attribution.reversed",
        "milestone.reached",
        "question.answered",
    ]
    assert refused.returncode == 1
    assert "jobs run in-process" in refused.stderr
