"""This process's view of the index: opened once, kept current, reloaded when it changed.

`index_reader()` is called by every search. At most every `SEARCH_SYNC_SECONDS` it looks
at `state.json`: it has the index built if there is none, catches up with the database when
nobody on this host has for that long, and reloads (a new commit) or reopens (a new
generation) what it searches. Between checks a search costs no file-system or database
access at all.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import tantivy
from django.conf import settings
from django.db import connection

from backend.api.errors import ServiceUnavailable
from knowledge.search.analysis import analyzers
from knowledge.search.indexing import index_open
from knowledge.search.store import (
    IndexState,
    index_catch_up,
    index_ensure,
    index_root,
    state_read,
)


@dataclass
class OpenIndex:
    root: Path
    generation: str
    commits: int
    index: tantivy.Index
    analyzers: dict[str, tantivy.TextAnalyzer]
    checked: float  # time.monotonic() of the last check
    # (language, word) → the word's stems; they do not depend on the query, so every
    # highlight of this generation shares them.
    stems: Callable[[str, str], tuple[str, ...]]


STEM_CACHE_SIZE = 50_000
logger = logging.getLogger(__name__)
_builder: threading.Thread | None = None
_current: OpenIndex | None = None
_guard = threading.Lock()  # threaded servers (the demo's runserver) share one reader


def index_reader() -> OpenIndex:
    """The index, caught up with the database at most `SEARCH_SYNC_SECONDS` ago."""
    global _current
    root = index_root()
    current = _current
    if (
        current is not None
        and current.root == root
        and time.monotonic() - current.checked < settings.SEARCH_SYNC_SECONDS
    ):
        return current
    with _guard:
        state = _state_caught_up(root)
        current = _current
        if current is None or current.root != root or current.generation != state.generation:
            current = _open(root, state)
        elif current.commits != state.commits:
            current.index.reload()
            current.commits = state.commits
        current.checked = time.monotonic()
        _current = current
        return current


def _state_caught_up(root: Path) -> IndexState:
    state = state_read(root) or _built(root)
    if time.time() - state.checked_at >= settings.SEARCH_SYNC_SECONDS:
        state = index_catch_up(root) or state
    return state


def _built(root: Path) -> IndexState:
    """There is no complete index on this disk: build one, in a background thread when
    `SEARCH_BUILD_WAIT_SECONDS` is set (a build can outlast a request's timeout), and wait
    at most that long. A search that comes too early gets a 503; it is never answered
    from part of an index. The writer lock makes one process of the host the builder;
    the others' threads wait for it and find the index complete."""
    global _builder
    if settings.SEARCH_BUILD_WAIT_SECONDS == 0:
        index_ensure(root)
    else:
        if _builder is None or not _builder.is_alive():
            _builder = threading.Thread(
                target=_build_in_background, args=(root,), name="search-index-build", daemon=True
            )
            _builder.start()
        _builder.join(timeout=settings.SEARCH_BUILD_WAIT_SECONDS)
    state = state_read(root)
    if state is None:
        raise ServiceUnavailable(
            "This server is still building its search index; try again in a minute.",
            code="search_index_building",
        )
    return state


def _build_in_background(root: Path) -> None:
    try:
        index_ensure(root)
    except Exception:
        logger.exception("search index build failed")
    finally:
        connection.close()  # the thread's own database connection


def _open(root: Path, state: IndexState) -> OpenIndex:
    index, compound_parts = index_open(root / state.generation)
    found = analyzers(compound_parts)

    @lru_cache(maxsize=STEM_CACHE_SIZE)
    def stems(language: str, word: str) -> tuple[str, ...]:
        return tuple(found[f"{language}_stem"].analyze(word))

    return OpenIndex(
        root=root,
        generation=state.generation,
        commits=state.commits,
        index=index,
        analyzers=found,
        checked=time.monotonic(),
        stems=stems,
    )


def index_reader_forget() -> None:
    """Drops this process's reader (tests point `SEARCH_INDEX_DIR` elsewhere)."""
    global _current
    with _guard:
        _current = None
