"""Production settings plus the baseline view the benchmark compares every scenario with."""

from backend.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
