"""The Hub's daily papers API JSON as records (``data/records/**/*.json``).

``records/**/*.json`` is what ``https://huggingface.co/api/daily_papers`` returns: a list of
objects (or one object), each with a ``paper`` object::

    [{"paper": {"id": "2401.04081", "title": "...", "summary": "...",
                "authors": [{"name": "..."}], "publishedAt": "2024-01-08T18:59:59.000Z",
                "upvotes": 12, ...}, ...}]

Only ``paper.id``, ``paper.title`` and ``paper.summary`` are required; unknown fields are ignored
at every level (the API grows fields), and an optional field that is ``null`` counts as absent.
Problems name the JSON path, with 0-based list indices as ``jq`` writes them
(``[3].paper.title: missing``), at the line where that record's object starts.

The Hub's display fields are read too, and only shown: ``paper.submittedOnDailyAt`` (the day
the paper was on Daily Papers; failing that, the date in the name of a
``records/hub/YYYY-MM-DD.json`` file), the item's ``numComments``, ``organization``
(``fullname``, else ``name``; the paper's, else the item's), ``paper.githubRepo`` and
``paper.githubStars`` (kept only with a repository), ``paper.projectPage``,
``paper.ai_summary``, ``paper.ai_keywords`` and ``paper.withdrawnAt``. The Hub adds and
changes such fields at will, so they are lenient: a value of the wrong type, a negative or
huge count, a date that does not parse, text longer than its limit, or a URL that is not an
absolute ``http`` / ``https`` URL with a host (say ``javascript:...``), is ignored, the field
counted as absent, and never an error that would reject the paper; a keyword that is not a
non-empty string is left out of the list. Only ``http`` and ``https`` URLs are ever kept, so
no other scheme can become a link.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from generator.datafiles import HUB_DAY_FILE
from generator.errors import Problem
from generator.inputs.fields import LIMITS, arxiv_id, one_line, shown, web_url
from generator.inputs.jsondoc import (
    MAX_DEPTH,
    MAX_INT_DIGITS,
    BigNumber,
    Decoder,
    Json,
    items,
    json_kind,
    line_at,
    skip,
    too_deep,
    walk_problems,
)
from generator.inputs.listings import MAX_ABSTRACT_CHARS
from generator.model import Entry, Metadata, Source
from generator.text.encodable import may_hold_surrogates

#: Limits of the lenient display fields (longer values are ignored): an organization's name,
#: one keyword, the number of keywords kept. The AI summary has the abstract's limit.
MAX_NAME_CHARS = 300
MAX_KEYWORD_CHARS = 100
MAX_KEYWORDS = 30


# The lenient display fields (module docstring): a malformed value is ``None``, never a problem.


def _lenient_text(value: Json, limit: int) -> str | None:
    """A non-empty string of at most ``limit`` characters, on one line; otherwise ``None``."""
    if not isinstance(value, str):
        return None
    found = one_line(value)
    return found if found and len(found) <= limit else None


def _lenient_count(value: Json) -> int | None:
    """A non-negative integer (not a boolean, not one of :class:`BigNumber`'s size)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def _lenient_day(value: Json) -> str | None:
    """The ISO date of an ISO 8601 date and time (``2024-12-03T01:23:45.000Z``)."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.datetime.fromisoformat(value.strip()).date().isoformat()
    except ValueError:
        return None


def _organization(*owners: Mapping[str, Json]) -> str | None:
    """The first ``organization`` object's ``fullname`` (else ``name``) among ``owners``."""
    for owner in owners:
        org = owner.get("organization")
        if not isinstance(org, dict):
            continue
        for key in ("fullname", "name"):
            name = _lenient_text(org.get(key), MAX_NAME_CHARS)
            if name is not None:
                return name
    return None


def _keywords(value: Json) -> tuple[str, ...]:
    """The usable keywords of a list, without repeats, at most :data:`MAX_KEYWORDS`."""
    if not isinstance(value, list):
        return ()
    found = (_lenient_text(item, MAX_KEYWORD_CHARS) for item in value)
    return tuple(dict.fromkeys(k for k in found if k is not None))[:MAX_KEYWORDS]


def _listed_from_file(file: str) -> str | None:
    """The day in the name of a ``records/hub/YYYY-MM-DD.json`` file, if it is a real date."""
    match = HUB_DAY_FILE.fullmatch(file)
    if match is None:
        return None
    try:
        return datetime.date.fromisoformat(match.group("day")).isoformat()
    except ValueError:
        return None


def _hub_fields(item: Mapping[str, Json], paper: Mapping[str, Json], file: str) -> Metadata:
    """The display fields of one API item (lenient), as a :class:`Metadata` to fold in."""
    github = web_url(paper.get("githubRepo"))
    return Metadata(
        listed=_lenient_day(paper.get("submittedOnDailyAt")) or _listed_from_file(file),
        comments=_lenient_count(item.get("numComments")),
        organization=_organization(paper, item),
        github=github,
        stars=_lenient_count(paper.get("githubStars")) if github is not None else None,
        project=web_url(paper.get("projectPage")),
        ai_summary=_lenient_text(paper.get("ai_summary"), MAX_ABSTRACT_CHARS),
        ai_keywords=_keywords(paper.get("ai_keywords")),
        withdrawn=_lenient_day(paper.get("withdrawnAt")),
    )


@dataclass(slots=True)
class _JsonRecord:
    """Checks one API record, collecting every problem at the record's line."""

    file: str
    line: int
    problems: list[Problem]

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.line, f"{path}: {message}"))

    def text(self, obj: Mapping[str, Json], key: str, path: str, *, required: bool) -> str | None:
        """A non-empty string field, or ``None`` (reported when it is required or malformed)."""
        where = f"{path}.{key}"
        if key not in obj or (obj[key] is None and not required):
            if required:
                self.problem(where, "missing")
            return None
        value = obj[key]
        if not isinstance(value, str):
            self.problem(where, f"must be a string, got {json_kind(value)}")
            return None
        if not value.strip():
            self.problem(where, "must not be empty")
            return None
        return value

    def authors(self, obj: Mapping[str, Json], path: str) -> tuple[str, ...]:
        where = f"{path}.authors"
        value = obj.get("authors")
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(where, f"must be a list of objects with a 'name', got {json_kind(value)}")
            return ()
        names: list[str] = []
        for index, author in enumerate(value):
            at = f"{where}[{index}]"
            if not isinstance(author, dict):
                self.problem(at, f"must be an object with a 'name', got {json_kind(author)}")
                continue
            name = self.text(author, "name", at, required=True)
            if name is not None:
                names.append(one_line(name))
        return tuple(names)

    def published(self, obj: Mapping[str, Json], path: str) -> str | None:
        text = self.text(obj, "publishedAt", path, required=False)
        if text is None:
            return None
        try:
            moment = datetime.datetime.fromisoformat(text.strip())
        except ValueError:
            self.problem(
                f"{path}.publishedAt",
                f"not an ISO 8601 date and time (like 2024-01-08T18:59:59.000Z): {shown(text)}",
            )
            return None
        return moment.date().isoformat()

    def upvotes(self, obj: Mapping[str, Json], path: str) -> int | None:
        value = obj.get("upvotes")
        where = f"{path}.upvotes"
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            expected = "an integer"
            if isinstance(value, BigNumber):
                expected += f" of at most {MAX_INT_DIGITS} digits"
            self.problem(where, f"must be {expected}, got {json_kind(value)}")
            return None
        if value < 0:
            self.problem(where, f"must not be negative, got {value}")
            return None
        return value

    def entry(self, item: Json, path: str) -> Entry | None:
        """The entry of one API record, or ``None`` when it has any problem."""
        before = len(self.problems)
        if not isinstance(item, dict):
            self.problem(path or "record", f"must be an object, got {json_kind(item)}")
            return None
        where = f"{path}.paper" if path else "paper"
        if "paper" not in item:
            self.problem(where, "missing")
            return None
        paper = item["paper"]
        if not isinstance(paper, dict):
            self.problem(where, f"must be an object, got {json_kind(paper)}")
            return None
        raw_id = self.text(paper, "id", where, required=True)
        arxiv = None
        if raw_id is not None:
            arxiv = arxiv_id(raw_id)
            if arxiv is None:
                self.problem(
                    f"{where}.id",
                    f"not an arXiv id (like 2401.04081 or cs/0112017): {shown(raw_id)}",
                )
        title = _capped(self, self.text(paper, "title", where, required=True), f"{where}.title")
        summary = _capped(
            self, self.text(paper, "summary", where, required=True), f"{where}.summary"
        )
        meta = dataclasses.replace(
            _hub_fields(item, paper, self.file),
            arxiv=arxiv,
            authors=self.authors(paper, where),
            published=self.published(paper, where),
            upvotes=self.upvotes(paper, where),
        )
        if len(self.problems) > before or title is None or summary is None:
            return None
        return Entry(title, summary, Source(self.file, self.line), "api", meta)


def _capped(record: _JsonRecord, value: str | None, where: str) -> str | None:
    """``value`` unless it is longer than its field's limit (then a problem)."""
    limit = LIMITS[where.rsplit(".", 1)[-1]]
    if value is not None and len(value) > limit:
        record.problem(where, f"{len(value):,} characters, longer than the limit of {limit:,}")
        return None
    return value


def parse_api_json(text: str, file: str) -> tuple[list[Entry], list[Problem]]:
    """The entries of one daily papers API JSON file, and every problem in it.

    ``file`` is the data-relative path problems and sources are reported under. Repeated keys
    (which JSON parsers resolve silently, each its own way) are errors, and so is nesting
    deeper than :data:`MAX_DEPTH` levels, which no record has.
    """
    decoder = Decoder()
    try:
        whole: Json = cast(Json, decoder.decode(text))
    except json.JSONDecodeError as exc:
        message = f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        return [], [Problem(file, exc.lineno, message)]
    except RecursionError:
        line = too_deep(text)
        return [], [Problem(file, line, f"nested more than {MAX_DEPTH} levels deep (refused)")]
    problems: list[Problem] = []
    entries: list[Entry] = []
    start = skip(text, 0)
    suspect = may_hold_surrogates(text)
    if isinstance(whole, dict):
        line = line_at(text, start)
        refused = walk_problems(
            whole, "", file, line, repeated=decoder.repeated, surrogates=suspect
        )
        found = _JsonRecord(file, line, problems).entry(whole, "")
        return ([found] if found and not refused else []), refused + problems
    records = items(text, decoder) if isinstance(whole, list) else None
    if records is None:
        message = f"the top level must be a list of records or one record, got {json_kind(whole)}"
        return [], [Problem(file, line_at(text, start), message)]
    line, counted = 1, 0
    for index, (offset, item) in enumerate(records):
        line += text.count("\n", counted, offset)
        counted = offset
        refused = walk_problems(
            item, f"[{index}]", file, line, repeated=decoder.repeated, surrogates=suspect
        )
        problems += refused
        found = _JsonRecord(file, line, problems).entry(item, f"[{index}]")
        if found is not None and not refused:
            entries.append(found)
    return entries, problems
