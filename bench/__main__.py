"""Benchmark the API the way an operator would before a roll-out (not run by CI).

    make bench                    # = .venv/bin/python -m bench --results bench/RESULTS.md
    .venv/bin/python -m bench [--duration 10] [--scenarios "/me,impact"] [--reuse-data]

1. Loads the dataset at 10% into BENCH_DATABASE_URL (dropped and created; the name must
   contain "bench"), starts gunicorn with production settings, runs the read scenarios.
2. Loads it at 100% (20k employees, 20k articles, 200k shares, 1M visits, 100k sign-ups)
   and runs every scenario.
3. Prints throughput and p50/p95/p99 per scenario next to the baseline of the same run,
   the scale curve of the read scenarios, and with --results writes them into that file.

Needs PostgreSQL (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/ceo_bench),
Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/10) and wrk (Debian/Ubuntu:
`apt-get install -y wrk`; macOS: `brew install wrk`).
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import redis

from bench.run import (
    BASELINE,
    Gunicorn,
    Result,
    Scenario,
    database_url,
    format_scale_curve,
    format_table,
    free_port,
    machine_summary,
    run_wrk,
    server_env,
    server_p95,
    start_gunicorn,
    stop_gunicorn,
)

MARK_START = "<!-- bench-results:start -->"
MARK_END = "<!-- bench-results:end -->"
WARM_UP_SECONDS = 2
BESIDE_SECONDS = 5


def log(message: str) -> None:
    print(message, flush=True)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--worker-class", default=Gunicorn.worker_class, choices=["gthread", "sync"]
    )
    parser.add_argument("--workers", type=int, default=Gunicorn.workers)
    parser.add_argument("--threads", type=int, default=Gunicorn.threads)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--scenarios", default="", help="comma-separated names (default: all)")
    parser.add_argument("--small-scale", type=float, default=0.1)
    parser.add_argument(
        "--no-scale-curve", action="store_true", help="skip the run at the small scale"
    )
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="keep a full-scale dataset already loaded by an earlier run, migrated to "
        "this code (faster reruns)",
    )
    parser.add_argument(
        "--articles",
        type=int,
        default=None,
        help="articles at 100%% instead of 20,000 (e.g. 200000 for search at scale)",
    )
    parser.add_argument("--results", type=Path, default=None, help="write the tables here")
    return parser.parse_args()


def _require_wrk() -> None:
    if shutil.which("wrk"):
        return
    raise SystemExit(
        "wrk is not installed. Install it first:\n"
        "  Debian/Ubuntu: sudo apt-get install -y wrk\n"
        "  macOS:         brew install wrk"
    )


def _setup_django() -> None:
    os.environ.update(server_env())
    import django

    django.setup()


def _loaded_scale() -> float | None:
    from django.db import OperationalError, connection

    from bench.load import LOADER_VERSION

    try:
        cursor = connection.cursor()
    except OperationalError:  # no such database yet
        return None
    with cursor:
        cursor.execute("SELECT to_regclass('bench_dataset') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return None
        cursor.execute("SELECT scale FROM bench_dataset WHERE version = %s", [LOADER_VERSION])
        row = cursor.fetchone()
    return float(row[0]) if row else None


def _load(scale: float, workdir: Path, *, reuse: bool, articles: int | None = None) -> None:
    from django.core.management import call_command
    from django.db import connection

    from bench.load import LOADER_VERSION, database_recreate, load

    if reuse and articles is None and _loaded_scale() == scale:
        log(f"  reusing the dataset at {scale:.0%} in {database_url()}")
        # The code may have new migrations since the dataset was loaded.
        call_command("migrate", verbosity=0)
        return
    connection.close()
    database_recreate(database_url())
    log(f"  loading the dataset at {scale:.0%} into {database_url()}")
    load(
        scale,
        save_key=lambda key: (workdir / "api_key.txt").write_text(key + "\n"),
        log=log,
        articles=articles,
    )
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_dataset (scale float, version int)")
        cursor.execute("INSERT INTO bench_dataset VALUES (%s, %s)", [scale, LOADER_VERSION])


def _api_key(workdir: Path) -> None:
    """A fresh key when the dataset was reused (only hashes are stored)."""
    if (workdir / "api_key.txt").exists():
        return
    from rest_framework_api_key.models import APIKey

    _, key = APIKey.objects.create_key(name="crm")
    (workdir / "api_key.txt").write_text(key + "\n")


def _skip_reason(scenario: Scenario) -> str | None:
    if not scenario.probe:
        return None
    from django.urls import Resolver404, resolve

    try:
        resolve(scenario.probe)
    except Resolver404:
        return (
            f"GET {scenario.probe} does not exist on this branch yet "
            "(the sales-ops endpoints); runs once they are merged"
        )
    return None


def _run_server(
    scenarios: list[Scenario],
    args: argparse.Namespace,
    config: Gunicorn,
    workdir: Path,
) -> tuple[list[Result], list[tuple[Scenario, str]]]:
    from django.db import connection

    from bench.prepare import prepare
    from knowledge.search.store import index_rebuild

    _api_key(workdir)
    prepare(workdir)
    built = index_rebuild()
    log(f"    search index: {built.documents:,} articles built in {built.seconds:.1f}s")
    # Cached impact numbers belong to the dataset they were computed on.
    redis.Redis.from_url(server_env()["REDIS_URL"]).flushdb()
    (workdir / "baseline.txt").write_text("/bench/baseline\n")
    connection.close()
    skipped = [(s, reason) for s in scenarios if (reason := _skip_reason(s))]
    runnable = [s for s in scenarios if s not in [x for x, _ in skipped]]
    port = args.port or free_port()
    process = start_gunicorn(port, config, workdir / "gunicorn.log")
    base_url = f"http://127.0.0.1:{port}"
    try:
        run_wrk(base_url, BASELINE, WARM_UP_SECONDS, args.connections, workdir)
        baseline = run_wrk(base_url, BASELINE, args.duration, args.connections, workdir)
        log(f"    baseline: {baseline.rps:,.0f} req/s, p95 {baseline.p95_ms:.1f} ms")
        results = [baseline]
        for scenario in runnable:
            # This machine's speed drifts by a factor of two and more within one run (a
            # shared VM), so each scenario is compared with the baseline measured just
            # before it rather than with the one at the start.
            beside = run_wrk(base_url, BASELINE, BESIDE_SECONDS, args.connections, workdir)
            warm_up = scenario.warm_up_seconds or WARM_UP_SECONDS
            run_wrk(base_url, scenario, warm_up, args.connections, workdir)
            logged = (workdir / "gunicorn.log").stat().st_size
            result = run_wrk(base_url, scenario, args.duration, args.connections, workdir)
            result.server_p95_ms = server_p95(workdir / "gunicorn.log", logged)
            result.beside = beside.rps
            result.ratio = result.rps / beside.rps if beside.rps else None
            results.append(result)
            log(
                f"    {scenario.name}: {result.rps:,.0f} req/s"
                f"{f' ({result.items_per_s:,.0f} items/s)' if scenario.items_per_request > 1 else ''}"
                f", p95 {result.p95_ms:.1f} ms (in the app {result.server_p95_ms or 0:.1f} ms)"
                f", errors {result.errors}"
                f" (baseline just before: {beside.rps:,.0f} req/s)"
            )
    finally:
        stop_gunicorn(process)
    for scenario, reason in skipped:
        log(f"    {scenario.name}: skipped — {reason}")
    return results, skipped


def _write_results(path: Path, text: str) -> None:
    block = f"{MARK_START}\n{text}\n{MARK_END}"
    if path.exists():
        current = path.read_text()
        if MARK_START in current and MARK_END in current:
            before, rest = current.split(MARK_START, 1)
            after = rest.split(MARK_END, 1)[1]
            path.write_text(before + block + after)
            return
        path.write_text(current.rstrip() + "\n\n" + block + "\n")
        return
    path.write_text(f"# Benchmark results\n\n{block}\n")


def main() -> None:
    args = _arguments()
    _require_wrk()
    _setup_django()
    from bench.scenarios import SCENARIOS

    wanted = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = set(wanted) - {s.name for s in SCENARIOS}
    if unknown:
        raise SystemExit(
            f"unknown scenario(s): {', '.join(sorted(unknown))}; "
            f"choose from: {', '.join(s.name for s in SCENARIOS)}"
        )
    chosen = [s for s in SCENARIOS if not wanted or s.name in wanted]
    config = Gunicorn(worker_class=args.worker_class, workers=args.workers, threads=args.threads)
    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="ceo-bench-"))
    log(f"benchmark: {config.describe()}; files in {workdir}")

    small: list[Result] = []
    reads = [s for s in chosen if s.read]
    if not args.no_scale_curve and reads:
        log(f"\n[1/2] read scenarios at {args.small_scale:.0%} of the dataset")
        _load(args.small_scale, workdir, reuse=False)
        small, _ = _run_server(reads, args, config, workdir)
        (workdir / "api_key.txt").unlink(missing_ok=True)

    log("\n[2/2] every scenario at 100% of the dataset")
    _load(1.0, workdir, reuse=args.reuse_data, articles=args.articles)
    full, skipped = _run_server(chosen, args, config, workdir)

    summary = machine_summary(config, args.connections, args.duration)
    table = format_table(full, skipped)
    parts = [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {time.monotonic() - started:.0f}s in all.",
        f"Command: `{shlex.join(['python', '-m', 'bench', *sys.argv[1:]])}`",
        f"Machine: {summary}",
        "### At 100% of the dataset\n\n" + table,
    ]
    if small:
        parts.append(
            f"### Scale curve: read scenarios at {args.small_scale:.0%} and 100%\n\n"
            + format_scale_curve(small, full, args.small_scale)
        )
    text = "\n\n".join(parts)
    print("\n" + text + "\n")
    if args.results:
        _write_results(args.results, text)
        log(f"written to {args.results}")


if __name__ == "__main__":
    main()
