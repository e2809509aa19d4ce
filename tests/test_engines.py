"""Engine insurance (issue 28): CI builds the site with ProperDocs too and lists every
difference from MkDocs' build (``scripts/compare-engines``, ``scripts/compare_sites.py``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from conftest import ROOT


def compare_sites() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "compare_sites", ROOT / "scripts" / "compare_sites.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PAGE = (
    '<html><head><meta name="generator" content="{}"><title>T</title></head><body>{}</body></html>'
)


def site(root: Path, pages: dict[str, str]) -> Path:
    for rel, text in pages.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_only_the_generator_tag_may_differ(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    compare = compare_sites().compare
    a = site(tmp_path / "a", {"index.html": PAGE.format("mkdocs-1.6.1", "x"), "s.js": "1"})
    b = site(
        tmp_path / "b", {"index.html": PAGE.format("mkdocs-ProperDocs 1.6.7", "x"), "s.js": "1"}
    )
    assert compare(a, b) == 0
    assert "1 identical, 1 differing only in the generator meta tag, 0 differing otherwise" in (
        capsys.readouterr().out
    )
    (b / "index.html").write_text(PAGE.format("x", "y"), encoding="utf-8")
    (b / "extra.html").write_text("", encoding="utf-8")
    assert compare(a, b) == 1
    out = capsys.readouterr().out
    assert "differs: index.html" in out and "+<body>y</body>" in out
    assert f"only in {b}: extra.html" in out


def test_pull_requests_build_the_site_with_properdocs_too() -> None:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pull-request.yml").read_text())
    job = workflow["jobs"]["engines"]
    assert [step.get("run") for step in job["steps"]][-1] == "./scripts/compare-engines"
    script = (ROOT / "scripts" / "compare-engines").read_text(encoding="utf-8")
    assert '"$engine/bin/properdocs" build --strict' in script
    assert "-m mkdocs build --strict" in script
    assert "scripts/compare_sites.py" in script
