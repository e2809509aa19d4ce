"""Write stage: atomic, idempotent, and never touching what paperkb did not make."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.errors import WriteError
from generator.layout import MARKER
from generator.writers.docs import write_docs

PAGE = MARKER + "# Page\n"


def test_writes_then_writes_nothing_the_second_time(tmp_path: Path) -> None:
    files = {"papers/a.md": PAGE, "index.md": PAGE}
    first = write_docs(tmp_path, files)
    assert first.written == ("index.md", "papers/a.md")
    stamp = (tmp_path / "papers/a.md").stat().st_mtime_ns
    os.utime(tmp_path / "papers/a.md", ns=(stamp - 10**9, stamp - 10**9))
    second = write_docs(tmp_path, files)
    assert second.written == ()
    assert second.unchanged == ("index.md", "papers/a.md")
    assert (tmp_path / "papers/a.md").stat().st_mtime_ns == stamp - 10**9


def test_changed_content_is_rewritten_and_stale_generated_files_removed(tmp_path: Path) -> None:
    write_docs(tmp_path, {"papers/a.md": PAGE, "papers/old.md": PAGE, "topics/x/y.md": PAGE})
    report = write_docs(tmp_path, {"papers/a.md": PAGE + "changed\n"})
    assert report.written == ("papers/a.md",)
    assert report.deleted == ("papers/old.md", "topics/x/y.md")
    assert not (tmp_path / "topics").exists()
    assert not list(tmp_path.rglob("*.tmp"))


def test_hand_written_files_are_never_touched(tmp_path: Path) -> None:
    (tmp_path / "papers").mkdir()
    mine = tmp_path / "papers" / "notes.md"
    mine.write_text("# My notes\n")
    about = tmp_path / "about.md"
    about.write_text("# About\n")
    report = write_docs(tmp_path, {"papers/a.md": PAGE})
    assert report.kept == ("papers/notes.md",)
    assert mine.read_text() == "# My notes\n"
    assert about.read_text() == "# About\n"


def test_refuses_to_overwrite_a_hand_written_file_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "index.md").write_text("# Hand-written home\n")
    with pytest.raises(WriteError, match=r"index\.md"):
        write_docs(tmp_path, {"papers/a.md": PAGE, "index.md": PAGE})
    assert not (tmp_path / "papers").exists()
    assert (tmp_path / "index.md").read_text() == "# Hand-written home\n"


def test_refuses_paths_outside_docs(tmp_path: Path) -> None:
    with pytest.raises(WriteError, match="outside"):
        write_docs(tmp_path / "docs", {"../evil.md": PAGE})
    assert not (tmp_path / "evil.md").exists()


def test_the_marker_of_papers_json_comes_first_however_long_the_account() -> None:
    from generator.account import Account
    from generator.errors import Problem
    from generator.layout import MARKER_LINES
    from generator.render.papers_json import render_json

    account = Account(
        listings=1, entries=500, papers=0, merged=0, rejected=500, topics=0, unsorted=0
    )
    rejected = [
        Problem("listings/a.txt", n, "title with no abstract: " + "x" * 80) for n in range(500)
    ]
    content = render_json([], account, rejected).encode()
    first, second = content.split(b"\n", 2)[:2]
    assert (first, second in MARKER_LINES) == (b"{", True)


def test_a_temporary_file_left_by_a_killed_run_does_not_block_the_next(tmp_path: Path) -> None:
    import os

    from generator.writers.docs import write_atomic

    target = tmp_path / "papers" / "a.md"
    target.parent.mkdir()
    stale = target.with_name(f".a.md.{os.getpid()}.tmp")
    stale.write_text("half a file")
    write_atomic(target, b"whole")
    assert target.read_bytes() == b"whole"
    assert not stale.exists()
    assert sorted(p.name for p in target.parent.iterdir()) == ["a.md"]


def test_new_folders_are_made_and_no_temporary_file_stays(tmp_path: Path) -> None:
    from generator.writers.docs import write_atomic

    target = tmp_path / "a" / "b" / "c.md"
    write_atomic(target, b"x")
    assert target.read_bytes() == b"x"
    assert [p.name for p in target.parent.iterdir()] == ["c.md"]


def test_a_failed_write_stops_the_run_with_the_error(tmp_path: Path) -> None:
    """Files are written by worker threads; an error in one still reaches the caller."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "topics").write_text("a file where a folder must go")
    pages = {"papers/a.md": PAGE, "topics/b.md": PAGE, "zebra.md": PAGE}
    with pytest.raises(WriteError, match=r"topics/b\.md: cannot write it: Not a directory"):
        write_docs(docs, pages)


def test_many_files_are_written_in_path_order_in_the_report(tmp_path: Path) -> None:
    pages = {f"papers/p{n:04d}.md": PAGE + str(n) for n in range(600)}
    report = write_docs(tmp_path, pages)
    assert list(report.written) == sorted(pages)
    assert all((tmp_path / rel).read_text() == pages[rel] for rel in pages)
