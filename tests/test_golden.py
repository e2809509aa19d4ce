"""Golden files: the generated Markdown of a small fixture corpus, byte for byte.

Refresh after an intended change with one command, then review the diff:

    PAPERKB_REFRESH_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from conftest import FIXTURES

from generator.pipeline import generate
from generator.writers.manifest import MANIFEST_FILE

SMALL = FIXTURES / "small"
GOLDEN = Path(__file__).resolve().parent / "golden" / "small"


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != MANIFEST_FILE  # build state with mtimes, not output
    }


def test_generated_markdown_matches_golden_files(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    docs = tmp_path / "docs"
    generate(data, docs)
    produced = _tree(docs) | {"permalinks.tsv": (data / "permalinks.tsv").read_bytes()}
    if os.environ.get("PAPERKB_REFRESH_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, content in produced.items():
            (GOLDEN / rel).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / rel).write_bytes(content)
    expected = _tree(GOLDEN)
    assert sorted(produced) == sorted(expected), "file set differs: refresh and review the diff"
    for rel, content in expected.items():
        assert produced[rel].decode() == content.decode(), f"{rel} differs from its golden file"
