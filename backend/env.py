"""Read settings from the environment and fail loudly, naming the variable, on bad values."""

from __future__ import annotations

import builtins
import os
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class Env:
    """Typed access to a mapping of environment variables.

    Every parser raises ImproperlyConfigured with the variable's name, so a typo in a
    deployment stops the process at start-up instead of surfacing as odd behaviour later.
    The parsers are named after the types they return, so inside the class those names
    mean the methods: annotations spell the types `builtins.str` and so on.
    """

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def is_set(self, name: builtins.str) -> builtins.bool:
        return self.environ.get(name, "").strip() != ""

    def str(self, name: builtins.str, default: builtins.str = "") -> builtins.str:
        return self.environ.get(name, default).strip() or default

    def required_str(self, name: builtins.str, *, reason: builtins.str) -> builtins.str:
        value = self.environ.get(name, "").strip()
        if not value:
            raise ImproperlyConfigured(f"{name} must be set: {reason}")
        return value

    def bool(self, name: builtins.str, default: builtins.bool) -> builtins.bool:
        raw = self.environ.get(name)
        if raw is None:
            return default
        value = raw.strip().lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise ImproperlyConfigured(
            f"{name} must be one of true/false/1/0/yes/no/on/off, got {raw!r}"
        )

    def int(
        self,
        name: builtins.str,
        default: builtins.int,
        *,
        minimum: builtins.int = 0,
        maximum: builtins.int | None = None,
    ) -> builtins.int:
        raw = self.environ.get(name, "").strip()
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None
        if value < minimum or (maximum is not None and value > maximum):
            bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
            raise ImproperlyConfigured(f"{name} must be {bounds}, got {value}")
        return value

    def list(
        self, name: builtins.str, default: builtins.list[builtins.str] | None = None
    ) -> builtins.list[builtins.str]:
        raw = self.environ.get(name)
        if raw is None or not raw.strip():
            return list(default or [])
        return [item.strip() for item in raw.split(",") if item.strip()]

    def choice(
        self, name: builtins.str, default: builtins.str, choices: tuple[builtins.str, ...]
    ) -> builtins.str:
        value = self.str(name, default)
        if value not in choices:
            raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, got {value!r}")
        return value
