"""What a change to ``data/`` does to the knowledge base, compared with a base revision.

Used by ``paperkb diff BASE`` and by the pull-request workflow's job summary, so a contributor
sees locally exactly what the reviewer will see. Pure: it compares two snapshots; reading the
base revision out of git is :func:`read_base_data`, at the edge.
"""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import tarfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.datafiles import data_files
from generator.errors import PaperkbError
from generator.model import UNSORTED, Paper

#: A replacing abstract shorter than this share of the one it replaces is a warning: a record
#: that cut the abstract (a truncated API summary, a hand-written stub) loses the reader text.
SHORTER_ABSTRACT = 0.5
#: Longest value of a changed fact shown in the summary.
_SHOWN_CHARS = 80


def _facts(paper: Paper) -> dict[str, str]:
    """Every field of a paper's metadata that has a value, as text, by field name."""
    facts: dict[str, str] = {}
    for item in dataclasses.fields(paper.meta):
        value = getattr(paper.meta, item.name)
        if value is None or value == ():
            continue
        facts[item.name] = ", ".join(map(str, value)) if isinstance(value, tuple) else str(value)
    return facts


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The parts of a plan a content review cares about."""

    titles: Mapping[str, str]
    topics: Mapping[str, tuple[str, ...]]
    redirects: Mapping[str, str] = field(default_factory=dict)
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    abstracts: Mapping[str, str] = field(default_factory=dict)
    facts: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Per paper: its metadata fields that have a value (arXiv id, authors, note, ...)."""
    files: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Per paper: the data files (listings, records) it comes from."""
    learned: Mapping[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)
    """Per paper with any: its topics assigned by similarity, with their confidence."""

    @classmethod
    def of(cls, papers: Sequence[Paper], redirects: Mapping[str, str]) -> Snapshot:
        return cls(
            titles={p.id: p.title for p in papers},
            topics={p.id: p.topics or (UNSORTED.slug,) for p in papers},
            redirects=dict(redirects),
            aliases={p.id: p.aliases for p in papers},
            abstracts={p.id: p.abstract for p in papers},
            facts={p.id: _facts(p) for p in papers},
            files={p.id: frozenset(s.file for s in p.sources) for p in papers},
            learned={p.id: p.learned_topics for p in papers if p.learned_topics},
        )


@dataclass(frozen=True, slots=True)
class Changes:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    merged: tuple[tuple[str, str], ...]
    retitled: tuple[tuple[str, str, str], ...]
    topics: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]
    """(topic, papers that joined, papers that left)"""
    new_unsorted: tuple[str, ...]
    spellings: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(paper, spellings it gained: a new listing or record merged into it)"""
    facts: tuple[tuple[str, str, str | None, str | None], ...] = ()
    """(paper, field, old value, new value) of papers in both revisions"""
    abstracts: tuple[tuple[str, int, int], ...] = ()
    """(paper, old length, new length) of abstracts that changed"""
    departures: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    """(paper, its title in the base, data files it is no longer in): a record or listing entry
    deleted, which only a reviewed edit does (``fetch`` keeps what the Hub stops listing)"""
    renamed: tuple[tuple[str, str], ...] = ()
    """(old path, new path) of data files that moved, their content unchanged."""
    learned: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = ()
    """(paper, its topics by similarity) of papers whose topics by similarity are new or
    changed: no rule sorts them, a reviewer should look"""

    @property
    def empty(self) -> bool:
        return not (
            self.added
            or self.removed
            or self.merged
            or self.retitled
            or self.topics
            or self.spellings
            or self.facts
            or self.abstracts
            or self.departures
            or self.learned
        )

    @property
    def warnings(self) -> tuple[str, ...]:
        """What a reviewer must look at twice: abstracts cut short by a replacing record."""
        return tuple(
            f"{_code(pid)}: the abstract went from {old:,} to {new:,} characters; check that the "
            "record that replaced it is not a truncated or stub abstract"
            for pid, old, new in self.abstracts
            if new < old * SHORTER_ABSTRACT
        )


def renamed_files(base_dir: Path, head_dir: Path) -> dict[str, str]:
    """Data files moved or renamed between two data folders: base path -> head path, for each
    file gone from the head whose exact bytes are at a path new in the head (a listing saved
    under a dated name, say). The edge of :func:`compare`, which reads no file."""
    base = {p.relative_to(base_dir).as_posix(): p for p in data_files(base_dir, _any)}
    head = {p.relative_to(head_dir).as_posix(): p for p in data_files(head_dir, _any)}
    new_by_content: dict[bytes, list[str]] = {}
    for rel in sorted(set(head) - set(base)):
        new_by_content.setdefault(head[rel].read_bytes(), []).append(rel)
    moved: dict[str, str] = {}
    for rel in sorted(set(base) - set(head)):
        targets = new_by_content.get(base[rel].read_bytes())
        if targets:
            moved[rel] = targets.pop(0)
    return moved


def _any(name: str) -> bool:
    return True


def compare(base: Snapshot, head: Snapshot, renamed: Mapping[str, str] | None = None) -> Changes:
    """What changed from ``base`` to ``head``; ``renamed``: data files that only moved
    (:func:`renamed_files`), whose papers did not leave them."""
    moved = dict(renamed or {})
    added = sorted(set(head.titles) - set(base.titles))
    gone = sorted(set(base.titles) - set(head.titles))
    merged = [(old, head.redirects[old]) for old in gone if old in head.redirects]
    removed = [old for old in gone if old not in head.redirects]
    kept = sorted(set(base.titles) & set(head.titles))
    retitled = [
        (pid, base.titles[pid], head.titles[pid])
        for pid in kept
        if base.titles[pid] != head.titles[pid]
    ]
    members_base = _members(base)
    members_head = _members(head)
    topics = []
    for topic in sorted(set(members_base) | set(members_head)):
        joined = tuple(sorted(members_head.get(topic, set()) - members_base.get(topic, set())))
        left = tuple(sorted(members_base.get(topic, set()) - members_head.get(topic, set())))
        if joined or left:
            topics.append((topic, joined, left))
    unsorted = UNSORTED.slug
    new_unsorted = sorted(members_head.get(unsorted, set()) - members_base.get(unsorted, set()))
    spellings = []
    facts: list[tuple[str, str, str | None, str | None]] = []
    abstracts = []
    for pid in kept:
        before = {base.titles[pid], *base.aliases.get(pid, ())}
        gained = tuple(a for a in (head.titles[pid], *head.aliases.get(pid, ())) if a not in before)
        if gained and head.aliases.get(pid, ()) != base.aliases.get(pid, ()):
            spellings.append((pid, tuple(sorted(gained))))
        old_facts, new_facts = base.facts.get(pid, {}), head.facts.get(pid, {})
        for name in sorted(set(old_facts) | set(new_facts)):
            if old_facts.get(name) != new_facts.get(name):
                facts.append((pid, name, old_facts.get(name), new_facts.get(name)))
        old_abstract, new_abstract = base.abstracts.get(pid), head.abstracts.get(pid)
        if old_abstract is not None and new_abstract is not None and old_abstract != new_abstract:
            abstracts.append((pid, len(old_abstract), len(new_abstract)))
    departures = []
    for pid in sorted(set(base.titles) - set(head.redirects)):
        now = head.files.get(pid, frozenset())
        lost = {f for f in base.files.get(pid, frozenset()) - now if moved.get(f) not in now}
        if lost or pid not in head.titles:
            departures.append((pid, base.titles[pid], tuple(sorted(lost))))
    learned = tuple(
        (pid, topics)
        for pid, topics in sorted(head.learned.items())
        if {s for s, _ in topics} != {s for s, _ in base.learned.get(pid, ())}
    )
    return Changes(
        tuple(added),
        tuple(removed),
        tuple(merged),
        tuple(retitled),
        tuple(topics),
        tuple(new_unsorted),
        tuple(spellings),
        tuple(facts),
        tuple(abstracts),
        tuple(departures),
        tuple(sorted(moved.items())),
        learned=learned,
    )


def _members(snapshot: Snapshot) -> dict[str, set[str]]:
    members: dict[str, set[str]] = {}
    for pid, topics in snapshot.topics.items():
        for topic in topics:
            members.setdefault(topic, set()).add(pid)
    return members


def format_changes(changes: Changes, head: Snapshot, base_name: str) -> str:
    """The summary as Markdown (it reads as plain text on a terminal too).

    It goes into pull-request bodies and job summaries, where GitHub makes links and mentions of
    bare text (``https://...``, ``www.``, ``#1``, ``GH-1``, ``@user``, and any prefix a
    repository configures): every piece of text from the data is in a code span, where nothing
    becomes a link, and has no markup character (:func:`_code`).
    """
    lines = [f"## Content changes against {_code(base_name)}", ""]
    if changes.empty:
        lines += ["No paper or topic changed.", ""]
        if changes.renamed:
            lines += ["### Data files renamed (the same content)", ""]
            lines += [f"- {_code(old)} -> {_code(new)}" for old, new in changes.renamed]
            lines.append("")
        return "\n".join(lines)
    counts = [
        ("Papers added", len(changes.added)),
        ("Papers removed", len(changes.removed)),
        ("Papers merged into another", len(changes.merged)),
        ("Papers that left a data file", len(changes.departures) - len(changes.removed)),
        ("Papers retitled", len(changes.retitled)),
        ("Papers with new spellings", len(changes.spellings)),
        ("Papers whose facts changed", len({pid for pid, *_ in changes.facts})),
        ("Abstracts replaced", len(changes.abstracts)),
        ("Topics whose papers changed", len(changes.topics)),
        ("New unsorted papers", len(changes.new_unsorted)),
        ("Papers newly assigned by similarity", len(changes.learned)),
        ("Warnings", len(changes.warnings)),
    ]
    lines += ["| | |", "| --- | --: |", *[f"| {k} | {v} |" for k, v in counts], ""]

    def title(pid: str) -> str:
        return _code(head.titles.get(pid, pid))

    def value(text: str | None) -> str:
        if text is None:
            return "(none)"
        shown = _plain(text)
        return _code(shown if len(shown) <= _SHOWN_CHARS else shown[: _SHOWN_CHARS - 3] + "...")

    def ids(pids: Sequence[str]) -> str:
        listed = ", ".join(map(_code, pids[:20]))
        return listed + (f" and {len(pids) - 20} more" if len(pids) > 20 else "")

    sections = _sections(changes, title, value, ids)
    for heading, items in sections:
        if items:
            lines += [f"### {heading}", "", *items, ""]
    return "\n".join(lines)


def _sections(
    changes: Changes,
    title: Callable[[str], str],
    value: Callable[[str | None], str],
    ids: Callable[[Sequence[str]], str],
) -> list[tuple[str, list[str]]]:
    """The summary's sections, in order: (heading, items), empty ones included."""
    return [
        ("Warnings", [f"- {warning}" for warning in changes.warnings]),
        ("Added", [f"- {_code(pid)}: {title(pid)}" for pid in changes.added]),
        (
            "Removed (deleted by hand: fetch never deletes a saved paper)",
            [
                f"- {_code(pid)}: {_code(old)}" + (f": was in {ids(files)}" if files else "")
                for pid, old, files in changes.departures
                if pid in changes.removed
            ],
        ),
        (
            "Left a data file (a record or listing entry deleted; the paper stays)",
            [
                f"- {_code(pid)}: {title(pid)}: no longer in {ids(files)}"
                for pid, _, files in changes.departures
                if pid not in changes.removed
            ],
        ),
        (
            "Data files renamed (the same content)",
            [f"- {_code(old)} -> {_code(new)}" for old, new in changes.renamed],
        ),
        (
            "Merged",
            [f"- {_code(old)} -> {_code(new)}: {title(new)}" for old, new in changes.merged],
        ),
        (
            "Retitled",
            [f"- {_code(pid)}: {_code(a)} -> {_code(b)}" for pid, a, b in changes.retitled],
        ),
        (
            "New spellings merged into a paper",
            [
                f"- {_code(pid)}: {title(pid)}; now also: {'; '.join(map(_code, gained))}"
                for pid, gained in changes.spellings
            ],
        ),
        (
            "Facts added, changed or removed",
            [
                f"- {_code(pid)} {name}: {value(old)} -> {value(new)}"
                for pid, name, old, new in changes.facts
            ],
        ),
        (
            "Abstracts replaced",
            [
                f"- {_code(pid)}: {old:,} -> {new:,} characters"
                for pid, old, new in changes.abstracts
            ],
        ),
        (
            "Topics",
            [
                f"- {_code(topic)}: +{len(joined)} -{len(left)}"
                + (f"; joined: {ids(joined)}" if joined else "")
                + (f"; left: {ids(left)}" if left else "")
                for topic, joined, left in changes.topics
            ],
        ),
        ("New unsorted", [f"- {_code(pid)}: {title(pid)}" for pid in changes.new_unsorted]),
        (
            "Assigned by similarity (no rule matches: check, then pin or extend the rules)",
            [
                f"- {_code(pid)}: {title(pid)} -> "
                + ", ".join(f"{_code(slug)} ({value:.2f})" for slug, value in topics)
                for pid, topics in changes.learned
            ],
        ),
    ]


def _plain(text: str) -> str:
    """Titles in a summary are untrusted: no markup characters reach the Markdown renderer."""
    return " ".join(
        "".join(ch if ch.isalnum() or ch in " ,.;:?!'-/()" else " " for ch in text).split()
    )


def _code(text: str) -> str:
    """Untrusted text as a code span: no link, mention or reference is made of it on GitHub, and
    no markup: it is shown as written (on one line), delimited by more backticks than it holds
    in a row (CommonMark's rule)."""
    shown = " ".join(text.split())
    if not shown:
        return "(empty)"
    fence = "`" * (max((len(run) for run in re.findall("`+", shown)), default=0) + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def read_base_data(data_dir: Path, revision: str, into: Path) -> Path:
    """Extract ``data_dir`` as it was at git ``revision`` under ``into``; return its path."""
    data_dir = data_dir.resolve()
    try:
        top = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=data_dir,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        rel = data_dir.relative_to(Path(top).resolve()).as_posix()
        archive = subprocess.run(
            ["git", "archive", "--format=tar", revision, "--", rel],
            cwd=top,
            capture_output=True,
            check=True,
        ).stdout
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode() if isinstance(exc.stderr, bytes) else str(exc.stderr)
        if "did not match any files" in message:
            return into / "absent"  # the data folder did not exist yet at that revision
        raise PaperkbError(
            f"cannot read {data_dir.name}/ at {revision!r}: {message.strip()}"
        ) from exc
    except (OSError, ValueError) as exc:
        raise PaperkbError(f"cannot read {data_dir.name}/ at {revision!r}: {exc}") from exc
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into / rel
