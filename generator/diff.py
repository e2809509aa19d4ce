"""What a change to ``data/`` does to the knowledge base, compared with a base revision.

Used by ``paperkb diff BASE`` and by the pull-request workflow's job summary, so a contributor
sees locally exactly what the reviewer will see. Pure: it compares two snapshots; reading the
base revision out of git is :func:`read_base_data`, at the edge.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import PaperkbError
from generator.model import UNSORTED, Paper


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The parts of a plan a content review cares about."""

    titles: Mapping[str, str]
    topics: Mapping[str, tuple[str, ...]]
    redirects: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, papers: Sequence[Paper], redirects: Mapping[str, str]) -> Snapshot:
        return cls(
            titles={p.id: p.title for p in papers},
            topics={p.id: p.topics or (UNSORTED.slug,) for p in papers},
            redirects=dict(redirects),
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

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.merged or self.retitled or self.topics)


def compare(base: Snapshot, head: Snapshot) -> Changes:
    added = sorted(set(head.titles) - set(base.titles))
    gone = sorted(set(base.titles) - set(head.titles))
    merged = [(old, head.redirects[old]) for old in gone if old in head.redirects]
    removed = [old for old in gone if old not in head.redirects]
    retitled = [
        (pid, base.titles[pid], head.titles[pid])
        for pid in sorted(set(base.titles) & set(head.titles))
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
    return Changes(
        tuple(added),
        tuple(removed),
        tuple(merged),
        tuple(retitled),
        tuple(topics),
        tuple(new_unsorted),
    )


def _members(snapshot: Snapshot) -> dict[str, set[str]]:
    members: dict[str, set[str]] = {}
    for pid, topics in snapshot.topics.items():
        for topic in topics:
            members.setdefault(topic, set()).add(pid)
    return members


def format_changes(changes: Changes, head: Snapshot, base_name: str) -> str:
    """The summary as Markdown (it reads as plain text on a terminal too)."""
    lines = [f"## Content changes against {base_name}", ""]
    if changes.empty:
        return "\n".join([*lines, "No paper or topic changed.", ""])
    counts = [
        ("Papers added", len(changes.added)),
        ("Papers removed", len(changes.removed)),
        ("Papers merged into another", len(changes.merged)),
        ("Papers retitled", len(changes.retitled)),
        ("Topics whose papers changed", len(changes.topics)),
        ("New unsorted papers", len(changes.new_unsorted)),
    ]
    lines += ["| | |", "| --- | --: |", *[f"| {k} | {v} |" for k, v in counts], ""]

    def title(pid: str) -> str:
        return _plain(head.titles.get(pid, pid))

    sections: list[tuple[str, list[str]]] = [
        ("Added", [f"- `{pid}`: {title(pid)}" for pid in changes.added]),
        ("Removed", [f"- `{pid}`" for pid in changes.removed]),
        ("Merged", [f"- `{old}` -> `{new}`: {title(new)}" for old, new in changes.merged]),
        (
            "Retitled",
            [f"- `{pid}`: {_plain(a)} -> {_plain(b)}" for pid, a, b in changes.retitled],
        ),
        (
            "Topics",
            [
                f"- `{topic}`: +{len(joined)} -{len(left)}"
                + (f" (joined: {', '.join(f'`{p}`' for p in joined[:20])})" if joined else "")
                for topic, joined, left in changes.topics
            ],
        ),
        ("New unsorted", [f"- `{pid}`: {title(pid)}" for pid in changes.new_unsorted]),
    ]
    for heading, items in sections:
        if items:
            lines += [f"### {heading}", "", *items, ""]
    return "\n".join(lines)


def _plain(text: str) -> str:
    """Titles in a summary are untrusted: no markup characters reach the Markdown renderer."""
    return "".join(ch if ch.isalnum() or ch in " ,.;:?!'-/()" else " " for ch in text).strip()


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
