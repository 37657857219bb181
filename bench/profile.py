"""Profile one request path in-process against the benchmark database (pyinstrument).

    .venv/bin/python -m bench.profile /api/v1/me/ --as-employee 5 [--requests 300]
    .venv/bin/python -m bench.profile /api/v1/signups/batch/ --method POST --body items.json \
        --api-key KEY

Uses the benchmark's production settings and dataset (run `python -m bench` once first),
goes through the whole middleware stack with Django's test client, prints the queries of
one request and the profile of the rest.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--body", type=Path, default=None, help="JSON request body file")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--as-employee", type=int, default=None, help="employee id (JWT)")
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--flat", action="store_true", help="a flat list of the costliest frames")
    args = parser.parse_args()

    from bench.run import server_env

    os.environ.update(server_env())
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    from backend.accounts.models import Employee
    from bench.tokens import access_token

    headers = {"HTTP_HOST": "127.0.0.1"}
    if args.as_employee is not None:
        employee = Employee.objects.get(pk=args.as_employee)
        headers["HTTP_AUTHORIZATION"] = f"Bearer {access_token(employee)}"
    if args.api_key:
        headers["HTTP_AUTHORIZATION"] = f"Api-Key {args.api_key}"
    body = args.body.read_text() if args.body else None
    client = Client()
    sent = [0]

    def send() -> int:
        if args.method == "GET":
            return client.get(args.path, **headers).status_code
        # `RUNID` in the body becomes unique per request, so writes are not replays.
        sent[0] += 1
        unique = (body or "").replace("RUNID", f"{os.getpid()}-{time.time_ns()}-{sent[0]}")
        return client.generic(
            args.method, args.path, unique, content_type="application/json", **headers
        ).status_code

    print("status", send())
    with CaptureQueriesContext(connection) as queries:
        send()
    for query in queries.captured_queries:
        print(f"  {query['time']}s  {query['sql'][:300]}")
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    with profiler:
        for _ in range(args.requests):
            send()
    elapsed = time.perf_counter() - started
    print(
        f"{args.requests} requests in {elapsed:.2f}s: {elapsed / args.requests * 1000:.2f} ms each"
    )
    print(profiler.output_text(unicode=True, color=False, flat=args.flat))


if __name__ == "__main__":
    main()
