"""``paperkb fetch`` bounded in time and bytes, and never losing a saved paper (issue 22).

Against the stand-in Hub of :mod:`hubstandin` on 127.0.0.1: slow drips in the headers and the
body, huge and compressed bodies, pages holding more than was asked, a deep answer, and days
the Hub shrinks. Every bound is small here (a :class:`Budget` of fractions of a second).
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import threading
import time
import tracemalloc
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import MakeTree, listing
from hubstandin import DAY, TINY, FakeHub, Reply, data_dir, item, quiet, run, saved, serve

from generator.pipeline import generate
from generator.tools import fetch, hubclient
from generator.tools.fetch import (
    MAX_LOOKUPS,
    PAGE_SIZE,
    Budget,
    DayPlan,
    FetchError,
    Hub,
    fetch_days,
    format_items,
    keep_saved,
)

QUICK = Budget(timeout=0.5, attempts=1, first_wait=0.001, per_day=2.0, per_request=0.6)


def quick(hub: FakeHub, **changes: Any) -> Hub:
    return Hub(hub.url, budget=dataclasses.replace(QUICK, **changes))


# --- the stand-in itself ----------------------------------------------------------------------


def test_the_stand_in_fails_a_test_on_a_request_to_a_path_it_does_not_expect(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with (
        pytest.raises(pytest.fail.Exception, match="agent-harnesses"),
        serve(monkeypatch, tmp_path / "home") as fake,
    ):
        httpx.get(fake.url + "/api/agent-harnesses?limit=1")
    with (
        pytest.raises(pytest.fail.Exception, match="HF_HOME"),
        serve(monkeypatch, tmp_path / "home") as fake,
    ):
        (tmp_path / "home" / "hub").mkdir(parents=True)  # what huggingface_hub's cache did


def test_a_fetch_asks_only_the_daily_papers_and_writes_nothing_under_hf_home(
    hub: FakeHub, make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    hub.days["2024-12-03"] = [item(1)]
    code, _, err = run(capsys, "--data", str(data_dir(make_tree)), "--date", "2024-12-03")
    assert (code, err) == (0, "")
    assert [s.path for s in hub.seen] == ["/api/daily_papers"]  # the fixture checks HF_HOME


def test_hf_hub_offline_asks_nothing(
    hub: FakeHub,
    make_tree: MakeTree,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code, _, err = run(capsys, "--data", str(data_dir(make_tree)), "--date", "2024-12-03")
    assert code == 1 and "HF_HUB_OFFLINE is set" in err
    assert hub.seen == []


# --- time -------------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["body", "headers"])
def test_a_drip_of_one_byte_at_a_time_cannot_stretch_a_request(
    hub: FakeHub, make_tree: MakeTree, where: str
) -> None:
    body = json.dumps([item(n) for n in range(3)]).encode()
    hub.script = [Reply(body=body, drip=0.02, drip_headers=where == "headers")]
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"2024-12-03: gave up after 1 attempt.*within 0.6 s"):
        fetch_days(data_dir(make_tree), DayPlan((DAY,)), quick(hub), out=quiet)
    took = time.monotonic() - started
    # Each byte arrives well within the read timeout: only the wall-clock deadline stops it.
    assert took < QUICK.per_request + 1.5, took
    assert min(len(body), 10_000) * 0.02 > 4 * (QUICK.per_request + 1.5)  # the drip's length
    if where == "body":  # the worker left behind stops at its next piece, not at the drip's end
        time.sleep(0.3)
        assert "paperkb-hub-request" not in [t.name for t in threading.enumerate()]


def test_a_day_takes_at_most_its_budget_across_retries(hub: FakeHub, make_tree: MakeTree) -> None:
    hub.script = [Reply(body=b"[" + b" " * 100 + b"]", drip=0.05) for _ in range(10)]
    started = time.monotonic()
    with pytest.raises(FetchError, match="2024-12-03"):
        fetch_days(
            data_dir(make_tree),
            DayPlan((DAY,)),
            quick(hub, attempts=10, per_day=1.0, per_request=0.4),
            out=quiet,
        )
    assert time.monotonic() - started < 1.0 + 1.5  # per_day, and some slack for a loaded machine


# --- bytes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [True, False])
def test_a_body_beyond_the_cap_is_refused_without_being_read_whole(
    hub: FakeHub, make_tree: MakeTree, length: bool
) -> None:
    hub.script = [Reply(body=b"[" + b" " * 3_000_000 + b"]", length=length)]
    data = data_dir(make_tree)
    with pytest.raises(FetchError, match=r"2024-12-03: the Hub's answer is larger than 1,048,576"):
        fetch_days(data, DayPlan((DAY,)), quick(hub, max_bytes=2**20), out=quiet)
    assert not saved(data).exists()


def test_a_gzip_bomb_is_stopped_at_the_cap_never_expanded(
    hub: FakeHub, make_tree: MakeTree
) -> None:
    bomb = gzip.compress(b"[" + b" " * (256 * 2**20) + b"]", compresslevel=9)
    assert len(bomb) < 2**20  # 256 MiB in less than one
    hub.script = [Reply(body=bomb, headers={"Content-Encoding": "gzip"})]
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match=r"decodes to more than 4,194,304 bytes"):
            fetch_days(data_dir(make_tree), DayPlan((DAY,)), quick(hub, max_bytes=4 * 2**20))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 * 2**20, peak


@pytest.mark.parametrize("encoding", ["gzip", "deflate"])
def test_a_compressed_answer_within_the_cap_is_read_whole(
    hub: FakeHub, make_tree: MakeTree, encoding: str
) -> None:
    items = [item(n) for n in range(3)]
    padding = "," + " " * 1_000_000  # between the items: it decodes in many pieces
    text = "[" + padding.join(map(json.dumps, items)) + "]"
    packed = gzip.compress(text.encode()) if encoding == "gzip" else zlib.compress(text.encode())
    hub.script = [Reply(body=packed, headers={"Content-Encoding": encoding})]
    data = data_dir(make_tree)
    fetch_days(data, DayPlan((DAY,)), quick(hub), out=quiet)
    assert json.loads(saved(data).read_bytes()) == items
    assert hub.seen[0].headers["accept-encoding"] == "gzip, deflate"


def test_a_cut_compressed_answer_is_an_error_not_half_a_day(
    hub: FakeHub, make_tree: MakeTree
) -> None:
    packed = gzip.compress(json.dumps([item(1), item(2)]).encode())
    hub.script = [Reply(body=packed[: len(packed) // 2], headers={"Content-Encoding": "gzip"})]
    data = data_dir(make_tree)
    with pytest.raises(FetchError, match="the answer's gzip stream is cut short"):
        fetch_days(data, DayPlan((DAY,)), quick(hub), out=quiet)
    assert not saved(data).exists()


def test_items_beyond_the_page_size_are_refused_and_named(
    hub: FakeHub, make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    hub.script = [Reply(body=json.dumps([item(n) for n in range(10_000)]).encode())]
    data = data_dir(make_tree)
    code, _, err = run(capsys, "--data", str(data), "--date", "2024-12-03")
    assert code == 1
    assert f"page 0 holds 10,000 items where {PAGE_SIZE} were asked" in err
    assert "items beyond 50 refused: '2412.00050', '2412.00051'" in err
    assert "and 9,940 more" in err
    assert not saved(data).exists()


def test_a_deeply_nested_answer_is_a_located_error(
    hub: FakeHub, make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    hub.script = [Reply(body=b"[\n" + b"[" * 100_000 + b"]" * 100_000 + b"\n]")]
    code, _, err = run(capsys, "--data", str(data_dir(make_tree)), "--date", "2024-12-03")
    assert code == 1
    assert "paperkb: error: 2024-12-03: the Hub's answer nests more than 100 levels deep" in err
    assert "(line 2)" in err and "Traceback" not in err


# --- a saved day never loses a paper ------------------------------------------------------------


def test_a_day_asked_again_keeps_the_papers_the_hub_no_longer_lists(
    hub: FakeHub, make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    """The daily workflow asks the newest saved day again: a Hub that drops 4 of its 5 papers
    must not delete them (generate would then fail on their published ids, every day)."""
    five = [item(n) for n in range(5)]
    hub.days["2024-12-03"] = five
    data = data_dir(make_tree)
    assert run(capsys, "--data", str(data), "--date", "2024-12-03")[0] == 0
    assert generate(data, data.parent / "docs", parallel=False).plan is not None
    hub.days["2024-12-03"] = [item(2, upvotes=99)]
    lines: list[str] = []
    fetch.run(data, today=DAY, out=lines.append)  # plain `paperkb fetch`: the newest day again
    out = "\n".join(lines)
    kept = json.loads(saved(data).read_bytes())
    assert kept == [item(2, upvotes=99), five[0], five[1], five[3], five[4]]
    for n in (0, 1, 3, 4):
        assert f"2024-12-03: '2412.0000{n}' is no longer listed by the Hub; kept" in out
    assert "2024-12-03: 5 papers saved" in out
    assert "4 no longer listed by the Hub, kept" in out
    assert generate(data, data.parent / "docs", parallel=False).plan is not None
    mtime = saved(data).stat().st_mtime_ns
    lines.clear()
    fetch.run(data, today=DAY, out=lines.append)
    assert "2024-12-03: unchanged (5 papers)" in lines  # idempotent: kept papers stay put
    assert saved(data).stat().st_mtime_ns == mtime


def test_keeping_is_by_paper_id_in_the_saved_order() -> None:
    saved_items: list[object] = [item(1), item(2), {"paper": {}}, item(3)]
    merged, gone = keep_saved([item(3), item(4)], saved_items)
    assert gone == [item(1), item(2), {"paper": {}}]
    assert merged == [item(3), item(4), *gone]
    assert keep_saved([item(1)], []) == ([item(1)], [])


def test_a_saved_day_that_cannot_be_read_is_left_alone(hub: FakeHub, make_tree: MakeTree) -> None:
    data = data_dir(make_tree, {"data/records/hub/2024-12-03.json": "[{]"})
    hub.days["2024-12-03"] = [item(1)]
    with pytest.raises(FetchError, match=r"2024-12-03.json: cannot read it to add to it"):
        fetch_days(data, DayPlan((DAY,), frozenset({DAY})), Hub.from_env(), out=quiet)
    assert saved(data).read_text(encoding="utf-8") == "[{]"


# --- leftovers ----------------------------------------------------------------------------------


def test_a_killed_fetchs_temporary_file_is_removed_by_the_next_run(
    hub: FakeHub, make_tree: MakeTree
) -> None:
    data = data_dir(make_tree)
    folder = data / "records" / "hub"
    folder.mkdir(parents=True)
    dead = 2**22 + 12_345  # above any pid_max: no such process
    left = [folder / f".2024-12-03.json.{dead}.tmp", folder / f".resolved.json.{dead}.tmp"]
    mine = folder / f".notes.txt.{dead}.tmp"  # not a name fetch writes: not its to remove
    for path in [*left, mine]:
        path.write_bytes(b"half a day")
    hub.days["2024-12-03"] = [item(1)]
    fetch_days(data, DayPlan((DAY,)), Hub.from_env(), out=quiet)
    assert sorted(p.name for p in folder.iterdir()) == [mine.name, "2024-12-03.json"]


def test_temporary_files_are_git_ignored_and_never_added_to_the_pull_request() -> None:
    from conftest import ROOT

    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert "/data/**/.*.tmp" in ignored
    result = os.popen(f"git -C {ROOT} check-ignore data/records/hub/.2024-12-03.json.77.tmp")
    assert result.read().strip() == "data/records/hub/.2024-12-03.json.77.tmp"


# --- --resolve ----------------------------------------------------------------------------------


def _unresolved(make_tree: MakeTree, count: int) -> Path:
    pairs = [
        (f"Paper {n} on Topic {n}", f"We study topic {n} in depth, at length. " * 3)
        for n in range(count)
    ]
    return data_dir(make_tree, {"data/listings/a.txt": listing(*pairs)})


def test_resolve_asks_at_most_max_lookups(
    hub: FakeHub, make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _unresolved(make_tree, 5)
    code, out, err = run(capsys, "--data", str(data), "--resolve", "--max-lookups", "2")
    assert (code, err) == (0, "")
    assert len(hub.seen) == 2
    assert "resolve: 5 papers without an arXiv id: 0 resolved, 2 unmatched, 0 ambiguous; " in out
    assert "3 not looked up (at most 2 a run)" in out
    assert MAX_LOOKUPS == 1_000
    for bad in ("0", "-3", "many"):
        with pytest.raises(SystemExit) as usage:
            run(capsys, "--data", str(data), "--resolve", "--max-lookups", bad)
        assert usage.value.code == 2


def test_resolve_stops_when_its_time_is_spent_keeping_what_it_found(
    hub: FakeHub, make_tree: MakeTree
) -> None:
    data = _unresolved(make_tree, 5)
    hub.script = [Reply(body=b"[]", delay=0.3), Reply(body=b"[]", delay=5.0)]  # one slow search
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"--resolve: its 0.5 s are spent after [0-2] look-ups"):
        fetch.resolve(data, Hub.from_env(), out=quiet, seconds=0.5)
    assert time.monotonic() - started < 0.5 + 1.5


def test_format_items_keeps_text_as_text() -> None:
    assert format_items([item(1)]).decode("utf-8").startswith("[\n  {")
    assert hubclient.BUDGET == TINY or hubclient.BUDGET.per_day == 300.0
