"""Where the index lives on an app server, and how it follows PostgreSQL.

PostgreSQL is the source of truth; the index directory (`SEARCH_INDEX_DIR`) is a cache of
it that any app server can rebuild. Layout:

    SEARCH_INDEX_DIR/state.json     which generation is current, and how far it has caught up
    SEARCH_INDEX_DIR/writer.lock    one writer per host at a time (an flock)
    SEARCH_INDEX_DIR/g<ns>/         a generation: a complete Tantivy index

- A full build writes a new generation beside the current one and only then points
  `state.json` at it: readers never see a half-built index. With no index at all, the
  first search waits for the build (`index_ensure`; better: run `search_index ensure` at
  start-up).
- Catching up: articles are read back from the database by `updated_at`, from the
  newest change seen minus `CATCH_UP_OVERLAP` (a write that committed late, or came from
  a host whose clock is a little behind, is still seen); rows already indexed at that
  `updated_at` are skipped. A probe (count, newest and sum of the `updated_at` of that
  window, from the index on `updated_at`: `articles_changed_probe`) tells whether anything
  committed since the last look, so the rows are only read when something did. Any
  worker of the host does it, at most every `SEARCH_SYNC_SECONDS`, whoever gets the lock;
  the others just reload their reader.
- Deleted articles leave no `updated_at` behind: every `DELETIONS_CHECK_SECONDS` the
  catch-up compares the number of articles with the index's, and when they differ removes
  the documents whose article is gone. (A deleted article is never shown meanwhile: the
  page's rows are loaded from the database.)
- An index built by another version of the code (`SCHEMA_VERSION`) does not count as
  complete: it is rebuilt, as on an empty disk.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path

import tantivy
from django.conf import settings
from django.utils import timezone

from knowledge.models import Article, ArticleLanguage
from knowledge.search.analysis import compound_dictionary
from knowledge.search.indexing import (
    ARTICLE_COLUMNS,
    SCHEMA_VERSION,
    WRITER_HEAP_BYTES,
    ArticleRow,
    documents_add,
    documents_delete,
    index_create,
    index_open,
)
from knowledge.sql import articles_changed_probe

STATE_FILE = "state.json"
RECENT_FILE = "recent.json"
LOCK_FILE = "writer.lock"
ROWS_CHUNK = 2000
CATCH_UP_OVERLAP = timedelta(seconds=60)
DELETIONS_CHECK_SECONDS = 60.0
GENERATIONS_KEPT = 2
# A full build: one indexing thread with room for 100,000 articles or more, so an index is
# one segment, or a few big ones at 200,000 articles, and never needs merging. A search
# visits every segment (a typo's automaton walks each one's words): at 20,000 articles one
# segment answers the benchmark's questions in 0.82 ms of CPU where two took 0.97 ms, and
# builds as fast (the Python side of a build is most of its time).
BUILD_HEAP_BYTES = 600_000_000
BUILD_THREADS = 1


@dataclass
class IndexState:
    generation: str
    watermark: str  # the newest `updated_at` indexed (ISO 8601)
    # The probe of the overlap window when it was last read: while the probe finds the
    # same, nothing new has committed and nothing is read.
    window: str = ""
    checked_at: float = 0.0  # wall clock of the last catch-up
    commits: int = 0
    schema: int = 0  # the `SCHEMA_VERSION` it was built with
    deletions_checked_at: float = 0.0  # wall clock of the last look for deleted articles


@dataclass(frozen=True)
class BuildReport:
    generation: str
    documents: int
    seconds: float


def index_root() -> Path:
    return Path(settings.SEARCH_INDEX_DIR)


def state_read(root: Path) -> IndexState | None:
    """The current state, or None when there is no complete index in `root`."""
    try:
        state = IndexState(**json.loads((root / STATE_FILE).read_text()))
    except (FileNotFoundError, ValueError, TypeError):
        return None
    if state.schema != SCHEMA_VERSION or not (root / state.generation).is_dir():
        return None
    return state


def _state_write(root: Path, state: IndexState) -> None:
    temporary = root / f"{STATE_FILE}.{os.getpid()}"
    temporary.write_text(json.dumps(asdict(state)))
    os.replace(temporary, root / STATE_FILE)  # atomic: readers see the old or the new state


@contextmanager
def _writer_lock(root: Path, *, wait: bool) -> Iterator[bool]:
    """Yields True while this process holds the host's writer lock (False: someone else
    does and `wait` is off)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK_FILE, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _rows(ids: Sequence[int] | None = None) -> Iterator[ArticleRow]:
    """Every article, or those of `ids`, in id order (ties in rank go to the lower id)."""
    queryset = Article.objects.order_by("id")
    if ids is None:
        yield from queryset.values(*ARTICLE_COLUMNS).iterator(chunk_size=ROWS_CHUNK)
        return
    for start in range(0, len(ids), ROWS_CHUNK):
        chunk = ids[start : start + ROWS_CHUNK]
        yield from queryset.filter(pk__in=chunk).values(*ARTICLE_COLUMNS)


def _dutch_texts() -> Iterator[str]:
    rows = Article.objects.filter(language=ArticleLanguage.NL).values_list(
        "title", "summary", "friend_text", "body"
    )
    for row in rows.iterator(chunk_size=2000):
        yield " ".join(row)


def index_rebuild(root: Path | None = None) -> BuildReport:
    """Builds a complete new generation from the database and makes it current. Holds
    the host's writer lock throughout; readers switch at their next check."""
    root = root or index_root()
    with _writer_lock(root, wait=True):
        return _rebuild_locked(root)


def index_ensure(root: Path | None = None) -> BuildReport | None:
    """Builds the index unless a complete one exists (another process may be building it:
    this waits for the lock and then looks again)."""
    root = root or index_root()
    if state_read(root) is not None:
        return None
    with _writer_lock(root, wait=True):
        return None if state_read(root) is not None else _rebuild_locked(root)


def _rebuild_locked(root: Path) -> BuildReport:
    started, clock = timezone.now(), time.monotonic()
    generation = f"g{time.time_ns()}"
    parts = compound_dictionary(_dutch_texts())
    index = index_create(root / generation, parts)
    writer = index.writer(heap_size=BUILD_HEAP_BYTES, num_threads=BUILD_THREADS)
    recent: dict[str, str] = {}
    rows = _noting_recent(_rows(), since=started - CATCH_UP_OVERLAP, recent=recent)
    documents = documents_add(writer, rows=rows, compound_parts=parts, replace=False)
    writer.commit()
    writer.wait_merging_threads()
    # Changes made while the build read the table are re-read by the first catch-up; the
    # versions it did read within the catch-up's overlap are not (after a bulk import that
    # is every row).
    (root / generation / RECENT_FILE).write_text(json.dumps(recent))
    now = time.time()
    _state_write(
        root,
        IndexState(
            generation,
            started.isoformat(),
            checked_at=now,
            schema=SCHEMA_VERSION,
            deletions_checked_at=now,
        ),
    )
    _remove_old_generations(root, keep=generation)
    return BuildReport(generation, documents, time.monotonic() - clock)


def _noting_recent(
    rows: Iterable[ArticleRow], *, since: datetime, recent: dict[str, str]
) -> Iterator[ArticleRow]:
    """`rows`, noting in `recent` the `updated_at` of those updated since `since` (the
    catch-up's list of versions already indexed, `RECENT_FILE`)."""
    for row in rows:
        if row["updated_at"] >= since:
            recent[str(row["id"])] = row["updated_at"].isoformat()
        yield row


def _remove_old_generations(root: Path, *, keep: str) -> None:
    """Keeps the newest generations: a reader may still be searching the previous one."""
    generations = sorted(p for p in root.glob("g*") if p.is_dir() and p.name != keep)
    for old in generations[: max(0, len(generations) - (GENERATIONS_KEPT - 1))]:
        shutil.rmtree(old, ignore_errors=True)


def index_catch_up(root: Path | None = None) -> IndexState | None:
    """Indexes what changed in the database since the last catch-up. Returns the new
    state, or None when another process of this host holds the writer lock (it is doing
    the same) or there is no index yet."""
    root = root or index_root()
    with _writer_lock(root, wait=False) as locked:
        state = state_read(root) if locked else None
        return None if state is None else _catch_up_locked(root, state)


def _catch_up_locked(root: Path, state: IndexState) -> IndexState:
    since = datetime.fromisoformat(state.watermark) - CATCH_UP_OVERLAP
    # Taken before the rows are read: what commits after it changes the next probe.
    probe = articles_changed_probe(since=since)
    if probe != state.window:
        _index_window(root, state, since)
        state.window = probe
    if time.time() - state.deletions_checked_at >= DELETIONS_CHECK_SECONDS:
        _remove_deleted(root, state)
    state.checked_at = time.time()
    _state_write(root, state)
    return state


def _index_window(root: Path, state: IndexState, since: datetime) -> None:
    """Re-reads the overlap window and indexes the rows not yet indexed at their current
    `updated_at` (the writer keeps that list beside the generation, in `recent.json`)."""
    recent_file = root / state.generation / RECENT_FILE
    recent = json.loads(recent_file.read_text()) if recent_file.exists() else {}
    # Ids and versions first (by the `updated_at` index); whole rows only where changed.
    stamps: dict[int, datetime] = dict(
        Article.objects.filter(updated_at__gte=since).values_list("id", "updated_at")
    )
    changed = sorted(pk for pk, at in stamps.items() if recent.get(str(pk)) != at.isoformat())
    if changed:
        rows = list(_rows(changed))
        index, parts = index_open(root / state.generation)
        writer = index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
        documents_add(writer, rows=rows, compound_parts=parts)
        writer.commit()
        writer.wait_merging_threads()
        state.commits += 1
        stamps.update((row["id"], row["updated_at"]) for row in rows)  # the versions indexed
    newest = max([datetime.fromisoformat(state.watermark), *stamps.values()])
    state.watermark = newest.isoformat()
    recent = {
        str(pk): at.isoformat() for pk, at in stamps.items() if at >= newest - CATCH_UP_OVERLAP
    }
    recent_file.write_text(json.dumps(recent))


def _remove_deleted(root: Path, state: IndexState) -> None:
    """Removes the documents of deleted articles, when the counts say there are some."""
    state.deletions_checked_at = time.time()
    index, _ = index_open(root / state.generation)
    searcher = index.searcher()
    if searcher.num_docs == Article.objects.count():
        return
    every = searcher.search(tantivy.Query.all_query(), limit=max(1, searcher.num_docs), count=False)
    indexed = searcher.fast_field_values("id", [address for _, address in every.hits])
    gone = {int(pk) for pk in indexed if pk is not None}.difference(
        Article.objects.values_list("pk", flat=True)
    )
    if gone:
        writer = index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
        documents_delete(writer, ids=gone)
        writer.commit()
        writer.wait_merging_threads()
        state.commits += 1
