"""The site build on every core (issue 28): the same bytes as MkDocs' own one-process build,
every worker's warnings counted, a dead worker a failed build, no worker outliving the build.
And the hooks are only optimizations: the site built without them is the same site."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT, make_project

from generator.cli import main
from generator.errors import BuildError
from generator.sitebuild import engine, parallel
from generator.sitebuild.engine import build_site

pytestmark = pytest.mark.slow


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by its relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def generated(root: Path, data: Path | None = None) -> Path:
    """A project at ``root`` with ``data`` (the shipped data) and its docs/ generated."""
    if data is None:
        make_project(root)
    else:
        make_project(root, data)
    assert main(["generate", "--data", str(root / "data"), "--docs", str(root / "docs")]) == 0
    return root


@pytest.fixture(autouse=True)
def same_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """One build date for every build (the sitemap's dates), whenever midnight passes."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")


def assert_same_site(one: Path, other: Path) -> None:
    a, b = tree(one), tree(other)
    assert sorted(a) == sorted(b)
    assert [rel for rel in a if a[rel] != b[rel]] == []


def test_the_parallel_site_is_byte_identical_on_the_shipped_data(tmp_path: Path) -> None:
    project = generated(tmp_path / "project")
    config = project / "mkdocs.yml"
    serial = build_site(config, tmp_path / "serial", processes=1, show=False)
    split = build_site(config, tmp_path / "split", processes=2, show=False)
    assert (serial.processes, split.processes) == (1, 2)
    assert split.timing is not None and sum(split.timing.worker_pages) == split.pages > 300
    assert all(pages > 0 for pages in split.timing.worker_pages)
    assert_same_site(tmp_path / "serial", tmp_path / "split")


def test_the_parallel_site_is_byte_identical_on_a_synthetic_corpus(tmp_path: Path) -> None:
    from benchmarks import synth

    made = synth.corpus(600, stuff=synth.material())
    project = synth.make_project(tmp_path / "project", made.listings)
    assert main(["generate", "--data", str(project / "data"), "--docs", str(project / "docs")]) == 0
    config = project / "mkdocs.yml"
    build_site(config, tmp_path / "serial", processes=1, show=False)
    split = build_site(config, tmp_path / "split", processes=3, show=False)
    assert split.processes == 3
    assert_same_site(tmp_path / "serial", tmp_path / "split")


def small(tmp_path: Path) -> Path:
    return generated(tmp_path / "project", FIXTURES / "small")


def add_hook(project: Path, name: str, source: str) -> None:
    (project / "hooks" / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("hooks:\n", f"hooks:\n  - hooks/{name}.py\n"),
        encoding="utf-8",
    )


def test_every_workers_warnings_count_and_come_in_page_order(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = small(tmp_path)
    notes = project / "docs" / "notes"
    notes.mkdir()
    for n in range(40):  # pages out of the nav: populated and built by the workers
        link = f"\n[broken](gone-{n}.md)\n" if n in (3, 36) else ""
        (notes / f"n{n:02}.md").write_text(f"# Note {n}\n{link}", encoding="utf-8")
    with pytest.raises(BuildError) as failed:
        build_site(project / "mkdocs.yml", tmp_path / "site", processes=2)
    message = str(failed.value)
    assert "(2 warnings or errors)" in message
    assert message.index("gone-3.md") < message.index("gone-36.md")
    err = capsys.readouterr().err
    assert err.count("  mkdocs: WARNING: ") == 2
    assert not (tmp_path / "site").exists()


def test_an_anchor_missing_from_a_page_a_worker_built_fails_the_build(tmp_path: Path) -> None:
    project = small(tmp_path)
    notes = project / "docs" / "notes"
    notes.mkdir()
    for n in range(30):
        (notes / f"n{n:02}.md").write_text(f"# Note {n}\n\n## Part\n", encoding="utf-8")
    (notes / "n00.md").write_text("# Note 0\n\n[ok](n29.md#part) [gone](n29.md#nowhere)\n")
    with pytest.raises(BuildError) as failed:
        build_site(project / "mkdocs.yml", tmp_path / "site", processes=2, show=False)
    assert "(1 warnings or errors)" in str(failed.value)
    assert "the doc 'notes/n29.md' does not contain an anchor '#nowhere'" in str(failed.value)


def test_a_page_named_like_a_template_wins_as_in_mkdocs(tmp_path: Path) -> None:
    project = small(tmp_path)
    (project / "docs" / "404.md").write_text("# Lost\n\nA page of our own.\n")
    build_site(project / "mkdocs.yml", tmp_path / "serial", processes=1, show=False)
    build_site(project / "mkdocs.yml", tmp_path / "split", processes=2, show=False)
    assert "A page of our own." in (tmp_path / "split" / "404.html").read_text()
    assert_same_site(tmp_path / "serial", tmp_path / "split")


def test_pages_cached_per_folder_are_the_same_with_a_footer_that_links_pages(
    tmp_path: Path,
) -> None:
    """With Material's previous / next links in the footer, pages in the nav get their own."""
    project = small(tmp_path)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    footer = text.replace(
        "    - content.code.copy\n", "    - content.code.copy\n    - navigation.footer\n"
    )
    assert footer != text
    config.write_text(footer, encoding="utf-8")
    plain = project / "mkdocs-plain.yml"
    plain.write_text(footer.replace("  - hooks/nav_cache.py\n", ""), encoding="utf-8")
    build_site(config, tmp_path / "cached", processes=2, show=False)
    build_site(plain, tmp_path / "plain", processes=2, show=False)
    assert "md-footer__link--next" in (tmp_path / "cached" / "index.html").read_text()
    assert_same_site(tmp_path / "cached", tmp_path / "plain")


KILLER = """\
    import os
    import signal

    PARALLEL_SAFE = True


    def on_page_markdown(markdown, page, config, files):
        if page.file.src_uri == "papers/zz-last.md" and os.getpid() != int(os.environ["PARENT"]):
            os.kill(os.getpid(), signal.SIGKILL)
        return markdown
"""


def test_a_worker_that_dies_fails_the_build_and_leaves_the_last_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = small(tmp_path)
    site = tmp_path / "site"
    build_site(project / "mkdocs.yml", site, processes=2, show=False)
    before = tree(site)
    add_hook(project, "killer", KILLER)
    (project / "docs" / "papers" / "zz-last.md").write_text("# Last\n", encoding="utf-8")
    monkeypatch.setenv("PARENT", str(os.getpid()))
    with pytest.raises(BuildError) as failed:
        build_site(project / "mkdocs.yml", site, processes=2, show=False)
    assert "stopped without a result (exit code -9" in str(failed.value)
    assert "the previous site is left as it was" in str(failed.value)
    assert tree(site) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []


SLOW = """\
    import os
    import time

    PARALLEL_SAFE = True


    def on_page_markdown(markdown, page, config, files):
        if os.getpid() != int(os.environ["PARENT"]):
            time.sleep(2)  # a worker would live for a minute after its parent
        return markdown
"""


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forks on Linux")
def test_the_workers_die_with_their_killed_parent(tmp_path: Path) -> None:
    project = small(tmp_path)
    site = tmp_path / "site"
    build_site(project / "mkdocs.yml", site, processes=2, show=False)
    before = tree(site)
    add_hook(project, "slow", SLOW)
    script = (
        "import os, sys; from pathlib import Path; os.environ['PARENT'] = str(os.getpid()); "
        "from generator.sitebuild.engine import build_site; "
        "build_site(Path(sys.argv[1]), Path(sys.argv[2]), processes=2)"
    )
    build = subprocess.Popen(
        [sys.executable, "-c", script, str(project / "mkdocs.yml"), str(site)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Killed once the workers build pages (they have the nav's pages: nothing left to wait for).
    staging = tmp_path / f".site.new-{build.pid}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (
        len(_children(build.pid)) == 2 and any(staging.glob("papers/*.html"))
    ):
        time.sleep(0.02)
    workers = _children(build.pid)
    assert len(workers) == 2, "the workers never started"
    build.send_signal(signal.SIGKILL)
    assert build.wait() == -signal.SIGKILL
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in workers if _alive(pid)] == []
    assert tree(site) == before


def test_only_plugins_that_keep_no_state_or_known_state_are_split(tmp_path: Path) -> None:
    from mkdocs.config import load_config

    project = small(tmp_path)
    config_file = project / "mkdocs.yml"
    shipped = load_config(str(config_file))
    assert parallel.unsplittable(shipped) is None
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text.replace("plugins: []", "plugins: [tags]"), encoding="utf-8")
    assert "plugin material/tags may keep state" in str(
        parallel.unsplittable(load_config(str(config_file)))
    )
    built = build_site(config_file, tmp_path / "site", processes=2, show=False)
    assert built.processes == 1 and "plugin material/tags" in str(built.serial_reason)
    add_hook(
        project, "stateful", "def on_page_markdown(markdown, **kwargs):\n    return markdown\n"
    )
    config_file.write_text(text.replace("hooks:\n", "hooks:\n  - hooks/stateful.py\n"))
    reason = parallel.unsplittable(load_config(str(config_file)))
    assert reason == "hook hooks/stateful.py does not say PARALLEL_SAFE = True"


def test_the_search_plugins_index_is_carried_back_from_the_workers(tmp_path: Path) -> None:
    project = small(tmp_path)
    config_file = project / "mkdocs.yml"
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(text.replace("plugins: []", "plugins: [search]"), encoding="utf-8")
    build_site(config_file, tmp_path / "serial", processes=1, show=False)
    split = build_site(config_file, tmp_path / "split", processes=2, show=False)
    assert split.processes == 2
    index = tmp_path / "split" / "search" / "search_index.json"
    assert index.stat().st_size > 10_000  # every page's sections, not one worker's
    assert_same_site(tmp_path / "serial", tmp_path / "split")


def test_one_process_reaches_the_site_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import cli

    project = make_project(tmp_path / "project", FIXTURES / "small")
    seen: list[int | None] = []

    def spy(*args: Any, **kwargs: Any) -> engine.Built:
        seen.append(kwargs["processes"])
        return build_site(*args, **kwargs)

    monkeypatch.setattr(cli, "build_site", spy)
    argv = ["--data", str(project / "data"), "--config", str(project / "mkdocs.yml")]
    assert main(["build", *argv]) == 0
    assert main(["build", "--one-process", *argv]) == 0
    assert main(["check", "--one-process", *argv]) == 0
    assert seen == [None, 1, 1]
