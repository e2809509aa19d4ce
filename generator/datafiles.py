"""The names of the knowledge base's files under ``data/``: one home for every one of them.

The input readers (:mod:`generator.inputs`), the run lock, the registry writer and the tools
(``fetch``, ``diff``) all name ``data/`` files through this module, never by their own
spelling. Paths are relative to the data directory, with ``/`` separators.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

#: Listings are the ``*.txt`` files anywhere under the data directory.
LISTING_SUFFIX = ".txt"
#: A listing saved as ``<YYYY-MM-DD>.txt`` (as the README asks) names its day.
DATED_LISTING = re.compile(r"(?:.*/)?(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})\.txt")
#: Records (Hub API JSON, hand-written YAML) live under this folder, at any depth.
RECORDS_DIR = "records"
API_SUFFIXES = (".json",)
YAML_SUFFIXES = (".yaml", ".yml")
#: Where ``paperkb fetch`` saves the Hub's days, one ``YYYY-MM-DD.json`` file each.
HUB_DIR = f"{RECORDS_DIR}/hub"
#: A day file of ``paperkb fetch``: its name is the day its papers were on Daily Papers.
HUB_DAY_FILE = re.compile(rf"{HUB_DIR}/(?P<day>[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})\.json")
#: Papers found by ``paperkb fetch --resolve``, beside the day files.
RESOLVED_FILE = "resolved.json"
#: The topic taxonomy.
TAXONOMY_FILE = "topics.yaml"
#: The append-only registry of permanent paper ids.
REGISTRY_FILE = "permalinks.tsv"
#: Reviewed dedupe corrections and redirects.
OVERRIDES_FILE = "overrides.yaml"
#: The run lock, present while a run holds it (git-ignored, left out of the run fingerprint).
LOCK_FILE = ".paperkb.lock"

#: Folders never read as part of a knowledge base, at any depth: hidden ones (``.git``,
#: ``.venv``, ``.paperkb-*``) and the folders of tools (a data folder pointed at a project or at
#: ``/tmp`` must not read a virtual environment's or ``node_modules``' text files).
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "site-packages", "venv", "env"})


def skipped(name: str) -> bool:
    """Whether a folder of this name is left out of the knowledge base."""
    return name.startswith(".") or name in SKIPPED_DIRS


def data_files(root: Path, keep: Callable[[str], bool]) -> list[Path]:
    """The files under ``root`` whose name ``keep`` accepts, outside :func:`skipped` folders,
    sorted by their POSIX path relative to ``root`` (input order free)."""
    found: list[tuple[str, Path]] = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not skipped(d))
        base = Path(folder)
        for name in names:
            path = base / name
            if keep(name) and path.is_file():
                found.append((path.relative_to(root).as_posix(), path))
    return [path for _, path in sorted(found)]
