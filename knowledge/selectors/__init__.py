"""Reads of the knowledge app."""
