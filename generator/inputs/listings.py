"""Parse stage: listing files under the data directory -> entries with provenance.

A listing is the text of a Hugging Face Daily Papers page as saved from a browser::

    new
    Get trending papers in your email inbox!
    Subscribe
    Daily Papers                          (optional)
    byAK and the research community       (or "by AK and ...")
    Aug 12                                (optional listing date)
    <title>
    <abstract>
    <title>
    <abstract>
    ...

Blocks are runs of non-blank lines (a block wrapped over several lines is joined with spaces).
The boilerplate header is recognised only before the first entry. After it, blocks pair up as
title / abstract. A block is *title-like* when it is short and has at most one sentence break;
the block after a title is its abstract unless it too reads as a title rather than prose
(:func:`is_abstract_after`). A title that is followed by another title has lost its abstract
and an abstract-like block where a title is due has lost its title: both are rejected entries,
reported as warnings with file and line (errors under ``--strict``), never silently dropped or
mis-paired. A file with neither the header nor any title/abstract pair is not a listing: an error.

Decoding is strict UTF-8 (a BOM is allowed, CRLF is accepted); anything else is a problem naming
the byte offset. Nothing here raises on bad input: every problem in every file is collected.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from generator.datafiles import DATED_LISTING, LISTING_SUFFIX, data_files
from generator.errors import Problem
from generator.model import Entry, Source
from generator.text.dates import UNKNOWN, listing_date_key

#: Boilerplate lines of a saved listing page, compared casefolded with spaces collapsed.
HEADER_LINES = frozenset(
    {
        "new",
        "get trending papers in your email inbox!",
        "subscribe",
        "daily papers",
        "byak and the research community",
        "by ak and the research community",
    }
)

#: ``Aug 12``, ``August 12``, ``Aug 12, 2024``: the listing date as the page shows it.
DATE_RE = re.compile(
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.? \d{1,2}(?:, \d{4})?"
)

#: A title is at most this long (hostile or odd titles run to 400); the shortest abstract in
#: the shipped corpus has 1,358 characters and the longest title 179, so the gap is wide.
MAX_TITLE_CHARS = 500

#: An abstract is at most this long: arXiv caps abstracts at 1,920 characters, and a curator's
#: record may run longer, but a block of more is a broken save (one 200 MB paragraph), and it
#: is rejected with its line instead of becoming a page.
MAX_ABSTRACT_CHARS = 20_000

#: A sentence break: end punctuation, a space, then a capital letter or digit.
SENTENCE_BREAK_RE = re.compile(r"[.!?] +[A-Z0-9]")


@dataclass(frozen=True, slots=True)
class Block:
    """A run of non-blank lines, joined with single spaces; ``line`` is its first line (1-based)."""

    line: int
    text: str


#: Short prose still ends a sentence; titles almost never do.
SENTENCE_END = (".", "!", "?", "。", "！", "？")
MIN_PROSE_CHARS = 40


def is_title_like(text: str) -> bool:
    """Whether a block could be a title: short, with at most one sentence break."""
    return len(text) <= MAX_TITLE_CHARS and len(SENTENCE_BREAK_RE.findall(text)) <= 1


def is_abstract_after(title: str, text: str) -> bool:
    """Whether ``text``, following the title ``title``, is its abstract.

    A long or multi-sentence block always is. A short one (a truncated scrape) is when it reads
    as prose: it ends a sentence and is longer than the title.
    """
    if not is_title_like(text):
        return True
    return text.endswith(SENTENCE_END) and len(text) >= MIN_PROSE_CHARS and len(text) > len(title)


def _utf16(data: bytes) -> str | None:
    """How ``data`` looks like UTF-16 (its byte order mark, or a NUL in every other byte of its
    start, as ASCII text saved in UTF-16 has), or ``None``."""
    for mark, name in ((b"\xff\xfe", "UTF-16 LE"), (b"\xfe\xff", "UTF-16 BE")):
        if data.startswith(mark):
            return f"{name} (it starts with the byte order mark {mark.hex(' ').upper()})"
    head = data[:512]
    for name, nuls in (("UTF-16 LE", head[1::2]), ("UTF-16 BE", head[0::2])):
        if len(nuls) >= 8 and nuls.count(0) >= 0.9 * len(nuls):
            return f"{name} (a NUL byte in every other byte)"
    return None


def decode(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """Strict UTF-8 (optional BOM), CRLF/CR -> LF. UTF-16, binary data and bad bytes are
    problems (UTF-16 named as such: paperkb reads UTF-8 only, so a file is read one way)."""
    if (utf16 := _utf16(data)) is not None:
        return None, [Problem(file, None, f"UTF-16 text, not UTF-8: {utf16}; save it as UTF-8")]
    if b"\x00" in data:
        offset = data.index(b"\x00")
        return None, [Problem(file, None, f"binary content: NUL byte at byte offset {offset}")]
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        base = 3
    else:
        base = 0
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start : exc.start + 4].hex(" ")
        message = f"not valid UTF-8 at byte offset {exc.start + base} (bytes {bad}): {exc.reason}"
        return None, [Problem(file, None, message)]
    return text.replace("\r\n", "\n").replace("\r", "\n"), []


def blocks_of(text: str) -> list[Block]:
    """Split text into blocks of non-blank lines."""
    blocks: list[Block] = []
    start = 0
    parts: list[str] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if line:
            if not parts:
                start = number
            parts.append(line)
        elif parts:
            blocks.append(Block(start, " ".join(parts)))
            parts = []
    if parts:
        blocks.append(Block(start, " ".join(parts)))
    return blocks


def _is_header(text: str) -> bool:
    return " ".join(text.split()).casefold() in HEADER_LINES


def dated_by_name(line: str | None, file: str) -> str | None:
    """The listing date of ``file``: its date line, given a year by the file's name.

    A page shows ``Aug 12``; a listing saved as ``2024-08-12.txt`` says the year. A date line
    that has a year (``Aug 12, 2024``) is kept as it is; one without a year takes the year of
    the name, or the year before when its month is after the name's (``Dec 30`` saved in
    ``2025-01-02.txt``). With no date line, the name's date itself (ISO) is the listing date.
    """
    name = DATED_LISTING.fullmatch(file)
    if name is None:
        return line
    year, month, day = (int(group) for group in name.groups())
    try:
        named = datetime.date(year, month, day)
    except ValueError:
        return line
    if line is None:
        return named.isoformat()
    shown = listing_date_key(line)
    if shown == UNKNOWN or shown[0]:
        return line
    return f"{line}, {year - 1 if shown[1] > named.month else year}"


def parse_listing(text: str, file: str) -> tuple[list[Entry], list[Problem]]:
    """Parse the text of one listing. Pure: ``file`` is only used to label provenance."""
    blocks = blocks_of(text)
    if not blocks:
        return [], [Problem(file, None, "empty listing: the file has no text")]

    index = 0
    while index < len(blocks) and _is_header(blocks[index].text):
        index += 1
    has_header = index > 0
    date: str | None = None
    if index < len(blocks) and DATE_RE.fullmatch(blocks[index].text):
        date = blocks[index].text
        index += 1
    date = dated_by_name(date, file)
    if index == len(blocks):
        return [], [Problem(file, blocks[-1].line, "listing has a header but no entries")]

    entries: list[Entry] = []
    problems: list[Problem] = []
    while index < len(blocks):
        block = blocks[index]
        if not is_title_like(block.text):
            problems.append(
                Problem(
                    file,
                    block.line,
                    f"abstract with no title: a paragraph of {len(block.text)} characters "
                    f"where a title was expected ({_preview(block.text)})",
                    warning=True,
                )
            )
            index += 1
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if following is None or not is_abstract_after(block.text, following.text):
            problems.append(
                Problem(
                    file,
                    block.line,
                    f"title with no abstract: {_preview(block.text)} is followed by "
                    + ("the end of the file" if following is None else "another title"),
                    warning=True,
                )
            )
            index += 1
            continue
        if len(following.text) > MAX_ABSTRACT_CHARS:
            problems.append(
                Problem(
                    file,
                    following.line,
                    f"abstract of {len(following.text):,} characters after the title "
                    f"{_preview(block.text)}: longer than the limit of {MAX_ABSTRACT_CHARS:,}",
                    warning=True,
                )
            )
            index += 2
            continue
        entries.append(Entry(block.text, following.text, Source(file, block.line, date)))
        index += 2
    if not entries and not has_header:
        first = blocks[0]
        return [], [
            Problem(
                file,
                first.line,
                "not a listing: no title / abstract pair found "
                f"(it starts with {_preview(first.text)})",
            )
        ]
    return entries, problems


def _preview(text: str, width: int = 60) -> str:
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def listing_paths(data_dir: Path) -> list[Path]:
    """Every listing under ``data_dir``, sorted by data-relative POSIX path (input order free),
    outside hidden and tool folders (:func:`generator.datafiles.skipped`)."""
    return data_files(data_dir, lambda name: name.endswith(LISTING_SUFFIX))


def outside_problem(data_dir: Path, path: Path) -> Problem | None:
    """A problem when ``path`` is a symbolic link (or under one) that leaves ``data_dir``.

    Everything published comes from the knowledge base under review: a link to a file
    elsewhere (a home folder, a system file) is refused, and its content is not quoted.
    """
    root = data_dir.resolve()
    target = path.resolve()
    if target == root or root in target.parents:
        return None
    name = path.relative_to(data_dir).as_posix()
    return Problem(name, None, "is a symbolic link to a file outside data/ (refused, not read)")


def read_input(data_dir: Path, path: Path, what: str) -> tuple[str, str | None, list[Problem]]:
    """The data-relative name and decoded text of one input file (``None`` with problems).

    Refuses links that leave ``data_dir`` (:func:`outside_problem`); decoding is :func:`decode`.
    """
    name = path.relative_to(data_dir).as_posix()
    if (outside := outside_problem(data_dir, path)) is not None:
        return name, None, [outside]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return name, None, [Problem(name, None, f"cannot read {what}: {exc.strerror}")]
    text, problems = decode(data, name)
    return name, text, problems


def read_listings(data_dir: Path) -> tuple[list[Entry], list[Problem]]:
    """Read and parse every listing under ``data_dir``; provenance paths are data-relative."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    paths = listing_paths(data_dir)
    for path in paths:
        name, text, read_problems = read_input(data_dir, path, "the listing")
        problems += read_problems
        if text is not None:
            found, parse_problems = parse_listing(text, name)
            entries += found
            problems += parse_problems
    return entries, problems


def parse_all(texts: Iterable[tuple[str, str]]) -> tuple[list[Entry], list[Problem]]:
    """Parse ``(file, text)`` pairs in file order; for tests and in-memory corpora."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    for file, text in sorted(texts):
        found, parse_problems = parse_listing(text, file)
        entries += found
        problems += parse_problems
    return entries, problems
