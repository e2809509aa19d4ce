"""``paperkb fetch`` against a stand-in for the Hub on 127.0.0.1 (never the internet).

The stand-in (:mod:`hubstandin`, the ``hub`` fixture of ``conftest.py``) serves
``/api/daily_papers`` (paged with ``limit`` and ``p``) and ``/api/papers/search`` from
dictionaries a test fills, answers scripted replies (errors, slow or broken answers) first,
records every request, and fails the test on a request to any other path. Retry waits are made
tiny through :data:`generator.tools.hubclient.BUDGET`, or recorded by an injected ``sleep``.
Bounds in time and bytes, and saved days asked again: ``test_fetch_bounds``.
"""

from __future__ import annotations

import datetime
import json
import socket
from pathlib import Path
from typing import Any

import pytest
from conftest import MakeTree, abstract, listing
from hubstandin import DAY, TINY, FakeHub, Reply, Sleeps, data_dir, item, quiet, run, saved

from generator.cli import main
from generator.pipeline import generate, make_plan
from generator.text.folding import title_key
from generator.tools import fetch, hubclient
from generator.tools.fetch import (
    PAGE_SIZE,
    Budget,
    DayPlan,
    FetchError,
    Hub,
    fetch_days,
    format_items,
    match_hits,
    parse_retry_after,
    select_days,
    split_items,
)

# --- paging, saving, the file format --------------------------------------------------------


def test_a_day_of_three_pages_is_saved_whole_in_order(
    hub: FakeHub, make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    assert PAGE_SIZE == 50
    hub.days["2024-12-03"] = [item(n) for n in range(120)]
    data = data_dir(make_tree)
    code, out, err = run(capsys, "--data", str(data), "--date", "2024-12-03")
    assert (code, err) == (0, "")
    assert json.loads(saved(data).read_text(encoding="utf-8")) == hub.days["2024-12-03"]
    assert [s.query for s in hub.seen] == [
        {"date": "2024-12-03", "limit": "50", "p": str(p)} for p in range(3)
    ]
    assert "2024-12-03: 120 papers saved" in out
    assert "fetch: 1 day: 1 saved" in out


def test_a_full_last_page_is_followed_by_an_empty_one(hub: FakeHub, make_tree: MakeTree) -> None:
    hub.days["2024-12-03"] = [item(n) for n in range(100)]
    data = data_dir(make_tree)
    fetch_days(data, DayPlan((DAY,)), Hub.from_env(), out=quiet)
    assert [s.query["p"] for s in hub.seen] == ["0", "1", "2"]
    assert len(json.loads(saved(data).read_bytes())) == 100


def test_a_server_that_ignores_p_is_an_error_not_an_endless_loop(
    hub: FakeHub, make_tree: MakeTree
) -> None:
    page = json.dumps([item(n) for n in range(PAGE_SIZE)]).encode()
    hub.script = [Reply(body=page) for _ in range(5)]
    with pytest.raises(FetchError, match=r"2024-12-03: page 1 repeats page 0"):
        fetch_days(data_dir(make_tree), DayPlan((DAY,)), Hub.from_env(), out=quiet)


def test_the_day_file_is_readable_json_as_returned() -> None:
    items = [item(2, title="Ünïcode — Title"), item(1)]
    data = format_items(items)
    assert data.endswith(b"}\n]\n")
    assert data == (json.dumps(items, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode(
        "utf-8"
    )
    assert "Ünïcode — Title".encode() in data  # not \u escapes
    assert [i["paper"]["id"] for i in json.loads(data)] == ["2412.00002", "2412.00001"]


def test_an_empty_day_saves_nothing_and_says_so(
    hub: FakeHub, make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    data = data_dir(make_tree)
    code, out, _ = run(capsys, "--data", str(data), "--date", "2024-12-03")
    assert code == 0
    assert "2024-12-03: no papers" in out
    assert not (data / "records" / "hub").exists()


# --- retries and failures -------------------------------------------------------------------


def test_a_503_is_retried_then_the_day_is_saved(hub: FakeHub, make_tree: MakeTree) -> None:
    hub.days["2024-12-03"] = [item(1)]
    hub.script = [Reply(503, b'{"error": "busy"}')]
    sleeps = Sleeps()
    data = data_dir(make_tree)
    fetch_days(data, DayPlan((DAY,)), Hub(hub.url, budget=TINY, sleep=sleeps), out=quiet)
    assert len(hub.seen) == 2
    assert sleeps == [TINY.first_wait]
    assert json.loads(saved(data).read_bytes()) == [item(1)]


def test_a_429_waits_what_retry_after_asks(hub: FakeHub, make_tree: MakeTree) -> None:
    hub.days["2024-12-03"] = [item(1)]
    hub.script = [Reply(429, b"{}", {"Retry-After": "7"}), Reply(503, b"{}")]
    sleeps = Sleeps()
    data = data_dir(make_tree)
    fetch_days(data, DayPlan((DAY,)), Hub(hub.url, budget=TINY, sleep=sleeps), out=quiet)
    assert sleeps == [7.0, TINY.backoff(2)]  # Retry-After, then the backoff of attempt 2
    assert len(hub.seen) == 3
    assert saved(data).exists()


def test_a_retry_after_beyond_the_cap_stops_instead_of_asking_early(
    hub: FakeHub, make_tree: MakeTree
) -> None:
    hub.script = [Reply(429, b"{}", {"Retry-After": "3600"})]
    sleeps = Sleeps()
    with pytest.raises(FetchError, match=r"2024-12-03: the Hub asks to wait 3600 s") as exc:
        fetch_days(
            data_dir(make_tree), DayPlan((DAY,)), Hub(hub.url, budget=TINY, sleep=sleeps), out=quiet
        )
    assert "429" in str(exc.value)
    assert sleeps == []
    assert len(hub.seen) == 1


def test_no_retry_is_started_that_would_end_after_the_days_budget(
    hub: FakeHub, make_tree: MakeTree
) -> None:
    hub.script = [Reply(503, b"{}") for _ in range(3)]
    budget = Budget(timeout=5.0, attempts=5, first_wait=60.0, max_wait=60.0, per_day=10.0)
    sleeps = Sleeps()
    with pytest.raises(FetchError, match=r"2024-12-03: gave up after 1 attempt in .*10 s budget"):
        fetch_days(
            data_dir(make_tree),
            DayPlan((DAY,)),
            Hub(hub.url, budget=budget, sleep=sleeps),
            out=quiet,
        )
    assert sleeps == []


def test_server_errors_past_the_attempts_fail_naming_the_day_and_the_status(
    hub: FakeHub, make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    hub.script = [Reply(502, b'{"error": "bad gateway"}') for _ in range(TINY.attempts)]
    code, _, err = run(capsys, "--data", str(data_dir(make_tree)), "--date", "2024-12-03")
    assert code == 1
    assert err.splitlines()[-1].startswith("paperkb: error: 2024-12-03: gave up after 3 attempts")
    assert "502" in err
    assert len(hub.seen) == TINY.attempts


def test_a_client_error_is_not_retried(hub: FakeHub, make_tree: MakeTree) -> None:
    hub.script = [Reply(400, b'{"error": "bad date"}')]
    with pytest.raises(FetchError, match=r"2024-12-03: .*bad date"):
        fetch_days(data_dir(make_tree), DayPlan((DAY,)), Hub.from_env(), out=quiet)
    assert len(hub.seen) == 1


def test_timeouts_are_retried_then_fail_keeping_the_days_saved_before(
    hub: FakeHub,
    make_tree: MakeTree,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(hubclient, "BUDGET", Budget(timeout=0.2, attempts=2, first_wait=0.001))
    hub.days["2024-12-02"] = [item(1, "2024-12-02")]
    hub.slow_days.add("2024-12-03")  # answers after 2 s
    data = data_dir(make_tree)
    args = ("--data", str(data), "--since", "2024-12-02", "--until", "2024-12-03")
    code, out, err = run(capsys, *args)
    assert code == 1
    assert "2024-12-03: gave up after 2 attempts" in err
    assert "no answer from http://127.0.0.1:" in err and "within 0.2 s" in err
    assert "Traceback" not in err
    assert hub.dates().count("2024-12-03") == 2
    assert json.loads(saved(data, "2024-12-02").read_bytes()) == hub.days["2024-12-02"]
    assert not saved(data).exists()
    assert list((data / "records" / "hub").iterdir()) == [saved(data, "2024-12-02")]
    assert "2024-12-02: 1 paper saved" in out and "stopped at 2024-12-03" in out


def test_connection_refused_is_a_clear_error(
    make_tree: MakeTree, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")
    monkeypatch.setattr(hubclient, "BUDGET", TINY)
    code, _, err = run(capsys, "--data", str(data_dir(make_tree)), "--date", "2024-12-03")
    assert code == 1
    *waits, last = err.splitlines()
    assert last.startswith("paperkb: error: 2024-12-03: gave up after 3 attempts")
    assert f"cannot connect to http://127.0.0.1:{port}" in last
    # No wait in silence: every failed attempt but the last says what failed and what comes.
    assert waits == [
        f"  2024-12-03: cannot connect to http://127.0.0.1:{port}: [Errno 111] Connection "
        f"refused; asking again in {TINY.backoff(n):g} s (attempt {n + 1} of 3)"
        for n in (1, 2)
    ]
    assert "Traceback" not in err


def test_a_body_that_is_not_json_is_an_error_naming_the_day(
    hub: FakeHub, make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    hub.script = [Reply(body=b"<html>maintenance</html>")]
    data = data_dir(make_tree)
    code, _, err = run(capsys, "--data", str(data), "--date", "2024-12-03")
    assert code == 1
    assert "paperkb: error: 2024-12-03: the Hub's answer is not JSON" in err
    assert "<html>maintenance" in err
    assert len(hub.seen) == 1  # not retried
    assert not saved(data).exists()


def test_json_that_is_not_a_list_is_an_error(hub: FakeHub, make_tree: MakeTree) -> None:
    hub.script = [Reply(body=b'{"papers": []}')]
    with pytest.raises(FetchError, match=r"2024-12-03: the Hub answered an object where a list"):
        fetch_days(data_dir(make_tree), DayPlan((DAY,)), Hub.from_env(), out=quiet)


# --- malformed items ------------------------------------------------------------------------


def test_malformed_items_are_left_out_and_named_the_others_saved(
    hub: FakeHub, make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = [
        "just a string",
        item(2, title=5),
        item(3, id="not-an-id"),
        {"title": "no paper object"},
        item(5, title="  "),
        {"paper": {"title": "No id", "summary": "An abstract."}},
        item(7, summary=None),
    ]
    hub.days["2024-12-03"] = [item(0), *bad, item(8)]
    data = data_dir(make_tree, {"data/listings/a.txt": listing(("Other", abstract("other")))})
    code, out, _ = run(capsys, "--data", str(data), "--date", "2024-12-03")
    assert code == 0
    assert json.loads(saved(data).read_bytes()) == [item(0), item(8)]
    assert "2024-12-03: item 1 left out: must be an object, got a string" in out
    assert "2024-12-03: item 2 (id '2412.00002') left out: paper.title: must be a string" in out
    assert "2024-12-03: item 3 (id 'not-an-id') left out: paper.id: not an arXiv id" in out
    assert "2024-12-03: item 4 left out: paper: missing" in out
    assert "2024-12-03: item 5 (id '2412.00005') left out: paper.title: must not be empty" in out
    assert "2024-12-03: item 6 left out: paper.id: missing" in out
    assert (
        "2024-12-03: item 7 (id '2412.00007') left out: paper.summary: must be a string, got null"
        in out
    )
    assert "2024-12-03: 2 papers saved" in out
    assert "7 malformed items left out" in out
    assert len(make_plan(data, parallel=False).papers) == 3  # the saved file is valid input


def test_the_check_agrees_with_the_records_reader() -> None:
    items: list[Any] = [item(1), item(2, upvotes=-1), item(3, publishedAt="yesterday"), [1]]
    kept, left = split_items("d", items)
    assert kept == [item(1)]
    assert [(x.position, x.id) for x in left] == [(1, "2412.00002"), (2, "2412.00003"), (3, None)]
    assert "paper.upvotes: must not be negative" in left[0].reason
    assert "paper.publishedAt: not an ISO 8601 date" in left[1].reason


# --- what the pipeline makes of fetched days ------------------------------------------------


def test_a_paper_listed_on_two_days_is_one_paper(hub: FakeHub, make_tree: MakeTree) -> None:
    hub.days["2024-12-02"] = [item(1, "2024-12-02"), item(2, "2024-12-02")]
    hub.days["2024-12-03"] = [item(1, "2024-12-03"), item(3)]
    data = data_dir(
        make_tree, {"data/listings/a.txt": listing(("Other paper", abstract("other things")))}
    )
    plan = DayPlan((datetime.date(2024, 12, 2), DAY))
    fetch_days(data, plan, Hub.from_env(), out=quiet)
    papers = make_plan(data, parallel=False).papers
    assert len(papers) == 4
    (twice,) = [p for p in papers if p.meta.arxiv == "2412.00001"]
    assert {s.file for s in twice.sources} == {
        "records/hub/2024-12-02.json",
        "records/hub/2024-12-03.json",
    }


def test_a_paper_already_listed_keeps_its_id_and_gains_its_arxiv_id(
    hub: FakeHub, make_tree: MakeTree
) -> None:
    known = item(4)
    title, summary = known["paper"]["title"], known["paper"]["summary"]
    data = data_dir(make_tree, {"data/listings/2024-12-03.txt": listing((title, summary))})
    docs = data.parent / "docs"
    before = generate(data, docs, parallel=False).plan
    assert before is not None
    (paper,) = before.papers
    assert paper.meta.arxiv is None
    page = docs / "papers" / f"{paper.id}.md"
    assert page.exists()

    hub.days["2024-12-03"] = [known]
    fetch_days(data, DayPlan((DAY,)), Hub.from_env(), out=quiet)
    after = generate(data, docs, parallel=False).plan
    assert after is not None
    (same,) = after.papers
    assert same.id == paper.id
    assert same.meta.arxiv == "2412.00004"
    assert page.exists()
    assert "2412.00004" in page.read_text(encoding="utf-8")
    assert (data / "permalinks.tsv").read_text(encoding="utf-8").count(paper.id) == 1


# --- idempotence ----------------------------------------------------------------------------


def test_a_second_run_over_saved_days_writes_and_asks_nothing(
    hub: FakeHub, make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    hub.days["2024-12-03"] = [item(1), item(2)]
    data = data_dir(make_tree)
    assert run(capsys, "--data", str(data), "--date", "2024-12-03")[0] == 0
    before = saved(data).stat().st_mtime_ns, saved(data).read_bytes()
    asked = len(hub.seen)
    hub.days["2024-12-03"] = [item(9)]  # the Hub changed, but the day is not asked again
    code, out, _ = run(capsys, "--data", str(data), "--date", "2024-12-03")
    assert code == 0
    assert "2024-12-03: skipped (already saved)" in out
    assert "0 saved, 0 unchanged, 1 skipped" in out
    assert (saved(data).stat().st_mtime_ns, saved(data).read_bytes()) == before
    assert len(hub.seen) == asked


def test_refresh_rewrites_only_a_day_that_changed(
    hub: FakeHub, make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    hub.days["2024-12-02"] = [item(1, "2024-12-02")]
    hub.days["2024-12-03"] = [item(2)]
    data = data_dir(make_tree)
    args = ("--data", str(data), "--since", "2024-12-02", "--until", "2024-12-03")
    assert run(capsys, *args)[0] == 0
    first = saved(data, "2024-12-02").stat().st_mtime_ns
    hub.days["2024-12-03"] = [item(2), item(3)]
    code, out, _ = run(capsys, *args, "--refresh")
    assert code == 0
    assert "2024-12-02: unchanged (1 paper)" in out
    assert "2024-12-03: 2 papers saved" in out
    assert saved(data, "2024-12-02").stat().st_mtime_ns == first
    assert json.loads(saved(data).read_bytes()) == [item(2), item(3)]
    assert not [p for p in saved(data).parent.iterdir() if p.name.endswith(".tmp")]


def test_refresh_keeps_a_saved_day_the_hub_now_lists_empty(
    hub: FakeHub, make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    data = data_dir(make_tree)
    hub.days["2024-12-03"] = [item(1)]
    run(capsys, "--data", str(data), "--date", "2024-12-03")
    hub.days["2024-12-03"] = []
    code, out, _ = run(capsys, "--data", str(data), "--date", "2024-12-03", "--refresh")
    assert code == 0
    assert "2024-12-03: no papers; the saved file is kept" in out
    assert json.loads(saved(data).read_bytes()) == [item(1)]


# --- which days -----------------------------------------------------------------------------


def test_default_days_start_today_when_nothing_is_saved() -> None:
    assert select_days([], DAY) == DayPlan((DAY,))


def test_default_days_run_from_the_newest_saved_day_through_today() -> None:
    saved_days = [datetime.date(2024, 11, 20), datetime.date(2024, 12, 1)]
    plan = select_days(saved_days, DAY)
    assert plan.days == (
        datetime.date(2024, 12, 1),
        datetime.date(2024, 12, 2),
        datetime.date(2024, 12, 3),
    )
    assert plan.recheck == {datetime.date(2024, 12, 1)}
    assert select_days([DAY], DAY) == DayPlan((DAY,), frozenset({DAY}))


def test_explicit_days_and_their_errors() -> None:
    since = datetime.date(2024, 11, 30)
    assert select_days([], DAY, since=since).days[0] == since
    assert select_days([], DAY, since=since, until=since) == DayPlan((since,))
    with pytest.raises(FetchError, match="--until needs --since"):
        select_days([], DAY, until=since)
    with pytest.raises(FetchError, match="is before --since"):
        select_days([], DAY, since=DAY, until=since)
    with pytest.raises(FetchError, match=r"--date 2024-12-04 is after today \(2024-12-03, UTC\)"):
        select_days([], DAY, day=datetime.date(2024, 12, 4))


def test_the_default_range_asks_from_the_newest_saved_day_with_a_given_today(
    hub: FakeHub, make_tree: MakeTree
) -> None:
    hub.days["2024-12-01"] = [item(1, "2024-12-01")]
    hub.days["2024-12-03"] = [item(3)]
    data = data_dir(make_tree)
    lines: list[str] = []
    fetch.run(data, date=datetime.date(2024, 12, 1), today=DAY, out=lines.append)
    fetch.run(data, today=DAY, out=lines.append)
    assert hub.dates() == ["2024-12-01", "2024-12-01", "2024-12-02", "2024-12-03"]
    assert lines[2:] == [
        "2024-12-01: unchanged (1 paper)",
        "2024-12-02: no papers",
        "2024-12-03: 1 paper saved",
        "fetch: 3 days: 1 saved, 1 unchanged, 0 skipped (already saved), 1 without papers; "
        "0 malformed items left out",
    ]


def test_the_cli_uses_today_in_utc_by_default(
    hub: FakeHub,
    make_tree: MakeTree,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(fetch, "utc_today", lambda: DAY)
    code, out, _ = run(capsys, "--data", str(data_dir(make_tree)))
    assert code == 0
    assert hub.dates() == ["2024-12-03"]
    assert "2024-12-03: no papers" in out
    assert out.endswith("nothing new: no file under data/ changed\n")
    hub.days["2024-12-03"] = [item(1, "2024-12-03")]
    code, out, _ = run(capsys, "--data", str(data_dir(make_tree)))
    assert code == 0 and "2024-12-03: 1 paper saved" in out
    assert "next: `paperkb generate` gives new papers their permanent ids" in out


def test_the_cli_refuses_bad_date_options_with_exit_code_1(
    hub: FakeHub, make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    data = str(data_dir(make_tree))
    code, _, err = run(capsys, "--data", data, "--until", "2024-12-03")
    assert (code, err) == (1, "paperkb: error: --until needs --since\n")
    code, _, err = run(capsys, "--data", data, "--resolve", "--refresh")
    assert code == 1 and "--resolve takes no dates" in err
    code, _, err = run(capsys, "--data", str(Path(data) / "missing"), "--date", "2024-12-03")
    assert code == 1 and "data directory does not exist" in err
    with pytest.raises(SystemExit) as usage:  # a malformed date is a usage error, as elsewhere
        main(["fetch", "--date", "2024-13-01"])
    assert usage.value.code == 2
    assert hub.seen == []


def test_help_states_the_time_bounds(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["fetch", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "Each request takes at most 60 s however the server answers" in out
    assert "a connection or a read waits at most 30 s) and at most 32 MiB, decoded" in out
    assert "one day (or one search) takes at most 300 s in all" in out
    assert "--resolve asks at most --max-lookups searches a run (default 1,000" in out
    assert "takes at most 3600 s in all" in out
    assert "--refresh" in out and "--resolve" in out and "--since" in out


# --- the Hub's address and token ------------------------------------------------------------


def test_hf_token_is_sent_as_a_bearer_token(
    hub: FakeHub, make_tree: MakeTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = data_dir(make_tree)
    fetch_days(data, DayPlan((DAY,)), Hub.from_env(), out=quiet)
    assert "authorization" not in hub.seen[0].headers
    assert hub.seen[0].headers["user-agent"].startswith("paperkb/")
    monkeypatch.setenv("HF_TOKEN", "hf_secret")
    fetch_days(data, DayPlan((DAY,)), Hub.from_env(), out=quiet)
    assert hub.seen[1].headers["authorization"] == "Bearer hf_secret"


def test_the_endpoint_comes_from_the_option_then_hf_endpoint() -> None:
    env = {"HF_ENDPOINT": "http://127.0.0.1:9/"}
    assert Hub.from_env(environ=env).endpoint == "http://127.0.0.1:9"
    assert Hub.from_env("http://127.0.0.1:8", environ=env).endpoint == "http://127.0.0.1:8"
    assert Hub.from_env(environ={}).endpoint == "https://huggingface.co"
    with pytest.raises(FetchError, match="must be an http"):
        Hub.from_env(environ={"HF_ENDPOINT": "huggingface.co"})


def test_retry_after_is_read_as_seconds_or_a_date() -> None:
    now = datetime.datetime(2024, 12, 3, 12, 0, 0, tzinfo=datetime.UTC)
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after("Tue, 03 Dec 2024 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Tue, 03 Dec 2024 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


# --- --resolve ------------------------------------------------------------------------------

EXACT = (
    "Sparse Mixtures for Long Video Understanding",
    "We route video frames through sparse expert mixtures so that long videos fit in memory. "
    "On three long-video benchmarks the model matches dense baselines at a third of the cost.",
)
SPELLED = "Sparse mixtures for long-video understanding."
LOOKALIKE = (
    "Scaling Laws for Retrieval",
    "We fit scaling laws to retrieval-augmented language models across six orders of "
    "magnitude of compute and find that retrieval shifts the optimal model size.",
)
TWINS = (
    "Diffusion Policies for Robot Arms",
    "We train diffusion policies on teleoperated demonstrations for robot arms and show that "
    "they recover from perturbations better than behaviour cloning with transformers.",
)


def hit(arxiv: str, title: str, summary: str, *, nested: bool = True) -> dict[str, Any]:
    paper = {"id": arxiv, "title": title, "summary": summary, "upvotes": 1}
    return {"paper": paper, "title": title} if nested else paper


def test_resolve_records_only_sure_single_matches(
    hub: FakeHub, make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    data = data_dir(
        make_tree, {"data/listings/a.txt": listing(EXACT, LOOKALIKE, TWINS, date="Dec 3")}
    )
    hub.searches[EXACT[0]] = [
        hit("2411.00009", "Sparse Mixtures for Short Clips", EXACT[1]),  # other title
        # the same title spelled differently, the abstract with a LaTeX leftover; top-level shape
        hit("2412.00042", SPELLED, EXACT[1] + " ~", nested=False),
    ]
    hub.searches[LOOKALIKE[0]] = [
        hit("2412.00077", LOOKALIKE[0], "We study something else entirely: protein folding."),
    ]
    hub.searches[TWINS[0]] = [hit("2412.00100", *TWINS), hit("2412.00101", *TWINS)]
    existing = saved(data, "resolved")
    existing.parent.mkdir(parents=True)
    existing.write_bytes(format_items([item(99)]))

    code, out, err = run(capsys, "--data", str(data), "--resolve")
    assert (code, err) == (0, "")
    assert f"resolved: {EXACT[0]!r} -> 2412.00042" in out
    assert f"unmatched: {LOOKALIKE[0]!r}" in out
    assert f"ambiguous: {TWINS[0]!r}: 2412.00100, 2412.00101 all match" in out
    assert "resolve: 3 papers without an arXiv id: 1 resolved, 1 unmatched, 1 ambiguous" in out
    assert sorted(s.query["q"] for s in hub.seen) == sorted([EXACT[0], LOOKALIKE[0], TWINS[0]])
    kept = json.loads(existing.read_bytes())
    assert [i["paper"]["id"] for i in kept] == ["2412.00042", "2412.00099"]  # merged, by id
    assert kept[0] == {"paper": hit("2412.00042", SPELLED, EXACT[1] + " ~", nested=False)}

    papers = {p.key: p for p in make_plan(data, parallel=False).papers}
    assert len(papers) == 4  # the three listed papers (one of them now with an id) and item 99
    assert papers[title_key(EXACT[0])].meta.arxiv == "2412.00042"
    assert papers[title_key(LOOKALIKE[0])].meta.arxiv is None
    assert papers[title_key(TWINS[0])].meta.arxiv is None

    mtime = existing.stat().st_mtime_ns
    code, out, _ = run(capsys, "--data", str(data), "--resolve")
    assert "resolve: 2 papers without an arXiv id: 0 resolved" in out
    assert existing.stat().st_mtime_ns == mtime


def test_matching_needs_an_equal_title_key_and_an_agreeing_abstract() -> None:
    title, text = EXACT
    assert match_hits([title], text, [hit("2412.00042", title.upper(), text)]).outcome == "resolved"
    shorter = text[: len(text) // 2]
    assert match_hits([title], text, [hit("2412.00042", title, shorter)]).outcome == "unmatched"
    same_id_twice = [hit("2412.00042", title, text), hit("2412.00042v2", title, text)]
    assert match_hits([title], text, same_id_twice).ids == ("2412.00042",)
    assert match_hits([title], text, ["junk", {"paper": {"id": 1}}]).outcome == "unmatched"
