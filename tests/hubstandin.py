"""A stand-in for the Hub on 127.0.0.1 (never the internet), for ``paperkb fetch``'s tests.

It serves ``/api/daily_papers`` (paged with ``limit`` and ``p``) and ``/api/papers/search`` from
dictionaries a test fills, answers scripted replies (errors, slow, dripping or broken answers)
first, and records every request. A request to any other path fails the test (the ``hub``
fixture in ``conftest.py``): paperkb makes no request it does not mean. Retry waits are made
tiny through :data:`generator.tools.hubclient.BUDGET`, or recorded by an injected ``sleep``.
"""

from __future__ import annotations

import datetime
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import MINIMAL_TAXONOMY, MakeTree

from generator.cli import main
from generator.tools import hubclient
from generator.tools.hubclient import Budget

DAY = datetime.date(2024, 12, 3)
#: Retries in microseconds, a generous timeout (tests that want a timeout lower it).
TINY = Budget(timeout=5.0, attempts=3, first_wait=0.001, max_wait=0.004, per_day=30.0)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"[]"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drip: float = 0.0
    """Seconds between single bytes of the body (the headers too when ``drip_headers``)."""
    drip_headers: bool = False
    length: bool = True
    """Whether a Content-Length is sent (without one the body ends when the server closes)."""


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeHub:
    url: str = ""
    days: dict[str, list[Any]] = field(default_factory=dict)
    searches: dict[str, list[Any]] = field(default_factory=dict)
    script: list[Reply] = field(default_factory=list)
    slow_days: set[str] = field(default_factory=set)
    seen: list[Seen] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, path: str, query: dict[str, str]) -> Reply:
        with self.lock:
            if self.script:
                return self.script.pop(0)
        if path == "/api/daily_papers":
            if query.get("date") in self.slow_days:
                return Reply(delay=2.0)
            items = self.days.get(query["date"], [])
            limit, page = int(query["limit"]), int(query["p"])
            return Reply(body=json.dumps(items[page * limit : (page + 1) * limit]).encode())
        if path == "/api/papers/search":
            return Reply(body=json.dumps(self.searches.get(query["q"], [])).encode())
        return Reply(404, b'{"error": "not found"}')

    def dates(self) -> list[str]:
        return [s.query["date"] for s in self.seen if s.path == "/api/daily_papers"]


#: The only paths paperkb asks; any other request fails the test (issue 22: no library may make
#: requests of its own, as huggingface_hub 2.x did with /api/agent-harnesses).
EXPECTED = frozenset({"/api/daily_papers", "/api/papers/search"})


def handler_for(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            headers = {k.lower(): v for k, v in self.headers.items()}
            with hub.lock:
                hub.seen.append(Seen(parts.path, query, headers))
                if parts.path not in EXPECTED:
                    hub.unexpected.append(self.path)
            reply = hub.answer(parts.path, query)
            if reply.delay:
                hub.release.wait(reply.delay)
            try:
                if reply.drip_headers:
                    self.drip(b"HTTP/1.0 200 OK\r\n" + b"X-Slow: " + b"x" * 10_000, reply.drip)
                    return
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                if reply.length:
                    self.send_header("Content-Length", str(len(reply.body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if reply.drip:
                    self.drip(reply.body, reply.drip)
                else:
                    self.wfile.write(reply.body)
            except OSError:  # the client gave up (a timeout test)
                pass

        def drip(self, data: bytes, every: float) -> None:
            for n in range(len(data)):
                if hub.release.wait(every):
                    return
                self.wfile.write(data[n : n + 1])
                self.wfile.flush()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve(monkeypatch: pytest.MonkeyPatch, home: Path) -> Iterator[FakeHub]:
    """Run a stand-in Hub and point ``HF_ENDPOINT`` at it; fail the test on a request to a path
    paperkb does not mean, or on anything written under ``HF_HOME`` (``home``, not made)."""
    fake = FakeHub()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("HF_ENDPOINT", fake.url)
    monkeypatch.setenv("HF_HOME", str(home))
    for name in ("HF_TOKEN", "HF_HUB_OFFLINE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(hubclient, "BUDGET", TINY)
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
    if fake.unexpected:
        pytest.fail(f"requests to paths the stand-in does not expect: {fake.unexpected}")
    if home.exists():
        pytest.fail(f"something was written under HF_HOME: {sorted(map(str, home.rglob('*')))}")


def item(n: int, day: str = "2024-12-03", **paper: Any) -> dict[str, Any]:
    """An item in the daily papers shape (distinct titles and abstracts for distinct ``n``)."""
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"]
    topic = f"{words[n % 8]} {words[(n // 8) % 8]} {words[(n // 64) % 8]}"
    fields = {
        "id": f"2412.{n:05d}",
        "title": f"Paper {n}: {topic.title()} Networks",
        "summary": f"We introduce {topic} networks, model {n}. They learn {topic} from data "
        f"and beat the baselines on {n % 7 + 2} benchmarks while using less compute.",
        "authors": [{"name": f"Ada Author{n}", "_id": f"a{n}"}],
        "publishedAt": f"{day}T10:00:00.000Z",
        "upvotes": n % 11,
    }
    fields.update(paper)
    return {
        "paper": fields,
        "title": fields["title"],
        "publishedAt": f"{day}T12:00:00.000Z",
        "numComments": 1,
    }


def data_dir(make_tree: MakeTree, files: dict[str, str] | None = None) -> Path:
    return make_tree({"data/topics.yaml": MINIMAL_TAXONOMY, **(files or {})}) / "data"


def saved(data: Path, day: str = "2024-12-03") -> Path:
    return data / "records" / "hub" / f"{day}.json"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["fetch", *args])
    out, err = capsys.readouterr()
    return code, out, err


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def quiet(line: str) -> None:
    pass
