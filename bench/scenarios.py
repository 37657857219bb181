"""What the benchmark measures, and the target for each (ratio to the baseline measured in
the same run, unless it says otherwise)."""

from __future__ import annotations

from bench.run import Scenario

OPS_QUEUE = "/api/v1/ops/attributions/"
OPS_FUNNEL = "/api/v1/ops/reports/funnel/"


def _get(paths: str, *, tokens: str | None = "tokens.txt", vary_agent: bool = False) -> str:
    lines = [f'PATHS = DATA .. "/{paths}"']
    if tokens:
        lines.append(f'TOKENS = DATA .. "/{tokens}"')
    if vary_agent:
        lines.append("VARY_AGENT = true")
    return "\n".join([*lines, 'require("get")', ""])


def _signups(path: str, items: int) -> str:
    return f'PATH = "{path}"\nITEMS = {items}\nrequire("signups")\n'


SCENARIOS = [
    # Questions as employees ask them (labelled and extra queries, round robin), ranked by
    # the search engine on every request: there is no shared page cache (bench/RESULTS.md,
    # "Search engine").
    # Its latency target is the server's (issue 13): with 16 connections always busy the
    # load generator's p95 is mostly the wait for a free worker (16 / throughput).
    Scenario(
        "article search",
        "≥ 0.35×, server p95 ≤ 25 ms",
        _get("search.txt"),
        min_ratio=0.35,
        max_server_p95_ms=25,
        read=True,
    ),
    Scenario("article detail", "≥ 0.6×", _get("detail.txt"), min_ratio=0.6, read=True),
    Scenario("/me", "≥ 0.6×", _get("me.txt"), min_ratio=0.6, read=True),
    Scenario("impact", "≥ 0.5×", _get("impact.txt"), min_ratio=0.5, read=True),
    Scenario(
        "landing page (records a visit)",
        "≥ 0.5×",
        _get("landing.txt", tokens=None, vary_agent=True),
        min_ratio=0.5,
        read=True,
    ),
    # The ops reads come before the ingestion scenarios: those write some 40,000 sign-ups
    # dated today (the dataset holds 100,000 for a whole year), and the funnel counts the
    # days after its rollup live, so measured after them it measured the benchmark's own
    # writes rather than the dataset.
    Scenario(
        "ops queue (first page)",
        "p95 ≤ 50 ms",
        _get("ops_queue.txt", tokens="sales_ops_tokens.txt"),
        max_p95_ms=50,
        read=True,
        probe=OPS_QUEUE,
        # A latency target: a few sales ops people at once, not 16 clients in a loop.
        connections=2,
    ),
    Scenario(
        "monthly funnel report",
        "p95 ≤ 50 ms",
        _get("ops_funnel.txt", tokens="sales_ops_tokens.txt"),
        max_p95_ms=50,
        read=True,
        probe=OPS_FUNNEL,
        connections=2,
    ),
    Scenario(
        "single sign-up ingestion",
        "≥ 0.35×",
        _signups("/api/v1/signups/", 1),
        min_ratio=0.35,
    ),
    Scenario(
        "batch ingestion (1000 per call)",
        "≥ 15,000 sign-ups/s",
        _signups("/api/v1/signups/batch/", 1000),
        min_items_per_s=15_000,
        items_per_request=1000,
        connections=4,
    ),
    Scenario(
        "login",
        "none (password hashing)",
        'require("login")\n',
        connections=4,
    ),
]
