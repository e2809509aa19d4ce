"""The run manifest: lets a regenerate with unchanged inputs skip the whole pipeline.

``paperkb generate`` is a pure function of ``data/``, the generator's own code and the library
versions it depends on. After a successful run, :func:`save` records a fingerprint of all of
those in ``docs/.paperkb-manifest.json`` together with the size and modification time of every
file it wrote, and the run's account. A later run whose fingerprint is the same and whose
generated files are all still exactly as written (same size and mtime: nobody edited or removed
one) has nothing to do: :func:`unchanged` says so without parsing a single listing, so a no-op
regenerate of 10,000 papers costs reading ``data/`` once instead of the whole pipeline.

Anything else (an edited listing, a new record, an upgraded NumPy, a changed generator
source file, ``--strict``, a touched generated file) runs the pipeline in full, which then writes
only what changed. The manifest is a hidden file, so MkDocs does not publish it; it is build
state, git-ignored like the generated pages.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import generator
from generator.account import Account
from generator.datafiles import LOCK_FILE, data_files
from generator.errors import Problem
from generator.layout import STATE_MARKER

MANIFEST_FILE = ".paperkb-manifest.json"
#: Bump when the manifest's layout changes; a manifest of another version is ignored.
FORMAT = 1
#: Distributions whose version can change the generated files.
DEPENDENCIES = ("numpy", "paperkb", "python-slugify", "PyYAML", "rapidfuzz", "scipy")


@dataclass(frozen=True, slots=True)
class Summary:
    """What a run reports, kept so that a skipped run can report it again."""

    account: Account
    rejected: tuple[Problem, ...]
    with_related: int
    files: tuple[str, ...]
    """The generated files (docs-relative)."""


def fingerprint(data_dir: Path, *, strict: bool) -> str:
    """SHA-256 over every input of a run: data files, generator code, library versions, flags."""
    digest = hashlib.sha256()

    def add(label: str, payload: bytes) -> None:
        digest.update(f"{label}\0{len(payload)}\0".encode())
        digest.update(payload)

    add("format", str(FORMAT).encode())
    add("strict", str(strict).encode())
    for name in DEPENDENCIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "-"
        add(f"dist:{name}", version.encode())
    code = Path(generator.__file__).resolve().parent
    for path in sorted(code.rglob("*.py"), key=lambda p: p.relative_to(code).as_posix()):
        add(f"code:{path.relative_to(code).as_posix()}", path.read_bytes())
    for path in _files(data_dir):
        add(f"data:{path.relative_to(data_dir).as_posix()}", path.read_bytes())
    return digest.hexdigest()


def _files(root: Path) -> list[Path]:
    """The data files, without the run lock (:mod:`generator.runtime.lock`): it is not an input;
    hidden and tool folders are left out as the readers leave them out."""
    return data_files(root, lambda name: name != LOCK_FILE)


def _stamp(path: Path) -> list[int]:
    status = path.stat()
    return [status.st_size, status.st_mtime_ns]


def save(docs_dir: Path, print_: str, summary: Summary) -> None:
    """Record a successful run (``print_`` is its fingerprint) after its files were written."""
    record: dict[str, Any] = {
        "generator": STATE_MARKER,
        "format": FORMAT,
        "fingerprint": print_,
        "summary": {
            "account": asdict(summary.account),
            "rejected": [[p.file, p.line, p.message] for p in summary.rejected],
            "with_related": summary.with_related,
        },
        "files": {rel: _stamp(docs_dir / rel) for rel in sorted(summary.files)},
    }
    target = docs_dir / MANIFEST_FILE
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(record, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(target)


def unchanged(docs_dir: Path, print_: str) -> Summary | None:
    """The recorded summary if the last run had the same inputs and its files are untouched."""
    try:
        record = json.loads((docs_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
        if record.get("format") != FORMAT or record.get("fingerprint") != print_:
            return None
        files: Mapping[str, list[int]] = record["files"]
        for rel, stamp in files.items():
            if _stamp(docs_dir / rel) != stamp:
                return None
        summary = record["summary"]
        return Summary(
            account=Account(**summary["account"]),
            rejected=tuple(
                Problem(file, line, message, warning=True)
                for file, line, message in summary["rejected"]
            ),
            with_related=summary["with_related"],
            files=tuple(files),
        )
    except (OSError, ValueError, LookupError, TypeError, AttributeError, RecursionError):
        return None  # no manifest, or one we cannot trust (any shape): run in full


def forget(docs_dir: Path) -> None:
    """Drop the manifest (before a run that may fail half way, or writes differently)."""
    (docs_dir / MANIFEST_FILE).unlink(missing_ok=True)
