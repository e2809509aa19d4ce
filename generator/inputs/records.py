"""Read structured records: the Hub's daily papers API JSON and hand-written YAML records.

Listings (:mod:`generator.inputs.listings`) only know a title and an abstract. Records under
``data/records/`` know more (:class:`generator.model.Metadata`): the arXiv id, authors, the
publication date, upvotes, and a curator's topics and note. They become :class:`Entry` values
like a listing's, so deduplication (:mod:`generator.stages.dedupe`) merges them with listing entries
and picks each field by :data:`generator.model.PRECEDENCE`.

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

``records/**/*.yaml`` (or ``*.yml``) are written by hand: one mapping per file, or a list of
them, with the keys ``title`` and ``abstract`` (required), ``arxiv``, ``authors`` (a list of
names), ``date`` (``YYYY-MM-DD``), ``topics`` (a list of topic slugs) and ``note``. A key not in
that list is an error, not ignored: a typo such as ``abstarct`` must not silently drop a field.

arXiv ids are accepted as ``2401.04081``, ``2401.04081v2``, ``cs/0112017v1``, with or without an
``arXiv:`` prefix, and stored without prefix and version: every version is the same paper.
Author names keep their spelling, with runs of whitespace collapsed.

A record with any problem is left out and the problem reported as an error (with the data-relative
file and the line); every problem in every file is collected, nothing here raises on bad input.
Titles and abstracts are returned as written: the normalize stage cleans them like a listing's.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias, cast
from urllib.parse import urlsplit

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.datafiles import (
    API_SUFFIXES,
    HUB_DAY_FILE,
    RECORDS_DIR,
    YAML_SUFFIXES,
    data_files,
)
from generator.errors import Problem
from generator.inputs.listings import MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS, read_input
from generator.inputs.yamlcheck import TAG, Checker, compose, is_string, kind, line
from generator.layout import SLUG
from generator.model import Entry, Metadata, Source
from generator.text.encodable import may_hold_surrogates, surrogate_problem

__all__ = [
    "API_SUFFIXES",
    "ARXIV_ID",
    "RECORDS_DIR",
    "YAML_KEYS",
    "YAML_SUFFIXES",
    "arxiv_id",
    "parse_api_json",
    "parse_yaml_records",
    "read_records",
    "record_paths",
    "web_url",
]


#: Keys of a hand-written record, in the order problems list them.
YAML_KEYS = ("title", "abstract", "arxiv", "authors", "date", "topics", "note")

#: An arXiv identifier: new style ``YYMM.NNNN(N)`` (since 2007) or old style
#: ``archive(.XX)/YYMMNNN`` (before 2007, e.g. ``cs/0112017``, ``math.GT/0309136``,
#: ``hep-th/9901001``), optionally with a version ``vN`` and an ``arXiv:`` prefix. Only the id
#: proper (group ``id``) is kept.
ARXIV_ID = re.compile(
    r"(?:arxiv:)?(?P<id>"
    r"\d{2}(?:0[1-9]|1[0-2])\.\d{4,5}"  # new style: YYMM.NNNNN
    r"|[a-z]+(?:-[a-z]+)*(?:\.[a-z]{2})?/\d{2}(?:0[1-9]|1[0-2])\d{3}"  # old: archive.XX/YYMMNNN
    r")(?:v[1-9]\d*)?",
    re.IGNORECASE | re.ASCII,  # ASCII: ``\d`` must not match other scripts' digits
)
#: New-style ids began in April 2007 with 4-digit serials, 5 digits since January 2015.
_FIRST_NEW_STYLE = "0704"
_FIVE_DIGITS = "1501"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WEB_SCHEMES = frozenset({"http", "https"})
#: Limits of the lenient display fields (longer values are ignored): a URL, an organization's
#: name, one keyword, the number of keywords kept. The AI summary has the abstract's limit.
MAX_URL_CHARS = 2_000
MAX_NAME_CHARS = 300
MAX_KEYWORD_CHARS = 100
MAX_KEYWORDS = 30
#: Longest excerpt of an offending value quoted in a message.
_SHOWN_CHARS = 60
#: Integers in a record have at most this many digits (an upvote count has 1 to 5).
MAX_INT_DIGITS = 18
#: No record nests deeper than this; the decoder recurses, and 100,000 levels crash it.
MAX_DEPTH = 100

Json: TypeAlias = "dict[str, Json] | list[Json] | str | int | float | bool | None"


def arxiv_id(text: str) -> str | None:
    """The arXiv id in ``text`` without prefix and version, or ``None`` if it is not one.

    A new-style id must have the serial length of its month (``2401.4081`` is not an id: since
    2015 serials have 5 digits). Matching ignores case (``arXiv:`` and ``arxiv:`` are both
    seen), so an old-style id is restored to its canonical case: the archive lowercase, the
    subject class uppercase (``math.GT``).
    """
    match = ARXIV_ID.fullmatch(text.strip())
    if match is None:
        return None
    found = match.group("id")
    archive, slash, number = found.partition("/")
    if not slash:
        month, _, serial = found.partition(".")
        if month < _FIRST_NEW_STYLE or len(serial) != (5 if month >= _FIVE_DIGITS else 4):
            return None
        return found
    name, dot, subject = archive.partition(".")
    return f"{name.lower()}{dot}{subject.upper()}/{number}"


def _shown(value: str) -> str:
    """``repr`` of an offending value, shortened: messages quote it, they do not reproduce it."""
    if len(value) > _SHOWN_CHARS:
        value = value[: _SHOWN_CHARS - 3] + "..."
    return repr(value)


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --- the daily papers API JSON --------------------------------------------------------------


# The lenient display fields (module docstring): a malformed value is ``None``, never a problem.


def _lenient_text(value: Json, limit: int) -> str | None:
    """A non-empty string of at most ``limit`` characters, on one line; otherwise ``None``."""
    if not isinstance(value, str):
        return None
    found = _one_line(value)
    return found if found and len(found) <= limit else None


def _lenient_count(value: Json) -> int | None:
    """A non-negative integer (not a boolean, not one of :class:`_BigNumber`'s size)."""
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


def web_url(value: object) -> str | None:
    """``value`` if it is an absolute ``http`` or ``https`` URL with a host, else ``None``.

    No whitespace or control character anywhere (browsers drop some of them, which would make
    the URL another one), at most :data:`MAX_URL_CHARS` characters. Anything else, a
    ``javascript:`` or ``data:`` URL above all, is never a link.
    """
    if not isinstance(value, str):
        return None
    url = value.strip()
    if not url or len(url) > MAX_URL_CHARS:
        return None
    if any(ch.isspace() or unicodedata.category(ch)[0] in "CZ" for ch in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in _WEB_SCHEMES or not host:
        return None
    return url


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


def _json_kind(value: object) -> str:
    """What a decoded JSON value is, in words, for messages such as "got a list"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, _BigNumber):
        return f"an integer of {len(value.digits.lstrip('-'))} digits"
    return "an object"


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
            self.problem(where, f"must be a string, got {_json_kind(value)}")
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
            self.problem(where, f"must be a list of objects with a 'name', got {_json_kind(value)}")
            return ()
        names: list[str] = []
        for index, author in enumerate(value):
            at = f"{where}[{index}]"
            if not isinstance(author, dict):
                self.problem(at, f"must be an object with a 'name', got {_json_kind(author)}")
                continue
            name = self.text(author, "name", at, required=True)
            if name is not None:
                names.append(_one_line(name))
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
                f"not an ISO 8601 date and time (like 2024-01-08T18:59:59.000Z): {_shown(text)}",
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
            if isinstance(value, _BigNumber):
                expected += f" of at most {MAX_INT_DIGITS} digits"
            self.problem(where, f"must be {expected}, got {_json_kind(value)}")
            return None
        if value < 0:
            self.problem(where, f"must not be negative, got {value}")
            return None
        return value

    def entry(self, item: Json, path: str) -> Entry | None:
        """The entry of one API record, or ``None`` when it has any problem."""
        before = len(self.problems)
        if not isinstance(item, dict):
            self.problem(path or "record", f"must be an object, got {_json_kind(item)}")
            return None
        where = f"{path}.paper" if path else "paper"
        if "paper" not in item:
            self.problem(where, "missing")
            return None
        paper = item["paper"]
        if not isinstance(paper, dict):
            self.problem(where, f"must be an object, got {_json_kind(paper)}")
            return None
        raw_id = self.text(paper, "id", where, required=True)
        arxiv = None
        if raw_id is not None:
            arxiv = arxiv_id(raw_id)
            if arxiv is None:
                self.problem(
                    f"{where}.id",
                    f"not an arXiv id (like 2401.04081 or cs/0112017): {_shown(raw_id)}",
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


#: The longest title and abstract a record may give (as a listing's,
#: :mod:`generator.inputs.listings`).
_LIMITS = {"title": MAX_TITLE_CHARS, "summary": MAX_ABSTRACT_CHARS, "abstract": MAX_ABSTRACT_CHARS}


def _capped(record: _JsonRecord, value: str | None, where: str) -> str | None:
    """``value`` unless it is longer than its field's limit (then a problem)."""
    limit = _LIMITS[where.rsplit(".", 1)[-1]]
    if value is not None and len(value) > limit:
        record.problem(where, f"{len(value):,} characters, longer than the limit of {limit:,}")
        return None
    return value


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


_SPACE = re.compile(r"[ \t\n\r]*")


def _skip(text: str, at: int) -> int:
    """The offset of the first non-whitespace character (JSON's whitespace) from ``at``."""
    match = _SPACE.match(text, at)
    return match.end() if match else at


def _items(text: str, decoder: json.JSONDecoder) -> list[tuple[int, Json]] | None:
    """``(offset, value)`` of each item of a top-level JSON array, or ``None`` if it is not one.

    Decodes item by item with :meth:`json.JSONDecoder.raw_decode`, so each record's offset in the
    file is known. Call it on text :func:`json.loads` accepted: the array is well formed.
    """
    at = _skip(text, 0)
    if not text.startswith("[", at):
        return None
    at = _skip(text, at + 1)
    items: list[tuple[int, Json]] = []
    if text.startswith("]", at):
        return items
    while True:
        value, end = decoder.raw_decode(text, at)
        items.append((at, value))
        at = _skip(text, end)
        if text.startswith("]", at):
            return items
        at = _skip(text, at + 1)  # past the comma


class _Duplicated(dict[str, Json]):
    """A JSON object in which a key appeared more than once (the last value is kept)."""

    duplicates: list[str]


@dataclass(frozen=True, slots=True)
class _BigNumber:
    """An integer of more digits than any field needs (Python refuses to convert 4,300)."""

    digits: str


def _integer(digits: str) -> int | _BigNumber:
    return int(digits) if len(digits) <= MAX_INT_DIGITS else _BigNumber(digits)


class _Decoder(json.JSONDecoder):
    """A decoder for one file that keeps repeated keys and huge numbers visible to the checks.

    ``repeated`` says whether any object had a repeated key: records are walked for them only
    then (a walk of every record would cost a quarter of the parse).
    """

    def __init__(self) -> None:
        super().__init__(object_pairs_hook=self._object, parse_int=_integer)
        self.repeated = False

    def _object(self, pairs: list[tuple[str, Json]]) -> dict[str, Json]:
        found = dict(pairs)
        if len(found) == len(pairs):
            return found
        self.repeated = True
        marked = _Duplicated(found)
        seen: set[str] = set()
        marked.duplicates = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
        return marked


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def too_deep(text: str) -> int | None:
    """The line where ``text`` nests deeper than :data:`MAX_DEPTH` (the decoder recurses)."""
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return _line_at(text, token.start())
        elif char in "]}":
            depth -= 1
    return None


def _walk_problems(
    value: Json, path: str, file: str, line: int, *, repeated: bool, surrogates: bool
) -> list[Problem]:
    """What one record holds anywhere, by JSON path (walked without recursion): repeated keys
    (when the file has any: ``repeated``) and text no file can hold, keys too (when the file
    could: ``surrogates``, :func:`generator.text.encodable.may_hold_surrogates`)."""
    problems: list[Problem] = []
    if not (repeated or surrogates):
        return problems
    stack: list[tuple[Json, str]] = [(value, path)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, str):
            if surrogates and (why := surrogate_problem(item)) is not None:
                problems.append(Problem(file, line, f"{at or 'record'}: {why}"))
        elif isinstance(item, dict):
            for key in getattr(item, "duplicates", ()):
                problems.append(Problem(file, line, f"{at or 'record'}: duplicate key {key!r}"))
            for key, child in reversed(item.items()):
                name = key
                if surrogates and (why := surrogate_problem(key)) is not None:
                    problems.append(Problem(file, line, f"{at or 'record'}: a key {why}"))
                    name = ascii(key)
                stack.append((child, f"{at}.{name}" if at else name))
        elif isinstance(item, list):
            stack.extend((v, f"{at}[{i}]") for i, v in reversed(list(enumerate(item))))
    return problems


def parse_api_json(text: str, file: str) -> tuple[list[Entry], list[Problem]]:
    """The entries of one daily papers API JSON file, and every problem in it.

    ``file`` is the data-relative path problems and sources are reported under. Repeated keys
    (which JSON parsers resolve silently, each its own way) are errors, and so is nesting
    deeper than :data:`MAX_DEPTH` levels, which no record has.
    """
    decoder = _Decoder()
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
    start = _skip(text, 0)
    suspect = may_hold_surrogates(text)
    if isinstance(whole, dict):
        line = _line_at(text, start)
        refused = _walk_problems(
            whole, "", file, line, repeated=decoder.repeated, surrogates=suspect
        )
        found = _JsonRecord(file, line, problems).entry(whole, "")
        return ([found] if found and not refused else []), refused + problems
    items = _items(text, decoder) if isinstance(whole, list) else None
    if items is None:
        message = f"the top level must be a list of records or one record, got {_json_kind(whole)}"
        return [], [Problem(file, _line_at(text, start), message)]
    line, counted = 1, 0
    for index, (offset, item) in enumerate(items):
        line += text.count("\n", counted, offset)
        counted = offset
        refused = _walk_problems(
            item, f"[{index}]", file, line, repeated=decoder.repeated, surrogates=suspect
        )
        problems += refused
        found = _JsonRecord(file, line, problems).entry(item, f"[{index}]")
        if found is not None and not refused:
            entries.append(found)
    return entries, problems


# --- hand-written YAML records --------------------------------------------------------------


class _YamlChecker(Checker):
    def __init__(self, file: str, known: Collection[str] | None = None) -> None:
        super().__init__(file)
        self.known = known
        """The taxonomy's topic slugs a record may pin (``None``: not checked here)."""

    def text(self, keys: Mapping[str, Node], key: str, where: str) -> str | None:
        """A non-empty string value, or ``None`` (reported when present but malformed)."""
        node = keys.get(key)
        if node is None:
            return None
        if not is_string(node):
            self.problem(node, f"{where}{key!r} must be a string, got {kind(node)}")
            return None
        value = str(node.value)
        if not value.strip():
            self.problem(node, f"{where}{key!r} must not be empty")
            return None
        return value.strip()

    def capped(self, keys: Mapping[str, Node], key: str, where: str) -> str | None:
        """:meth:`text`, refused when longer than the field's limit."""
        value = self.text(keys, key, where)
        limit = _LIMITS[key]
        if value is not None and len(value) > limit:
            self.problem(
                keys[key],
                f"{where}{key!r} has {len(value):,} characters, longer than the limit of {limit:,}",
            )
            return None
        return value

    def strings(self, keys: Mapping[str, Node], key: str, where: str) -> list[ScalarNode] | None:
        """The items of a list of strings, or ``None`` when the list is absent or malformed."""
        node = keys.get(key)
        if node is None:
            return None
        items = self.string_list(node, f"{where}{key!r}")
        return items if items is not None and len(items) == len(node.value) else None

    def arxiv(self, keys: Mapping[str, Node], where: str) -> str | None:
        node = keys.get("arxiv")
        if node is None:
            return None
        # Unquoted, ``2401.04081`` is a YAML float; its text is the id all the same.
        if not (isinstance(node, ScalarNode) and node.tag in (TAG + "str", TAG + "float")):
            self.problem(node, f"{where}'arxiv' must be an arXiv id, got {kind(node)}")
            return None
        found = arxiv_id(str(node.value))
        if found is None:
            self.problem(
                node,
                f"{where}'arxiv' is not an arXiv id (like 2401.04081 or cs/0112017): "
                f"{_shown(str(node.value))}",
            )
        return found

    def date(self, keys: Mapping[str, Node], where: str) -> str | None:
        node = keys.get("date")
        if node is None:
            return None
        # Unquoted, ``2024-01-08`` is a YAML timestamp (a ``datetime.date`` when loaded).
        if not (isinstance(node, ScalarNode) and node.tag in (TAG + "str", TAG + "timestamp")):
            self.problem(node, f"{where}'date' must be a date YYYY-MM-DD, got {kind(node)}")
            return None
        text = str(node.value).strip()
        try:
            if _ISO_DATE.fullmatch(text) is None:
                raise ValueError(text)
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            self.problem(node, f"{where}'date' must be a date YYYY-MM-DD, got {_shown(text)}")
            return None

    def topics(self, keys: Mapping[str, Node], where: str) -> tuple[str, ...]:
        items = self.strings(keys, "topics", where)
        if items is None:
            return ()
        slugs: set[str] = set()
        for item in items:
            slug = str(item.value).strip()
            if SLUG.fullmatch(slug) is None:
                self.problem(
                    item,
                    f"{where}topic {_shown(slug)} is not a topic slug (lowercase ASCII letters "
                    "and digits in words joined by single hyphens, like 'image-generation')",
                )
            elif self.known is not None and slug not in self.known:
                self.problem(
                    item,
                    f"{where}topics: {slug!r} is not a topic of data/topics.yaml "
                    f"(known: {', '.join(sorted(self.known)) or 'none'})",
                )
            else:
                slugs.add(slug)
        return tuple(sorted(slugs))

    def record(self, node: Node, where: str) -> Entry | None:
        """The entry of one record mapping, or ``None`` when it has any problem."""
        if not isinstance(node, MappingNode):
            self.problem(node, f"{where}a record must be a mapping, got {kind(node)}")
            return None
        before = len(self.problems)
        keys = self.mapping(node, where, YAML_KEYS)
        for required in ("title", "abstract"):
            if required not in keys:
                self.problem(node, f"{where}missing {required!r}")
        title = self.capped(keys, "title", where)
        abstract = self.capped(keys, "abstract", where)
        authors = self.strings(keys, "authors", where) or []
        meta = Metadata(
            arxiv=self.arxiv(keys, where),
            authors=tuple(_one_line(str(a.value)) for a in authors),
            published=self.date(keys, where),
            note=self.text(keys, "note", where),
            topics=self.topics(keys, where),
        )
        if len(self.problems) > before or title is None or abstract is None:
            return None
        return Entry(title, abstract, Source(self.file, line(node)), "record", meta)

    def document(self, root: Node | None) -> list[Entry]:
        if root is None:
            self.problems.append(Problem(self.file, None, "no records: the file is empty"))
            return []
        if isinstance(root, MappingNode):
            found = self.record(root, "")
            return [found] if found else []
        if not isinstance(root, SequenceNode):
            self.problem(
                root, f"the top level must be a record or a list of records, got {kind(root)}"
            )
            return []
        if not root.value:
            self.problem(root, "no records: the list is empty")
        entries = []
        for number, item in enumerate(root.value, start=1):
            found = self.record(item, f"record {number}: ")
            if found is not None:
                entries.append(found)
        return entries


def parse_yaml_records(
    text: str, file: str, topics: Collection[str] | None = None
) -> tuple[list[Entry], list[Problem]]:
    """The entries of one hand-written YAML records file, and every problem in it.

    With ``topics`` (the taxonomy's slugs), a pinned topic that is not one of them is a problem
    at its own line, reported with the record's other problems.
    """
    root, problems = compose(text, file)
    if problems:
        return [], problems
    checker = _YamlChecker(file, topics)
    entries = checker.document(root)
    return entries, checker.problems


# --- the folder -----------------------------------------------------------------------------


def record_paths(data_dir: Path) -> list[Path]:
    """Every record file under ``data_dir/records``, sorted by data-relative POSIX path."""
    folder = data_dir / RECORDS_DIR
    if not folder.is_dir():
        return []
    suffixes = API_SUFFIXES + YAML_SUFFIXES
    return data_files(folder, lambda name: name.lower().endswith(suffixes))


def read_records(
    data_dir: Path, topics: Collection[str] | None = None
) -> tuple[list[Entry], list[Problem]]:
    """Read and parse every record file; no ``records`` folder means no records, not a problem.

    Decoding is :func:`generator.inputs.listings.decode`'s (strict UTF-8, BOM allowed, CRLF
    accepted).
    ``topics``: the taxonomy's slugs, which pinned topics must be (unchecked when ``None``).
    """
    entries: list[Entry] = []
    problems: list[Problem] = []
    for path in record_paths(data_dir):
        name, text, read_problems = read_input(data_dir, path, "the record file")
        problems += read_problems
        if text is None:
            continue
        if path.suffix.lower() in API_SUFFIXES:
            found, parse_problems = parse_api_json(text, name)
        else:
            found, parse_problems = parse_yaml_records(text, name, topics)
        entries += found
        problems += parse_problems
    return entries, problems
