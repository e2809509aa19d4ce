"""``paperkb fetch``: save the Hub's daily papers API into ``data/records/hub/YYYY-MM-DD.json``.

The pure parts decide (which days to ask, when a day's paging is done, which items are well
formed, how a day file is formatted, how long to wait before a retry, whether a search hit is
the paper); :class:`Hub` and :func:`fetch_days` / :func:`resolve` do the I/O at the edges.

* **Client.** ``huggingface_hub``'s shared HTTP session (:func:`huggingface_hub.utils.get_session`,
  an ``httpx`` client that honours ``HF_HUB_OFFLINE``, proxies and the system's trust store),
  its headers (:func:`~huggingface_hub.utils.build_hf_headers`: user agent, ``Authorization:
  Bearer $HF_TOKEN``) and its error messages (:func:`~huggingface_hub.utils.hf_raise_for_status`).
  The items are kept exactly as returned: ``huggingface_hub.PaperInfo`` reads several fields from
  the top level of an item while this endpoint nests them under ``paper``.
* **Retries.** ``huggingface_hub.utils.http_backoff`` is not used: it waits ``Retry-After`` plus
  a second with no cap, has no bound on the total time, and sleeps with :func:`time.sleep` that
  tests cannot replace. :meth:`Hub.get_json` is a small loop on the same session instead:
  connection errors, timeouts, 408, 429 and 5xx are retried with exponential backoff
  (:class:`Budget`), ``Retry-After`` is waited exactly when it is at most
  :data:`MAX_RETRY_AFTER` (longer: the run gives up rather than ask again early), every request
  has a timeout and every day a total time budget. A ``200`` answer that is not JSON, or JSON
  that is not a list, is an error at once (it is not retried: such an answer is not transient).
* **Days.** A day's items are well formed when :func:`generator.inputs.records.parse_api_json`
accepts
  them, so ``fetch`` never saves what ``generate`` would refuse; a malformed item is left out
  and named (day, 0-based position, id). A day with no items is not saved (an empty file says
  nothing); the default range therefore asks such days again on the next run, which is cheap.
* **Idempotent.** Days already saved are skipped unless ``--refresh``; a refreshed day is
  rewritten only when its bytes change (:func:`generator.writers.docs.write_if_changed`, atomic).
  Without dates the range starts *at* the newest saved day (re-asked, rewritten only if it
  changed: the Hub keeps adding papers to a day after it was first fetched) and ends today (UTC).
"""

from __future__ import annotations

import datetime
import email.utils
import json
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled
from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status, httpx
from rapidfuzz import fuzz

from generator import __version__
from generator.corpus import read_corpus
from generator.datafiles import HUB_DIR, RESOLVED_FILE
from generator.errors import PaperkbError
from generator.inputs.records import parse_api_json
from generator.model import Paper
from generator.stages.normalize import clean_text, clean_title
from generator.text.folding import title_key
from generator.writers.docs import write_if_changed

__all__ = [
    "ABSTRACT_AGREEMENT",
    "BUDGET",
    "DEFAULT_ENDPOINT",
    "HUB_DIR",
    "PAGE_SIZE",
    "RESOLVED_FILE",
    "Budget",
    "DayPlan",
    "FetchError",
    "Hub",
    "LeftOut",
    "Match",
    "fetch_days",
    "format_items",
    "limits_help",
    "match_hits",
    "resolve",
    "run",
    "saved_days",
    "select_days",
    "split_items",
]

#: The Hub's address when neither ``--endpoint`` nor ``HF_ENDPOINT`` says otherwise (the default
#: of ``huggingface_hub.constants.ENDPOINT``, which reads the same variable).
DEFAULT_ENDPOINT = "https://huggingface.co"
DAILY_PAPERS = "/api/daily_papers"
PAPER_SEARCH = "/api/papers/search"
#: Items asked per page. 50 is the endpoint's documented default: a server that capped a larger
#: ``limit`` would return short pages, which would end paging early and lose papers.
PAGE_SIZE = 50
#: Pages asked per day at most (2,500 papers; a busy day has about a hundred). A server that
#: ignored ``p`` would otherwise be asked forever.
MAX_PAGES = 50
#: A ``Retry-After`` longer than this is not waited: the run stops and says so.
MAX_RETRY_AFTER = 120.0
#: Abstracts "agree" for ``--resolve`` at this :func:`rapidfuzz.fuzz.ratio` (0-100) or more, on
#: cleaned, case-folded text. ``ratio`` compares the whole texts (``token_set_ratio`` would call
#: an abstract equal to any abstract that contains its words); 90 tolerates LaTeX left-overs and
#: small edits, and keeps apart abstracts that merely share a title.
ABSTRACT_AGREEMENT = 90.0
_DAY_FILE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})\.json")
_SHOWN = 60


class FetchError(PaperkbError):
    """The Hub could not be asked, or answered something unusable; names the day or paper."""


@dataclass(frozen=True, slots=True)
class Budget:
    """How long one day (or one search) may take, and how often a request is tried.

    Waits between attempts double from ``first_wait`` up to ``max_wait``; ``Retry-After`` replaces
    that wait when given (up to :data:`MAX_RETRY_AFTER`). Every request gets ``timeout`` seconds
    to connect and for each read, and no more than what is left of ``per_day``; a retry whose
    wait would end after ``per_day`` is not made.
    """

    timeout: float = 30.0
    attempts: int = 6
    first_wait: float = 1.0
    max_wait: float = 30.0
    per_day: float = 300.0
    max_retry_after: float = MAX_RETRY_AFTER

    def backoff(self, attempt: int) -> float:
        """The wait after failed attempt number ``attempt`` (1-based) without ``Retry-After``."""
        return float(min(self.max_wait, self.first_wait * 2 ** (attempt - 1)))


#: The budget of a run; tests replace it with a tiny one.
BUDGET = Budget()


def limits_help(budget: Budget = BUDGET) -> str:
    """The time bounds, for ``paperkb fetch --help``."""
    return (
        f"Each request times out after {budget.timeout:g} s; connection errors, timeouts, 408, "
        f"429 and 5xx answers are tried up to {budget.attempts} times with waits doubling from "
        f"{budget.first_wait:g} s to {budget.max_wait:g} s (a Retry-After of up to "
        f"{budget.max_retry_after:g} s is waited instead; a longer one stops the run), and one "
        f"day (or one search) takes at most {budget.per_day:g} s in all. When that is spent the "
        "run stops with exit code 1 naming the day; days saved before stay saved. "
        "HF_ENDPOINT sets the Hub's address, HF_TOKEN is sent as a Bearer token when set."
    )


# --- pure parts -----------------------------------------------------------------------------


def _shown(value: str) -> str:
    if len(value) > _SHOWN:
        value = value[: _SHOWN - 3] + "..."
    return repr(value)


def _kind(value: object) -> str:
    if value is None:
        return "null"
    for kind, name in ((bool, "a boolean"), (int, "an integer"), (float, "a number")):
        if isinstance(value, kind):
            return name
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


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


def item_id(item: object) -> str | None:
    """``paper.id`` of an item when it has a non-empty string there."""
    if isinstance(item, dict):
        paper = item.get("paper")
        if isinstance(paper, dict):
            found = paper.get("id")
            if isinstance(found, str) and found.strip():
                return found
    return None


def item_problem(item: object) -> str | None:
    """Why ``item`` is not a well-formed daily papers record, or ``None`` when it is.

    The check is :func:`generator.inputs.records.parse_api_json`'s on the item alone, so what is
    saved
    is what the rest of the pipeline accepts.
    """
    if not isinstance(item, dict):
        return f"must be an object, got {_kind(item)}"
    try:
        text = json.dumps(item, ensure_ascii=False, allow_nan=False)
    except ValueError:
        return "holds a number JSON cannot carry (NaN or Infinity)"
    entries, problems = parse_api_json(text, "item")
    if problems:
        return "; ".join(problem.message for problem in problems)
    return None if entries else "not a record"


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A malformed item of a day (or a search), left out of what is saved."""

    where: str
    position: int
    id: str | None
    reason: str

    def __str__(self) -> str:
        named = f" (id {_shown(self.id)})" if self.id is not None else ""
        return f"{self.where}: item {self.position}{named} left out: {self.reason}"


def split_items(where: str, items: Sequence[object]) -> tuple[list[object], list[LeftOut]]:
    """The well-formed items in their order, and the others with their 0-based positions."""
    kept: list[object] = []
    left: list[LeftOut] = []
    for position, item in enumerate(items):
        problem = item_problem(item)
        if problem is None:
            kept.append(item)
        else:
            left.append(LeftOut(where, position, item_id(item), problem))
    return kept, left


def format_items(items: Sequence[object]) -> bytes:
    """A day file: the items as returned, keys sorted, two-space indents, a final newline."""
    text = json.dumps(list(items), indent=2, ensure_ascii=False, sort_keys=True, allow_nan=False)
    return (text + "\n").encode("utf-8")


def parse_retry_after(value: str | None, now: datetime.datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` asks to wait (delay-seconds or an HTTP date), or ``None``."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        seconds = (moment - (now or datetime.datetime.now(datetime.UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def retryable(status: int) -> bool:
    """Statuses worth asking again: request timeout, rate limit, server errors."""
    return status in (408, 429) or 500 <= status <= 599


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", clean_text(text)).casefold().split())


@dataclass(frozen=True, slots=True)
class Match:
    """What the Hub's search says of one paper: ``item`` is set when ``resolved``."""

    outcome: Literal["resolved", "unmatched", "ambiguous"]
    item: dict[str, object] | None = None
    ids: tuple[str, ...] = ()


def _as_item(hit: object) -> dict[str, object] | None:
    """A search hit in the daily papers shape ``{"paper": {...}}`` (hits come either way)."""
    if not isinstance(hit, dict):
        return None
    if isinstance(hit.get("paper"), dict):
        return hit
    if "id" in hit and "title" in hit:
        return {"paper": hit}
    return None


def match_hits(titles: Iterable[str], abstract: str, hits: Sequence[object]) -> Match:
    """Whether exactly one paper among ``hits`` is the paper with ``titles`` and ``abstract``.

    A hit matches when its cleaned title has the same :func:`generator.text.folding.title_key`
    as
    one of ``titles`` and its abstract agrees (:data:`ABSTRACT_AGREEMENT`). Malformed hits are
    ignored. Matches with more than one distinct arXiv id are ``ambiguous``: no link is made.
    """
    keys = {title_key(clean_title(title)) for title in titles}
    ours = _fold(abstract)
    found: dict[str, dict[str, object]] = {}
    for hit in hits:
        item = _as_item(hit)
        if item is None or item_problem(item) is not None:
            continue
        entries, _ = parse_api_json(json.dumps(item, ensure_ascii=False), "hit")
        entry = entries[0]
        if title_key(clean_title(entry.title)) not in keys or entry.meta.arxiv is None:
            continue
        if fuzz.ratio(ours, _fold(entry.abstract)) >= ABSTRACT_AGREEMENT:
            found.setdefault(entry.meta.arxiv, item)
    if not found:
        return Match("unmatched")
    if len(found) > 1:
        return Match("ambiguous", ids=tuple(sorted(found)))
    ((arxiv, item),) = found.items()
    return Match("resolved", item, (arxiv,))


def _arxiv_of(item: object) -> str:
    entries, _ = parse_api_json(json.dumps(item, ensure_ascii=False), "item")
    arxiv = entries[0].meta.arxiv if entries else None
    return arxiv or ""


def merge_resolved(existing: Sequence[object], found: Iterable[dict[str, object]]) -> list[object]:
    """``existing`` items with ``found`` ones added (replacing those of the same id), by id."""
    merged: dict[str, object] = {_arxiv_of(item): item for item in existing}
    for item in found:
        merged[_arxiv_of(item)] = item
    return [merged[key] for key in sorted(merged)]


# --- the Hub --------------------------------------------------------------------------------


def _http_problem(response: httpx.Response) -> str:
    """``huggingface_hub``'s account of an error answer, on one line."""
    try:
        hf_raise_for_status(response)
    except HfHubHTTPError as exc:
        lines = [line.strip() for line in str(exc).splitlines()]
        kept = [line for line in lines if line and not line.startswith("For more information")]
        return " ".join(kept) or f"HTTP {response.status_code}"
    return f"HTTP {response.status_code}"


def _transport_problem(exc: Exception, endpoint: str, timeout: float) -> str:
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer from {endpoint} within {timeout:g} s ({type(exc).__name__})"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect to {endpoint}: {detail}"
    return f"the connection to {endpoint} failed: {detail}"


@dataclass(frozen=True, slots=True)
class Hub:
    """Where and how to ask the Hub. ``sleep`` and ``clock`` are replaceable for tests."""

    endpoint: str = DEFAULT_ENDPOINT
    token: str | None = None
    budget: Budget = field(default_factory=lambda: BUDGET)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def from_env(cls, endpoint: str | None = None, environ: Mapping[str, str] | None = None) -> Hub:
        """``endpoint``, else ``HF_ENDPOINT``, else :data:`DEFAULT_ENDPOINT`; ``HF_TOKEN``."""
        env = os.environ if environ is None else environ
        address = (endpoint or env.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).strip().rstrip("/")
        if not re.match(r"https?://[^/\s]+", address):
            raise FetchError(f"the Hub endpoint must be an http(s) URL, got {_shown(address)}")
        token = (env.get("HF_TOKEN") or "").strip() or None
        return cls(address, token, BUDGET)

    def headers(self) -> dict[str, str]:
        # token=False: only HF_TOKEN is sent, never a token file found on the machine.
        return build_hf_headers(
            token=self.token or False, library_name="paperkb", library_version=__version__
        )

    def get_json(
        self, path: str, params: Mapping[str, str | int], *, what: str, deadline: float
    ) -> object:
        """The decoded JSON answer to ``GET endpoint+path?params``, retried per :class:`Budget`.

        Raises :class:`FetchError` naming ``what`` (the day, or the searched title).
        """
        url = self.endpoint + path
        budget = self.budget
        started = self.clock()
        attempt = 0
        while True:
            attempt += 1
            timeout = min(budget.timeout, deadline - self.clock())
            if timeout <= 0:
                raise FetchError(f"{what}: the {budget.per_day:g} s budget is spent")
            retry_after: float | None = None
            try:
                response = get_session().get(
                    url, params=dict(params), headers=self.headers(), timeout=timeout
                )
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                problem = _transport_problem(exc, self.endpoint, timeout)
            except OfflineModeIsEnabled as exc:
                raise FetchError(f"{what}: {exc}") from exc
            except httpx.HTTPError as exc:  # not transient: a bad URL, an unsupported protocol
                raise FetchError(f"{what}: cannot ask {url}: {exc}") from exc
            else:
                if response.status_code < 400:
                    return _decode(response, what)
                problem = _http_problem(response)
                if not retryable(response.status_code):
                    raise FetchError(f"{what}: {problem}")
                retry_after = parse_retry_after(response.headers.get("retry-after"))
            elapsed = self.clock() - started
            tries = f"{attempt} attempt{'' if attempt == 1 else 's'} in {elapsed:.1f} s"
            if attempt >= budget.attempts:
                raise FetchError(f"{what}: gave up after {tries}: {problem}")
            if retry_after is not None and retry_after > budget.max_retry_after:
                raise FetchError(
                    f"{what}: the Hub asks to wait {retry_after:g} s before asking again, longer "
                    f"than paperkb waits ({budget.max_retry_after:g} s); try later: {problem}"
                )
            wait = budget.backoff(attempt) if retry_after is None else retry_after
            if self.clock() + wait > deadline:
                raise FetchError(
                    f"{what}: gave up after {tries} (the next one "
                    f"would end after the {budget.per_day:g} s budget): {problem}"
                )
            self.sleep(wait)

    def get_list(
        self, path: str, params: Mapping[str, str | int], *, what: str, deadline: float
    ) -> list[object]:
        found = self.get_json(path, params, what=what, deadline=deadline)
        if not isinstance(found, list):
            raise FetchError(f"{what}: the Hub answered {_kind(found)} where a list was expected")
        return found

    def daily_papers(self, day: datetime.date) -> list[object]:
        """Every item the Hub lists for ``day``, page after page, in the order returned."""
        what = day.isoformat()
        deadline = self.clock() + self.budget.per_day
        items: list[object] = []
        previous: list[object] | None = None
        for page in range(MAX_PAGES):
            params: dict[str, str | int] = {"date": what, "limit": PAGE_SIZE, "p": page}
            batch = self.get_list(DAILY_PAPERS, params, what=what, deadline=deadline)
            if previous is not None and batch and batch == previous:
                raise FetchError(f"{what}: page {page} repeats page {page - 1}: the Hub ignores p")
            items += batch
            if is_last_page(len(batch)):
                return items
            previous = batch
        raise FetchError(f"{what}: more than {MAX_PAGES} pages of {PAGE_SIZE}: stopped")

    def search(self, title: str) -> list[object]:
        what = f"search for {_shown(title)}"
        deadline = self.clock() + self.budget.per_day
        return self.get_list(PAPER_SEARCH, {"q": title}, what=what, deadline=deadline)


def _decode(response: httpx.Response, what: str) -> object:
    try:
        return json.loads(response.content)
    except ValueError as exc:
        start = response.content[:_SHOWN].decode("utf-8", "replace")
        raise FetchError(
            f"{what}: the Hub's answer is not JSON ({exc}); it starts with {_shown(start)}"
        ) from exc


# --- runs -----------------------------------------------------------------------------------

Out = Callable[[str], None]


def _say(line: str) -> None:
    print(line, flush=True)


@dataclass(slots=True)
class Tally:
    """What a fetch run did, day by day."""

    saved: int = 0
    unchanged: int = 0
    skipped: int = 0
    empty: int = 0
    left_out: list[LeftOut] = field(default_factory=list)

    def summary(self, days: int) -> str:
        noun = "day" if days == 1 else "days"
        items = len(self.left_out)
        return (
            f"fetch: {days} {noun}: {self.saved} saved, {self.unchanged} unchanged, "
            f"{self.skipped} skipped (already saved), {self.empty} without papers; "
            f"{items} malformed {'item' if items == 1 else 'items'} left out"
        )


def fetch_days(
    data_dir: Path, plan: DayPlan, hub: Hub, *, refresh: bool = False, out: Out = _say
) -> Tally:
    """Ask and save each day of ``plan``, one progress line per day, then a summary line.

    On a :class:`FetchError` the days done stay saved, the summary so far is printed and the
    error is raised again; a day is written whole or not at all.
    """
    if not data_dir.is_dir():
        raise FetchError(f"{data_dir.as_posix()}: data directory does not exist")
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
            items = hub.daily_papers(day)
        except FetchError:
            out(tally.summary(done) + f"; stopped at {name}")
            raise
        kept, left = split_items(name, items)
        for item in left:
            out(str(item))
        tally.left_out += left
        done += 1
        if not kept:
            tally.empty += 1
            note = f" ({len(left)} malformed)" if left else ""
            kept_file = "; the saved file is kept" if path.exists() else ""
            out(f"{name}: no papers{note}{kept_file}")
            continue
        noun = "paper" if len(kept) == 1 else "papers"
        if write_if_changed(path, format_items(kept)):
            tally.saved += 1
            out(f"{name}: {len(kept)} {noun} saved")
        else:
            tally.unchanged += 1
            out(f"{name}: unchanged ({len(kept)} {noun})")
    out(tally.summary(done))
    return tally


@dataclass(slots=True)
class ResolveTally:
    resolved: int = 0
    unmatched: int = 0
    ambiguous: int = 0
    written: bool = False


def _read_resolved(path: Path) -> list[object]:
    if not path.exists():
        return []
    name = path.name
    try:
        found = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise FetchError(f"{name}: cannot read it to add to it: {exc}") from exc
    if not isinstance(found, list):
        raise FetchError(f"{name}: must be a list of records, got {_kind(found)}")
    kept, left = split_items(name, found)
    if left:
        raise FetchError(f"cannot add to {name}: " + "; ".join(map(str, left)))
    return kept


def resolve(data_dir: Path, hub: Hub, *, strict: bool = False, out: Out = _say) -> ResolveTally:
    """Look up every paper without an arXiv id in the Hub's paper search; save sure matches.

    Matches are added to ``data/records/hub/resolved.json`` (merged with what it holds, sorted
    by id, written only when it changes), also when a later search fails.
    """
    corpus = read_corpus(data_dir, strict=strict)
    missing: list[Paper] = [paper for paper in corpus.papers if paper.meta.arxiv is None]
    tally = ResolveTally()
    found: list[dict[str, object]] = []
    path = data_dir / HUB_DIR / RESOLVED_FILE
    existing = _read_resolved(path)

    def save() -> None:
        if found:
            merged = merge_resolved(existing, found)
            tally.written = write_if_changed(path, format_items(merged))

    try:
        for paper in missing:
            match = match_hits(
                (paper.title, *paper.aliases), paper.abstract, hub.search(paper.title)
            )
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
    out(
        f"resolve: {len(missing)} papers without an arXiv id: {tally.resolved} resolved, "
        f"{tally.unmatched} unmatched, {tally.ambiguous} ambiguous{saved}"
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
    endpoint: str | None = None,
    strict: bool = False,
    today: datetime.date | None = None,
    out: Out = _say,
) -> None:
    """``paperkb fetch`` with its options (``today`` defaults to today in UTC)."""
    hub = Hub.from_env(endpoint)
    if resolve_ids:
        if date or since or until or refresh:
            raise FetchError("--resolve takes no dates and no --refresh")
        resolve(data_dir, hub, strict=strict, out=out)
        return
    if not data_dir.is_dir():
        raise FetchError(f"{data_dir.as_posix()}: data directory does not exist")
    plan = select_days(
        saved_days(data_dir), today or utc_today(), day=date, since=since, until=until
    )
    if not plan.days:
        out("fetch: nothing to ask (the newest saved day is after today, UTC)")
        return
    fetch_days(data_dir, plan, hub, refresh=refresh, out=out)
