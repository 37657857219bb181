"""The harness: gunicorn with production settings on loopback, wrk per scenario, the table.

Every scenario is compared with a baseline measured by the same server just before it:
a bare Django view returning a small JSON body (no database, no authentication) through
the same middleware and gunicorn settings.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "lua"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/ceo_bench"
BENCH_SECRET_KEY = "bench-only-secret-key-" + "b" * 40
BENCH_PEPPER = "bench-only-pepper-" + "p" * 24
UNLIMITED = "1000000000/min"


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)


def server_env() -> dict[str, str]:
    """Production settings (DEBUG off, persistent connections, JSON logs at INFO), with
    rate limits lifted: they would measure the throttle, not the endpoint. The throttles
    themselves still run (a cache round trip per request)."""
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "TEST_"))},
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "IDENTIFIER_PEPPER": BENCH_PEPPER,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url(),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10"),
        "DB_CONN_MAX_AGE": "600",
        "LOG_LEVEL": "INFO",
        "JWT_ACCESS_MINUTES": "120",
        "LOGIN_THROTTLE_RATE": UNLIMITED,
        "LOGIN_IDENTITY_THROTTLE_RATE": UNLIMITED,
        "PUBLIC_THROTTLE_RATE": UNLIMITED,
        "SIGNUP_THROTTLE_RATE": UNLIMITED,
        "KNOWLEDGE_SEARCH_THROTTLE_RATE": UNLIMITED,
        # Rebuilt from the loaded dataset before the server starts (`_run_server`).
        "SEARCH_INDEX_DIR": os.environ.get(
            "BENCH_SEARCH_INDEX_DIR", str(ROOT / "var" / "bench-search-index")
        ),
    }


@dataclass(frozen=True)
class Gunicorn:
    """How the app server runs. See README "Benchmarks" for why these are the defaults."""

    worker_class: str = "gthread"
    workers: int = 4
    threads: int = 2
    keep_alive: int = 5

    def describe(self) -> str:
        threads = f" × {self.threads} threads" if self.worker_class == "gthread" else ""
        return (
            f"gunicorn {self.workers} {self.worker_class} workers{threads}, "
            f"keep-alive {self.keep_alive}s"
        )

    def arguments(self) -> list[str]:
        args = [
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--keep-alive",
            str(self.keep_alive),
            "--backlog",
            "2048",
        ]
        if self.worker_class == "gthread":
            args += ["--threads", str(self.threads)]
        return args


@dataclass
class Scenario:
    name: str
    target: str  # shown in the table
    lua: str  # sets the script's variables, then requires a script from bench/lua
    min_ratio: float | None = None  # throughput relative to the baseline
    max_p95_ms: float | None = None  # as the load generator sees it (queueing included)
    max_server_p95_ms: float | None = None  # in the app, from its access log's duration
    min_items_per_s: float | None = None
    items_per_request: int = 1  # batch endpoints: items carried by one request
    connections: int | None = None
    read: bool = False  # part of the scale curve
    probe: str = ""  # a path that must exist, else the scenario is skipped
    warm_up_seconds: int | None = None  # longer than the default for a steady state


@dataclass
class Result:
    scenario: Scenario
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    server_p95_ms: float | None = None  # from the app's access log (`server_p95`)
    ratio: float | None = None
    # The baseline measured just before this scenario, which its ratio is taken against.
    beside: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def items_per_s(self) -> float:
        return self.rps * self.scenario.items_per_request

    @property
    def passed(self) -> bool:
        ok = self.errors == 0
        if self.scenario.min_ratio is not None and self.ratio is not None:
            ok = ok and self.ratio >= self.scenario.min_ratio
        if self.scenario.max_p95_ms is not None:
            ok = ok and self.p95_ms <= self.scenario.max_p95_ms
        if self.scenario.max_server_p95_ms is not None:
            server = self.server_p95_ms
            ok = ok and server is not None and server <= self.scenario.max_server_p95_ms
        if self.scenario.min_items_per_s is not None:
            ok = ok and self.items_per_s >= self.scenario.min_items_per_s
        return ok


BASELINE = Scenario(
    "baseline",
    "reference",
    'PATHS = DATA .. "/baseline.txt"\nrequire("get")\n',
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(port: int, config: Gunicorn, log: Path) -> subprocess.Popen[bytes]:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "backend.wsgi", "--bind", f"127.0.0.1:{port}", *config.arguments()],
        cwd=ROOT,
        env=server_env(),
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=10).status_code == 200:
                return process
        except requests.RequestException:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.3)
    process.terminate()
    raise SystemExit(f"gunicorn did not become ready; see {log}")


def stop_gunicorn(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def run_wrk(
    base_url: str, scenario: Scenario, duration: int, connections: int, workdir: Path
) -> Result:
    script = workdir / f"{scenario.name}.lua"
    script.write_text(
        f'package.path = "{LUA}/?.lua;" .. package.path\n'
        f'common = require("common")\nDATA = "{workdir}"\n{scenario.lua}'
    )
    command = [
        "wrk",
        "--threads",
        "2",
        "--connections",
        str(scenario.connections or connections),
        "--duration",
        f"{duration}s",
        "--timeout",
        "10s",
        "--script",
        str(script),
        base_url,
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    line = next((x for x in completed.stdout.splitlines() if x.startswith("BENCH_RESULT ")), None)
    if line is None:
        raise SystemExit(
            f"wrk gave no result for {scenario.name}:\n{completed.stdout}\n{completed.stderr}"
        )
    data = json.loads(line.removeprefix("BENCH_RESULT "))
    return Result(
        scenario=scenario,
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=data["non_2xx"] + data["socket_errors"],
    )


def server_p95(log: Path, start: int) -> float | None:
    """p95 of the request durations the app logged (its access log's `duration_ms`: from
    the first middleware to the response, in the worker) after byte `start` of the server's
    log. The load generator's p95 also holds the time a request waits for a free worker."""
    durations = []
    with log.open("rb") as lines:
        lines.seek(start)
        for line in lines:
            if b'"duration_ms"' in line:
                durations.append(float(json.loads(line)["duration_ms"]))
    if not durations:
        return None
    durations.sort()
    return durations[min(len(durations) - 1, int(0.95 * len(durations)))]


def format_table(results: list[Result], skipped: list[tuple[Scenario, str]]) -> str:
    rows = [
        "| scenario | req/s | items/s | p50 ms | p95 ms | p99 ms | server p95 ms | errors "
        "| baseline req/s just before | × baseline | target | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "—"
        beside = f"{r.beside:,.0f}" if r.beside is not None else "—"
        items = f"{r.items_per_s:,.0f}" if r.scenario.items_per_request > 1 else ""
        server = f"{r.server_p95_ms:.1f}" if r.server_p95_ms is not None else "—"
        rows.append(
            f"| {r.scenario.name} | {r.rps:,.0f} | {items} | {r.p50_ms:.1f} | "
            f"{r.p95_ms:.1f} | {r.p99_ms:.1f} | {server} | {r.errors} | {beside} | {ratio} "
            f"| {r.scenario.target} "
            f"| {'—' if r.scenario.name == 'baseline' else ('yes' if r.passed else 'NO')} |"
        )
    for scenario, reason in skipped:
        rows.append(
            f"| {scenario.name} | | | | | | | | | | {scenario.target} | skipped: {reason} |"
        )
    return "\n".join(rows)


def format_scale_curve(small: list[Result], full: list[Result], small_scale: float) -> str:
    by_name = {r.scenario.name: r for r in full}
    rows = [
        f"| read scenario | req/s at {small_scale:.0%} | req/s at 100% | p95 ms at "
        f"{small_scale:.0%} | p95 ms at 100% | × baseline at {small_scale:.0%} "
        "| × baseline at 100% |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    base_small, base_full = small[0], by_name.get("baseline")
    if base_full is not None:
        rows.append(
            f"| baseline | {base_small.rps:,.0f} | {base_full.rps:,.0f} | "
            f"{base_small.p95_ms:.1f} | {base_full.p95_ms:.1f} | — | — |"
        )
    for r in small:
        other = by_name.get(r.scenario.name)
        if other is None or r.scenario.name == "baseline":
            continue
        rows.append(
            f"| {r.scenario.name} | {r.rps:,.0f} | {other.rps:,.0f} | {r.p95_ms:.1f} | "
            f"{other.p95_ms:.1f} | {r.ratio or 0:.2f} | {other.ratio or 0:.2f} |"
        )
    return "\n".join(rows)


def machine_summary(config: Gunicorn, connections: int, duration: int) -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB memory"
    except (OSError, ValueError, IndexError):
        pass
    with_pg = ""
    try:
        import psycopg

        with psycopg.connect(database_url()) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            with_pg = f", PostgreSQL {row[0].split()[0] if row else '?'}"
    except Exception:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}){memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}{with_pg}, Redis for throttles; "
        f"{config.describe()}; wrk 2 threads × {connections} connections, {duration}s per "
        f"scenario after a 2s warm-up; load generator, database and app on the same machine"
    )
