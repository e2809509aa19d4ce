"""The run manifest: an unchanged regenerate skips the pipeline, anything else runs it."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest
from conftest import MINIMAL_TAXONOMY, MakeTree, abstract, listing

import generator
from generator.pipeline import generate
from generator.writers import manifest


@pytest.fixture
def project(make_tree: MakeTree) -> Path:
    return make_tree(
        {
            "data/listings/a.txt": listing(
                ("Diffusion One", abstract("diffusion")), ("Other", abstract("other", 2))
            ),
            "data/topics.yaml": MINIMAL_TAXONOMY,
        }
    )


def run(root: Path, *, strict: bool = False, reuse: bool = True) -> tuple[bool, int, int]:
    result = generate(root / "data", root / "docs", strict=strict, reuse=reuse)
    return result.plan is None, len(result.report.written), len(result.report.unchanged)


def test_unchanged_inputs_skip_the_pipeline_and_write_nothing(project: Path) -> None:
    skipped, written, _ = run(project)
    assert not skipped and written > 5
    before = {p: p.read_bytes() for p in (project / "docs").rglob("*") if p.is_file()}
    skipped, written, unchanged = run(project)
    assert skipped and written == 0 and unchanged == len(before) - 1  # all but the manifest
    after = {p: p.read_bytes() for p in (project / "docs").rglob("*") if p.is_file()}
    assert after == before
    # a full run agrees: same inputs, nothing to write
    skipped, written, _ = run(project, reuse=False)
    assert not skipped and written == 0


def test_a_changed_listing_runs_the_pipeline(project: Path) -> None:
    run(project)
    path = project / "data" / "listings" / "b.txt"
    path.write_text(listing(("Brand New", abstract("new", 3))), encoding="utf-8")
    skipped, written, _ = run(project)
    assert not skipped and written > 0


def test_a_touched_or_deleted_generated_file_is_restored(project: Path) -> None:
    run(project)
    docs = project / "docs"
    page = next((docs / "papers").glob("diffusion-one.md"))
    original = page.read_bytes()
    page.write_bytes(original + b"edited\n")
    skipped, written, _ = run(project)
    assert not skipped and written == 1 and page.read_bytes() == original
    (docs / "index.md").unlink()
    skipped, written, _ = run(project)
    assert not skipped and written == 1


def test_strict_and_code_are_part_of_the_fingerprint(project: Path) -> None:
    data = project / "data"
    plain = manifest.fingerprint(data, strict=False)
    assert plain == manifest.fingerprint(data, strict=False)
    assert plain != manifest.fingerprint(data, strict=True)
    run(project)
    skipped, _, _ = run(project, strict=True)
    assert not skipped


def test_a_change_in_a_subpackage_changes_the_fingerprint(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fingerprint hashes the whole package, not only generator/*.py."""
    code = tmp_path / "code" / "generator"
    shutil.copytree(
        Path(generator.__file__).parent, code, ignore=shutil.ignore_patterns("__pycache__")
    )
    monkeypatch.setattr(generator, "__file__", str(code / "__init__.py"))
    data = project / "data"
    before = manifest.fingerprint(data, strict=False)
    deep = code / "render" / "site.py"
    deep.write_text(deep.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert manifest.fingerprint(data, strict=False) != before


def test_a_broken_manifest_means_a_full_run(project: Path) -> None:
    run(project)
    (project / "docs" / manifest.MANIFEST_FILE).write_text("{not json", encoding="utf-8")
    skipped, written, _ = run(project)
    assert not skipped and written == 0


def test_a_failed_run_leaves_no_manifest(project: Path) -> None:
    run(project)
    docs = project / "docs"
    (docs / "papers" / "diffusion-one.md").write_text("hand-written\n", encoding="utf-8")
    os.utime(docs / "papers" / "diffusion-one.md", ns=(1, 1))
    with pytest.raises(Exception, match="not generated"):
        run(project)
    assert not (docs / manifest.MANIFEST_FILE).exists()


def test_the_cycle_collector_gets_everything_back_after_a_run(project: Path) -> None:
    """generate freezes the heap at each stage start (pipeline.settled_heap) and must unfreeze
    it whether the run succeeds or fails, or a long-lived process would never collect again."""
    import gc

    from generator.errors import InputError

    seen: list[int] = []

    def hook(name: str) -> contextlib.AbstractContextManager[object]:
        seen.append(gc.get_freeze_count())
        return contextlib.nullcontext()

    generate(project / "data", project / "docs", reuse=False, stage=hook)
    assert seen and max(seen) > 0  # frozen while it ran
    assert gc.get_freeze_count() == 0
    (project / "data" / "topics.yaml").write_text("not: [a taxonomy\n")
    with pytest.raises(InputError):
        generate(project / "data", project / "docs", reuse=False)
    assert gc.get_freeze_count() == 0
