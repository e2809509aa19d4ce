"""``paperkb serve`` as a new user meets it (issue 23): a busy port is one line and exit code 1
before any work, no terminal colour codes or banners, and an edited listing shows up in the
served site without a restart."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, abstract, make_project

from generator.cli import main


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project", FIXTURES / "small")


def args(project: Path, *more: str) -> list[str]:
    return [
        "serve",
        "--data",
        str(project / "data"),
        "--config",
        str(project / "mkdocs.yml"),
        *more,
    ]


def test_a_busy_port_is_one_line_and_exit_code_1_before_any_work(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(args(project, "--dev-addr", f"127.0.0.1:{port}"))
    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert err == (
        f"paperkb: error: cannot serve on 127.0.0.1:{port}: Address already in use; stop what "
        "uses it or choose another address with --dev-addr HOST:PORT\n"
    )
    assert not (project / "docs" / "papers").exists()  # nothing generated
    assert not (project / "data" / "permalinks.tsv").exists()


@pytest.mark.parametrize("address", ["localhost", "127.0.0.1:http", "127.0.0.1:99999"])
def test_a_malformed_address_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str], address: str
) -> None:
    assert main(args(project, "--dev-addr", address)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"paperkb: error: --dev-addr {address}: ") and err.count("\n") == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # loopback only
            return str(answer.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def _wait_for(url: str, text: str, server: subprocess.Popen[bytes], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        page = _get(url)
        if page is not None and text in page:
            return True
        time.sleep(0.25)
    return False


NEW_LISTING = """new

Get trending papers in your email inbox!

Subscribe

Daily Papers

byAK and the research community

Aug 20

Quokka Attention for Marsupial Transformers

{abstract}
"""


@pytest.mark.slow
def test_serve_regenerates_on_a_data_change_plainly_and_stops_cleanly(project: Path) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/"
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", *args(project, "--dev-addr", f"127.0.0.1:{port}")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TERM": "xterm-256color", "FORCE_COLOR": "1"},
    )
    try:
        assert _wait_for(url + "papers/index.html", "<h1", server, 120), "never served"
        assert _get(url + "papers/quokka-attention-for-marsupial-transformers.html") is None
        listing = NEW_LISTING.format(abstract=abstract("quokka marsupials"))
        (project / "data" / "listings" / "2024-08-20.txt").write_text(listing, encoding="utf-8")
        assert _wait_for(
            url + "papers/index.html", "Quokka Attention for Marsupial Transformers", server, 120
        ), "the new listing never reached the served site"
        page = _get(url + "papers/quokka-attention-for-marsupial-transformers.html")
        assert page is not None and "marsupials" in page
        assert "quokka-attention" in (project / "data" / "permalinks.tsv").read_text()
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=60)
    text = (out + err).decode("utf-8")
    assert server.returncode == 0, text
    assert "\x1b[" not in text  # no terminal colour codes
    assert "Traceback" not in text
    assert "end of life" not in text  # Material's banner
    assert f"Serving on {url}" in text
    assert "data/ changed, regenerating the pages" in text
