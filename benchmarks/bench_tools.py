"""How long the tools take on a synthetic knowledge base, at two revisions of paperkb.

``paperkb diff``, ``paperkb topics`` and ``paperkb dedupe`` read a corpus; before issue 23 they
planned the whole site (related papers, the search index, every page, the citations) to do it.
``paperkb fetch --resolve`` is timed up to its first request: a stand-in Hub on 127.0.0.1 answers
every search with no hit, and the run is bounded to one look-up (``PAPERKB_RESOLVE_LIMIT`` where
the revision has it; otherwise the stand-in stops the run by answering 400 to the second
request), so what is timed is reading the corpus, not the network.

Each revision runs from its own git worktree (``--before`` and ``--after``, default ``HEAD``)
with this checkout's virtual environment, one command after the other on the same corpus, so
the machine's load affects both alike; compare the ratios::

    .venv/bin/python -m benchmarks.bench_tools --size 10000 --before 3421585 \\
        --output benchmarks/results/tools.md
"""

from __future__ import annotations

import argparse
import datetime
import http.server
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.synth import ROOT, corpus, make_project

COMMANDS: dict[str, list[str]] = {
    "topics": ["topics"],
    "dedupe": ["dedupe"],
    "diff": ["diff", "HEAD"],
    "fetch --resolve (to the first request)": ["fetch", "--resolve"],
}


class _NoHits(http.server.BaseHTTPRequestHandler):
    """A Hub that knows no paper: the first search gets ``[]``, every later request 400."""

    asked = 0

    def do_GET(self) -> None:
        type(self).asked += 1
        body = b"[]" if type(self).asked == 1 else b'{"error": "enough"}'
        self.send_response(200 if type(self).asked == 1 else 400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


def _worktree(rev: str, where: Path) -> Path:
    subprocess.run(
        ["git", "worktree", "add", "--detach", "-q", str(where), rev], cwd=ROOT, check=True
    )
    return where


def _time(source: Path, project: Path, args: list[str], endpoint: str) -> tuple[float, int]:
    env = dict(
        os.environ,
        PYTHONPATH=str(source),
        HF_ENDPOINT=endpoint,
        PAPERKB_RESOLVE_LIMIT="1",
        HF_HUB_OFFLINE="0",
    )
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "generator", *args, "--data", "data"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    return time.perf_counter() - start, done.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--before", required=True, help="git revision before the change")
    parser.add_argument("--after", default="HEAD", help="git revision after it (default HEAD)")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="paperkb-bench-tools-") as tmp:
        root = Path(tmp)
        made = corpus(args.size)
        project = make_project(root / "project", made.listings)
        subprocess.run(["git", "init", "-q"], cwd=project, check=True)
        subprocess.run(["git", "add", "-A"], cwd=project, check=True)
        subprocess.run(
            ["git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-qm", "corpus"],
            cwd=project,
            check=True,
        )
        trees = {
            rev: _worktree(rev, root / f"src-{n}")
            for n, rev in enumerate([args.before, args.after])
        }
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NoHits)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        rows = []
        try:
            for name, command in COMMANDS.items():
                times = []
                for rev in (args.before, args.after):
                    _NoHits.asked = 0
                    times.append(_time(trees[rev], project, command, endpoint))
                rows.append((name, *times))
        finally:
            server.shutdown()
            for tree in trees.values():
                subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT)
    load = os.getloadavg()
    lines = [
        "# Tools benchmark",
        "",
        f"- Command: `{' '.join(['.venv/bin/python -m benchmarks.bench_tools', *sys.argv[1:]])}`",
        f"- Date: {datetime.datetime.now(datetime.UTC).isoformat(timespec='seconds')}",
        f"- Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average at the end {load[0]:.2f}, {load[1]:.2f}, "
        f"{load[2]:.2f}",
        f"- Corpus: {made.entries:,} synthetic entries (`benchmarks/synth.py`), one run each, "
        "the two revisions one after the other.",
        "",
        "Exit codes in brackets (`fetch --resolve` stops with 1 at the stand-in's second answer).",
        "",
        f"| command | {args.before} | {args.after} | after / before |",
        "| --- | ---: | ---: | ---: |",
        *(
            f"| `paperkb {name}` | {b[0]:.2f} s [{b[1]}] | {a[0]:.2f} s [{a[1]}] "
            f"| {a[0] / b[0]:.2f} |"
            for name, b, a in rows
        ),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    print(json.dumps({name: [b, a] for name, b, a in rows}), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
