"""The permalink registry ``data/permalinks.tsv``: its format, read strictly, and its rows.

One line per paper id ever published, ``<id>\t<title key>\t<title when first published>``,
append-only; :mod:`generator.stages.permalinks` decides the ids, this module reads the file and
makes the text that appending (or, for a never-published row, removing) rows gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from generator.datafiles import REGISTRY_FILE
from generator.errors import Problem
from generator.layout import MAX_ID_LENGTH, SLUG, reserved_reason

#: A byte order mark, which some editors put at the start of a file: read, and kept.
BOM = "\ufeff"


HEADER = (
    "# paperkb permalink registry: one row per paper id ever published. Append-only:\n"
    "# `paperkb generate` appends rows for new papers; never edit or delete a row, since the\n"
    "# id is the paper's URL (papers/<id>.html).\n"
    "# id\ttitle key\ttitle when first published\n"
)


@dataclass(frozen=True, slots=True)
class Row:
    """One registry line."""

    id: str
    key: str
    title: str
    line: int = field(default=0, compare=False)
    """Line in the registry file (0 for rows not written yet)."""


def parse_registry(text: str, file: str) -> tuple[list[Row], list[Problem]]:
    """Parse registry text; every malformed or conflicting line is a problem."""
    rows: list[Row] = []
    problems: list[Problem] = []
    ids: dict[str, int] = {}
    keys: dict[str, int] = {}
    for number, line in enumerate(text.removeprefix(BOM).split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            problems.append(
                Problem(file, number, f"expected 3 tab-separated fields, found {len(fields)}")
            )
            continue
        row = Row(fields[0], fields[1], fields[2], line=number)
        if not SLUG.fullmatch(row.id) or len(row.id) > MAX_ID_LENGTH:
            problems.append(Problem(file, number, f"invalid id {row.id!r}"))
            continue
        if (reason := reserved_reason(row.id)) is not None:
            problems.append(Problem(file, number, f"id {row.id!r} is reserved: {reason}"))
            continue
        if row.id in ids:
            problems.append(
                Problem(file, number, f"id {row.id!r} already registered on line {ids[row.id]}")
            )
            continue
        if row.key in keys:
            problems.append(
                Problem(file, number, f"title key already registered on line {keys[row.key]}")
            )
            continue
        ids[row.id] = number
        keys[row.key] = number
        rows.append(row)
    return rows, problems


def format_registry(rows: Iterable[Row]) -> str:
    """Registry text for rows, in the order given."""
    return HEADER + "".join(f"{r.id}\t{r.key}\t{_one_line(r.title)}\n" for r in rows)


def append_rows(existing: str | None, rows: Iterable[Row]) -> str:
    """The registry text with ``rows`` appended: what is there stays byte for byte.

    Comments, blank lines, a byte order mark and the order of the rows are the curators'; new
    rows end their lines as the file's first line does (``\r\n`` in a file saved on Windows).
    A new file starts with :data:`HEADER`.
    """
    if existing is None:
        return format_registry(rows)
    first = existing.split("\n", 1)[0]
    newline = "\r\n" if first.endswith("\r") else "\n"
    if existing.removeprefix(BOM) and not existing.endswith("\n"):
        existing += newline
    return existing + format_registry(rows).removeprefix(HEADER).replace("\n", newline)


def remove_rows(existing: str, rows: Iterable[Row]) -> str:
    """The registry text without the lines of ``rows``; every other line stays as it is."""
    gone = {row.line for row in rows}
    bom = BOM if existing.startswith(BOM) else ""
    lines = existing.removeprefix(bom).split("\n")
    kept = (text for number, text in enumerate(lines, start=1) if number not in gone)
    return bom + "\n".join(kept)


def _one_line(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def registry_text(path: Path) -> str:
    """The registry's text exactly as saved: a byte order mark and ``\r\n`` line ends kept
    (:func:`append_rows` writes it back byte for byte). Strict UTF-8: :class:`UnicodeError`."""
    return path.read_bytes().decode("utf-8")


def read_registry(data_dir: Path) -> tuple[list[Row], list[Problem]]:
    """The rows of ``data_dir``'s registry (none when it has no registry), or the problems."""
    path = data_dir / REGISTRY_FILE
    if not path.exists():
        return [], []
    try:
        text = registry_text(path)
    except OSError as exc:
        return [], [Problem(REGISTRY_FILE, None, f"cannot read: {exc.strerror}")]
    except UnicodeDecodeError as exc:
        message = f"not valid UTF-8 at byte offset {exc.start}: {exc.reason}"
        return [], [Problem(REGISTRY_FILE, None, message)]
    return parse_registry(text, REGISTRY_FILE)
