"""Writes of the knowledge app (transactions and locks live here)."""
