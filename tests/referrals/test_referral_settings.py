from __future__ import annotations

import pytest

from tests.test_settings import PRODUCTION, run_django


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"PUBLIC_BASE_URL": "ceo.example"}, "PUBLIC_BASE_URL must start with https://"),
        ({"SIGNUP_URL": "shop.example/join"}, "SIGNUP_URL must start with https://"),
        ({"WITHDRAWAL_DAYS": "two weeks"}, "WITHDRAWAL_DAYS must be a whole number"),
        ({"VELOCITY_LIMIT": "0"}, "VELOCITY_LIMIT must be >= 1"),
        ({"ATTRIBUTION_WINDOW_DAYS": "-1"}, "ATTRIBUTION_WINDOW_DAYS must be >= 1"),
    ],
)
def test_bad_referral_settings_stop_start_up_naming_the_variable(
    override: dict[str, str], message: str
) -> None:
    result = run_django(["check"], {**PRODUCTION, **override})

    assert result.returncode != 0
    assert message in result.stderr
