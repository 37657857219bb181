"""Test overlay: PostgreSQL by default, fast hashing, local cache, quiet logs."""

import os

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-" + "x" * 40)
os.environ.setdefault("IDENTIFIER_PEPPER", "test-only-pepper-" + "y" * 24)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Tests always run on PostgreSQL, never on whatever DATABASE_URL the shell happens to hold.
os.environ["DATABASE_URL"] = os.environ.get(
    "TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ceo_app"
)
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from backend.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Every search sees the articles the test just wrote.
SEARCH_SYNC_SECONDS = 0
SEARCH_BUILD_WAIT_SECONDS = 0
