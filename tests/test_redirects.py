"""Published URLs keep working when papers are merged later or removed (issue 5)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import DATA, make_project

from generator.cli import main

pytestmark = pytest.mark.slow

SURVIVOR = "graph-mamba-towards-learning-on-graphs-with-state-space-models"
#: Two shipped papers without an arXiv id (papers with two different ids are never merged).
FIRST = "0-1-data-makes-segment-anything-slim"
SECOND = "dragonfly-multi-resolution-zoom-supercharges-large-visual-language-model"


def build(root: Path) -> int:
    return main(["build", "--data", str(root / "data"), "--config", str(root / "mkdocs.yml")])


def test_merging_two_published_papers_keeps_the_old_url_as_a_redirect(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(tmp_path / "project")
    registry = (root / "data" / "permalinks.tsv").read_text(encoding="utf-8")
    assert f"\n{FIRST}\t" in registry
    assert f"\n{SECOND}\t" in registry
    (root / "data" / "overrides.yaml").write_text(
        f"merge:\n  - [{SECOND}, {FIRST}]\n", encoding="utf-8"
    )
    assert build(root) == 0
    capsys.readouterr()

    site = root / "site"
    record = json.loads((site / "papers.json").read_text(encoding="utf-8"))
    ids = {p["id"] for p in record["papers"]}
    assert len(ids) == 312
    kept, gone = sorted([FIRST, SECOND], key=registry.index)
    assert kept in ids
    assert gone not in ids
    assert record["redirects"] == {gone: f"papers/{kept}.html"}
    page = (site / "papers" / f"{gone}.html").read_text(encoding="utf-8")
    assert re.search(rf'<meta http-equiv="refresh" content="0; url={kept}\.html">', page)
    assert (site / "papers" / f"{kept}.html").is_file()
    # the registry is append-only: merging changes no row
    assert (root / "data" / "permalinks.tsv").read_text(encoding="utf-8") == registry


def test_a_removed_paper_needs_a_redirect_and_gets_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(tmp_path / "project")
    listings = root / "data" / "listings"
    removed = sorted(listings.glob("*.txt"))[-1]
    shutil.move(removed, tmp_path / removed.name)
    # its papers' annotations go with it (an annotation that names no paper is an error)
    annotations = root / "data" / "records" / "annotations" / f"{removed.stem}.yaml"
    shutil.move(annotations, tmp_path / annotations.name)
    assert main(["check", "--data", str(root / "data"), "--config", str(root / "mkdocs.yml")]) == 1
    err = capsys.readouterr().err
    assert "permalinks.tsv:" in err
    assert "was published but no paper in data/ has it any more" in err
    retired = re.findall(r"id '([a-z0-9-]+)' was published", err)
    assert retired
    lines = "\n".join(f"  {old}: {SURVIVOR}" for old in retired)
    (root / "data" / "overrides.yaml").write_text(f"redirects:\n{lines}\n", encoding="utf-8")
    assert build(root) == 0
    for old in retired:
        page = (root / "site" / "papers" / f"{old}.html").read_text(encoding="utf-8")
        assert f"url={SURVIVOR}.html" in page


def test_a_redirect_to_nowhere_is_an_error_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_project(tmp_path / "project")
    (root / "data" / "overrides.yaml").write_text(
        f"# comment\nredirects:\n  {SURVIVOR}: nowhere\n", encoding="utf-8"
    )
    assert main(["generate", "--data", str(root / "data"), "--docs", str(root / "docs")]) == 1
    err = capsys.readouterr().err
    assert f"overrides.yaml:3: redirect of '{SURVIVOR}' is not needed: it still has a page" in err


def test_dedupe_report_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dedupe", "--report", "--data", str(DATA)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("381 entries read: 313 distinct papers, 68 duplicates merged")
    assert "# Merge report" in out
    assert "53 papers were read more than once" in out
    assert "&#" not in out
