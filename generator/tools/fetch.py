"""``paperkb fetch``: save the Hub's daily papers API into ``data/records/hub/YYYY-MM-DD.json``.

The pure parts decide (which days to ask, when a day's paging is done, which items are well
formed, what a refreshed day keeps, how a day file is formatted, whether a search hit is the
paper); :class:`~generator.tools.hubclient.Hub` (the HTTP client, its bounds and retries) and
:func:`fetch_days` / :func:`resolve` do the I/O at the edges.

* **Days.** A day's items are well formed when :func:`generator.inputs.hubjson.parse_api_json`
  accepts them, so ``fetch`` never saves what ``generate`` would refuse; a malformed item is left
  out and named (day, 0-based position, id). A page holding more items than were asked is
  refused, its surplus named. A day with no items is not saved (an empty file says nothing);
  the default range therefore asks such days again on the next run, which is cheap.
* **Nothing saved is lost.** A day asked again keeps every paper its file holds that the Hub no
  longer lists (after the listed ones) and says so: a paper leaves a day file only by a reviewed
  edit, which ``paperkb diff`` names.
* **Idempotent.** Days already saved are skipped unless ``--refresh``; a refreshed day is
  rewritten only when its bytes change (:func:`generator.writers.docs.write_if_changed`, atomic;
  temporary files of a killed run are removed by the next). Without dates the range starts *at*
  the newest saved day (re-asked: the Hub keeps adding papers to a day after it was first
  fetched) and ends today (UTC).
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.corpus import read_corpus
from generator.datafiles import HUB_DIR, RESOLVED_FILE
from generator.model import Paper
from generator.tools.dayfiles import (
    ABSTRACT_AGREEMENT,
    NAMED,
    LeftOut,
    Match,
    format_items,
    item_id,
    keep_saved,
    match_hits,
    merge_resolved,
    named,
    split_items,
)
from generator.tools.hubclient import (
    BUDGET,
    DEFAULT_ENDPOINT,
    Budget,
    FetchError,
    Hub,
    limits_help,
    parse_retry_after,
)
from generator.tools.hubclient import kind as _kind
from generator.tools.hubclient import shown as _shown
from generator.writers.docs import remove_leftovers, write_if_changed

__all__ = [
    "ABSTRACT_AGREEMENT",
    "BUDGET",
    "DEFAULT_ENDPOINT",
    "HUB_DIR",
    "MAX_LOOKUPS",
    "PAGE_SIZE",
    "RESOLVED_FILE",
    "Budget",
    "DayPlan",
    "FetchError",
    "Hub",
    "LeftOut",
    "Match",
    "daily_papers",
    "fetch_days",
    "format_items",
    "keep_saved",
    "limits_help",
    "match_hits",
    "parse_retry_after",
    "resolve",
    "run",
    "saved_days",
    "select_days",
    "split_items",
]

DAILY_PAPERS = "/api/daily_papers"
PAPER_SEARCH = "/api/papers/search"
#: Items asked per page. 50 is the endpoint's documented default: a server that capped a larger
#: ``limit`` would return short pages, which would end paging early and lose papers.
PAGE_SIZE = 50
#: Pages asked per day at most (2,500 papers; a busy day has about a hundred). A server that
#: ignored ``p`` would otherwise be asked forever.
MAX_PAGES = 50
_DAY_FILE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})\.json")
#: ``--resolve`` asks at most this many searches a run, and takes at most this long in all.
MAX_LOOKUPS = 1_000
RESOLVE_SECONDS = 3_600.0


def utc_today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


def day_path(data_dir: Path, day: datetime.date) -> Path:
    return data_dir / HUB_DIR / f"{day.isoformat()}.json"


def saved_days(data_dir: Path) -> list[datetime.date]:
    """The days that have a file ``data/records/hub/YYYY-MM-DD.json``, oldest first."""
    folder = data_dir / HUB_DIR
    if not folder.is_dir():
        return []
    days = []
    for path in folder.iterdir():
        match = _DAY_FILE.fullmatch(path.name)
        if match is None or not path.is_file():
            continue
        try:
            days.append(datetime.date.fromisoformat(match.group(1)))
        except ValueError:
            continue
    return sorted(days)


@dataclass(frozen=True, slots=True)
class DayPlan:
    """The days a run asks, oldest first; ``recheck``: those asked even when already saved."""

    days: tuple[datetime.date, ...]
    recheck: frozenset[datetime.date] = frozenset()


def _days(first: datetime.date, last: datetime.date) -> tuple[datetime.date, ...]:
    count = (last - first).days + 1
    return tuple(first + datetime.timedelta(days=n) for n in range(max(count, 0)))


def select_days(
    saved: Sequence[datetime.date],
    today: datetime.date,
    *,
    day: datetime.date | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> DayPlan:
    """Which days a run asks: ``day``; ``since`` through ``until`` (default today); or by default
    the newest saved day (re-asked: it may have been saved while the Hub was still adding
    papers to it) through ``today``, or ``today`` alone when nothing is saved yet."""
    if until is not None and since is None:
        raise FetchError("--until needs --since")
    for name, value in (("--date", day), ("--since", since), ("--until", until)):
        if value is not None and value > today:
            raise FetchError(
                f"{name} {value.isoformat()} is after today ({today.isoformat()}, UTC)"
            )
    if day is not None:
        return DayPlan((day,))
    if since is not None:
        last = until or today
        if last < since:
            raise FetchError(f"--until {last.isoformat()} is before --since {since.isoformat()}")
        return DayPlan(_days(since, last))
    if not saved:
        return DayPlan((today,))
    newest = max(saved)
    return DayPlan(_days(newest, today), frozenset({newest}))


def is_last_page(count: int, limit: int = PAGE_SIZE) -> bool:
    """Paging stops at a short page (an empty one included)."""
    return count < limit


# --- the Hub --------------------------------------------------------------------------------


def daily_papers(hub: Hub, day: datetime.date) -> list[object]:
    """Every item the Hub lists for ``day``, page after page, in the order returned."""
    what = day.isoformat()
    deadline = hub.clock() + hub.budget.per_day
    items: list[object] = []
    previous: list[object] | None = None
    for page in range(MAX_PAGES):
        params: dict[str, str | int] = {"date": what, "limit": PAGE_SIZE, "p": page}
        batch = hub.get_list(DAILY_PAPERS, params, what=what, deadline=deadline)
        if len(batch) > PAGE_SIZE:
            extra = [
                _shown(item_id(x) or f"item {n}") for n, x in enumerate(batch) if n >= PAGE_SIZE
            ]
            raise FetchError(
                f"{what}: page {page} holds {len(batch):,} items where {PAGE_SIZE} were asked; "
                f"the day is not saved (the Hub ignores limit), items beyond {PAGE_SIZE} "
                f"refused: {named(extra)}"
            )
        if previous is not None and batch and batch == previous:
            raise FetchError(f"{what}: page {page} repeats page {page - 1}: the Hub ignores p")
        items += batch
        if is_last_page(len(batch)):
            return items
        previous = batch
    raise FetchError(f"{what}: more than {MAX_PAGES} pages of {PAGE_SIZE}: stopped")


def search(hub: Hub, title: str, ends: float) -> list[object]:
    """The Hub's paper search for ``title``, within its own budget and before ``ends``."""
    what = f"search for {_shown(title)}"
    deadline = min(hub.clock() + hub.budget.per_day, ends)
    return hub.get_list(PAPER_SEARCH, {"q": title}, what=what, deadline=deadline)


# --- runs -----------------------------------------------------------------------------------

Out = Callable[[str], None]


def _say(line: str) -> None:
    print(line, flush=True)


class _HubFiles(Container[str]):
    """The names of the files ``fetch`` writes (day files, ``resolved.json``)."""

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and (
            _DAY_FILE.fullmatch(name) is not None or name == RESOLVED_FILE
        )


def remove_temporary_files(data_dir: Path) -> None:
    """Remove the temporary files that a killed ``fetch`` left beside the day files."""
    remove_leftovers(data_dir / HUB_DIR, _HubFiles())


def _read_saved(path: Path) -> list[object]:
    """The items of a saved day file, to keep what the Hub no longer lists."""
    name = f"{HUB_DIR}/{path.name}"
    try:
        found = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError) as exc:
        raise FetchError(f"{name}: cannot read it to add to it ({exc}); fix it by hand") from None
    if not isinstance(found, list):
        raise FetchError(f"{name}: must be a list of records, got {_kind(found)}")
    kept, left = split_items(name, found)
    if left:
        raise FetchError(f"cannot add to {name}: " + "; ".join(map(str, left[:NAMED])))
    return kept


@dataclass(slots=True)
class Tally:
    """What a fetch run did, day by day."""

    saved: int = 0
    unchanged: int = 0
    skipped: int = 0
    empty: int = 0
    kept: int = 0
    left_out: list[LeftOut] = field(default_factory=list)

    def summary(self, days: int) -> str:
        noun = "day" if days == 1 else "days"
        items = len(self.left_out)
        kept = f"; {self.kept} no longer listed by the Hub, kept" if self.kept else ""
        return (
            f"fetch: {days} {noun}: {self.saved} saved, {self.unchanged} unchanged, "
            f"{self.skipped} skipped (already saved), {self.empty} without papers; "
            f"{items} malformed {'item' if items == 1 else 'items'} left out{kept}"
        )


def _save_day(path: Path, name: str, listed: list[object], tally: Tally, out: Out) -> None:
    """Save a day's ``listed`` items, keeping what its file holds that the Hub no longer lists."""
    items, gone = keep_saved(listed, _read_saved(path) if path.exists() else [])
    for item in gone:
        paper = item_id(item)
        out(
            f"{name}: {_shown(paper) if paper else 'an item without id'} is no longer listed by "
            "the Hub; kept in the saved file (remove it by hand, in a reviewed change, if it "
            "should go)"
        )
    tally.kept += len(gone)
    count = f"{len(items)} {'paper' if len(items) == 1 else 'papers'}"
    if write_if_changed(path, format_items(items)):
        tally.saved += 1
        out(f"{name}: {count} saved")
    else:
        tally.unchanged += 1
        out(f"{name}: unchanged ({count})")


def fetch_days(
    data_dir: Path, plan: DayPlan, hub: Hub, *, refresh: bool = False, out: Out = _say
) -> Tally:
    """Ask and save each day of ``plan``, one progress line per day, then a summary line.

    On a :class:`FetchError` the days done stay saved, the summary so far is printed and the
    error is raised again; a day is written whole or not at all.
    """
    if not data_dir.is_dir():
        raise FetchError(f"{data_dir.as_posix()}: data directory does not exist")
    remove_temporary_files(data_dir)
    tally = Tally()
    done = 0
    for day in plan.days:
        path = day_path(data_dir, day)
        name = day.isoformat()
        if path.exists() and not refresh and day not in plan.recheck:
            tally.skipped += 1
            out(f"{name}: skipped (already saved)")
            done += 1
            continue
        try:
            items = daily_papers(hub, day)
            kept, left = split_items(name, items)
            for item in left:
                out(str(item))
            tally.left_out += left
            if not kept:
                tally.empty += 1
                note = f" ({len(left)} malformed)" if left else ""
                kept_file = "; the saved file is kept" if path.exists() else ""
                out(f"{name}: no papers{note}{kept_file}")
            else:
                _save_day(path, name, kept, tally, out)
        except FetchError:
            out(tally.summary(done) + f"; stopped at {name}")
            raise
        done += 1
    out(tally.summary(done))
    return tally


@dataclass(slots=True)
class ResolveTally:
    resolved: int = 0
    unmatched: int = 0
    ambiguous: int = 0
    written: bool = False
    asked: int = 0


def resolve(
    data_dir: Path,
    hub: Hub,
    *,
    strict: bool = False,
    out: Out = _say,
    max_lookups: int = MAX_LOOKUPS,
    seconds: float = RESOLVE_SECONDS,
) -> ResolveTally:
    """Look up papers without an arXiv id in the Hub's paper search; save sure matches.

    At most ``max_lookups`` searches and ``seconds`` in all (then the run stops, naming what was
    not looked up). Matches are added to ``data/records/hub/resolved.json`` (merged with what it
    holds, sorted by id, written only when it changes), also when a later search fails.
    """
    ends = hub.clock() + seconds
    corpus = read_corpus(data_dir, strict=strict)
    missing: list[Paper] = [paper for paper in corpus.papers if paper.meta.arxiv is None]
    tally = ResolveTally()
    found: list[dict[str, object]] = []
    path = data_dir / HUB_DIR / RESOLVED_FILE
    remove_temporary_files(data_dir)
    existing = _read_saved(path) if path.exists() else []

    def spent() -> str:
        left = len(missing) - tally.asked
        return f"its {seconds:g} s are spent after {tally.asked} look-ups; {left} not looked up"

    def save() -> None:
        if found:
            merged = merge_resolved(existing, found)
            tally.written = write_if_changed(path, format_items(merged))

    try:
        for paper in missing[:max_lookups]:
            if hub.clock() >= ends:
                raise FetchError(f"--resolve: {spent()}")
            try:
                hits = search(hub, paper.title, ends)
            except FetchError as exc:
                if hub.clock() + hub.budget.per_request < ends:
                    raise
                raise FetchError(f"--resolve: {spent()}; {exc}") from None
            tally.asked += 1
            match = match_hits((paper.title, *paper.aliases), paper.abstract, hits)
            if match.outcome == "resolved" and match.item is not None:
                tally.resolved += 1
                found.append(match.item)
                out(f"resolved: {_shown(paper.title)} -> {match.ids[0]}")
            elif match.outcome == "ambiguous":
                tally.ambiguous += 1
                out(f"ambiguous: {_shown(paper.title)}: {', '.join(match.ids)} all match")
            else:
                tally.unmatched += 1
                out(f"unmatched: {_shown(paper.title)}")
    finally:
        save()
    where = f"{HUB_DIR}/{RESOLVED_FILE}"
    saved = f"; {where} {'written' if tally.written else 'unchanged'}" if found else ""
    left = len(missing) - tally.asked
    capped = f"; {left} not looked up (at most {max_lookups} a run)" if left else ""
    out(
        f"resolve: {len(missing)} papers without an arXiv id: {tally.resolved} resolved, "
        f"{tally.unmatched} unmatched, {tally.ambiguous} ambiguous{capped}{saved}"
    )
    return tally


def run(
    data_dir: Path,
    *,
    date: datetime.date | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    refresh: bool = False,
    resolve_ids: bool = False,
    max_lookups: int = MAX_LOOKUPS,
    endpoint: str | None = None,
    strict: bool = False,
    today: datetime.date | None = None,
    out: Out = _say,
) -> bool:
    """``paperkb fetch`` with its options (``today`` defaults to today in UTC); whether it
    wrote a file under ``data/``."""
    hub = Hub.from_env(endpoint)
    if resolve_ids:
        if date or since or until or refresh:
            raise FetchError("--resolve takes no dates and no --refresh")
        return resolve(data_dir, hub, strict=strict, out=out, max_lookups=max_lookups).written
    if not data_dir.is_dir():
        raise FetchError(f"{data_dir.as_posix()}: data directory does not exist")
    plan = select_days(
        saved_days(data_dir), today or utc_today(), day=date, since=since, until=until
    )
    if not plan.days:
        out("fetch: nothing to ask (the newest saved day is after today, UTC)")
        return False
    return fetch_days(data_dir, plan, hub, refresh=refresh, out=out).saved > 0


def resolve_help() -> str:
    """The bounds of ``--resolve``, for ``paperkb fetch --help``."""
    return (
        f"--resolve asks at most --max-lookups searches a run (default {MAX_LOOKUPS:,}; the "
        f"papers beyond are counted, for the next run) and takes at most {RESOLVE_SECONDS:g} s "
        "in all (then it stops with exit code 1; matches found so far are saved)."
    )
