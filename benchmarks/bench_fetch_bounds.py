"""``paperkb fetch``'s bounds against hostile answers from a server on 127.0.0.1 (issue 22).

What one request to the Hub costs, in wall-clock time and in memory, when the server drips one
byte a second, sends a 200 MB body (no Content-Length), or a gzip bomb (1 GiB of spaces in
about 1 MB): :class:`generator.tools.hubclient.Hub` with its real budget (60 s a request,
32 MiB decoded), or a shorter ``--per-request`` for a quick run. Memory is the peak that
``tracemalloc`` sees during the request (the server's copy of the body is made before).

    .venv/bin/python -m benchmarks.bench_fetch_bounds [--per-request S] [--output FILE]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import gzip
import os
import platform
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from generator.tools.hubclient import BUDGET, Budget, FetchError, Hub

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Row:
    answer: str
    seconds: float
    peak_mib: float
    outcome: str


def _handler(bodies: dict[str, tuple[bytes, str | None]], stop: threading.Event) -> type:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            try:
                self.send_response(200)
                if self.path == "/drip":
                    self.end_headers()
                    while not stop.wait(1.0):
                        self.wfile.write(b" ")
                        self.wfile.flush()
                    return
                body, encoding = bodies[self.path]
                if encoding:
                    self.send_header("Content-Encoding", encoding)
                self.end_headers()  # no Content-Length: the cap is found while reading
                self.wfile.write(body)
            except OSError:  # the client gave up: what is measured
                pass

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serve(bodies: dict[str, tuple[bytes, str | None]]) -> Iterator[str]:
    stop = threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(bodies, stop))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def measure(hub: Hub, path: str) -> Row:
    tracemalloc.start()
    started = time.monotonic()
    try:
        hub.get_json(path, {}, what=path, deadline=time.monotonic() + hub.budget.per_day)
        outcome = "read whole (not bounded!)"
    except FetchError as exc:
        outcome = str(exc).removeprefix(f"{path}: ")
    seconds = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return Row(path.strip("/"), seconds, peak, outcome)


def run(per_request: float, body_mb: int, bomb_mib: int) -> tuple[list[Row], Budget, int]:
    budget = dataclasses.replace(BUDGET, attempts=1, per_request=per_request)
    bomb = gzip.compress(b"[" + b" " * (bomb_mib * 2**20) + b"]", compresslevel=9)
    bodies = {
        "/big": (b"[" + b" " * (body_mb * 10**6) + b"]", None),
        "/bomb": (bomb, "gzip"),
    }
    with serve(bodies) as url:
        hub = Hub(url, budget=budget)
        rows = [measure(hub, path) for path in ("/drip", "/big", "/bomb")]
    return rows, budget, len(bomb)


def report(rows: Sequence[Row], budget: Budget, bomb_bytes: int, command: str) -> str:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        "# fetch bounds: one request against hostile answers",
        "",
        "What one request of `paperkb fetch` costs when the server drips, sends too much, or "
        "sends a gzip bomb (`benchmarks/bench_fetch_bounds.py`, a server on 127.0.0.1).",
        "",
        f"- Command: `{command}`",
        f"- Date: {datetime.date.today().isoformat()}",
        f"- Machine: {platform.system()} {platform.release()}, {platform.machine()}, "
        f"{os.cpu_count()} cores (shared with other jobs), Python {platform.python_version()}; "
        f"load average {load}",
        f"- Budget: {budget.per_request:g} s a request, {budget.timeout:g} s a read, "
        f"{budget.max_bytes:,} bytes decoded; one attempt. The gzip bomb is {bomb_bytes:,} "
        "bytes on the wire. Peak memory: `tracemalloc`'s peak during the request.",
        "",
        "| answer | seconds | peak MiB | outcome |",
        "| --- | --: | --: | --- |",
        *[f"| {r.answer} | {r.seconds:.1f} | {r.peak_mib:.1f} | {r.outcome} |" for r in rows],
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--per-request", type=float, default=BUDGET.per_request)
    parser.add_argument("--body-mb", type=int, default=200)
    parser.add_argument("--bomb-mib", type=int, default=1024)
    parser.add_argument(
        "--output", type=Path, default=ROOT / "benchmarks" / "results" / "fetch-bounds.md"
    )
    args = parser.parse_args(argv)
    rows, budget, bomb_bytes = run(args.per_request, args.body_mb, args.bomb_mib)
    command = " ".join([".venv/bin/python -m benchmarks.bench_fetch_bounds", *sys.argv[1:]])
    text = report(rows, budget, bomb_bytes, command)
    args.output.write_text(text, encoding="utf-8")
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
