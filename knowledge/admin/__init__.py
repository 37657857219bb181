"""The knowledge app's admin screens (registered when Django imports this package)."""

from knowledge.admin import activity, articles

__all__ = ["activity", "articles"]
