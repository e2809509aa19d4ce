"""Text no file can hold, a full disk, a run killed while it writes, files saved the Windows way
or in UTF-16: refused with their place, survived, or kept byte for byte; never a traceback
(issue 22, findings 5 and 6).
"""

from __future__ import annotations

import errno
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import BinaryIO

import pytest
from conftest import FIXTURES, MINIMAL_TAXONOMY, ROOT, MakeTree, abstract, listing

from generator.cli import SHOWN_REJECTED, main
from generator.writers import docs as write

PAPER = ("Fast Diffusion Sampling", abstract("diffusion"))
RECORD = {"paper": {"id": "2412.00001", "title": "A Record", "summary": abstract("records")}}


def _generate(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["generate", "--data", str(root / "data"), "--docs", str(root / "docs")])
    out, err = capsys.readouterr()
    return code, out, err


def _tree(make_tree: MakeTree, files: dict[str, str | bytes]) -> Path:
    base: dict[str, str | bytes] = {
        "data/topics.yaml": MINIMAL_TAXONOMY,
        "data/listings/a.txt": listing(PAPER),
    }
    return make_tree({**base, **files})


# --- text no file can hold ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "content", "where"),
    [
        (
            "data/records/r.json",
            '[{"paper": {"id": "2412.00001", "title": "T", "summary": "S"}},\n'
            ' {"paper": {"id": "2412.00002", "title": "Lone \\ud800", "summary": "S"}}]',
            "data/records/r.json:2: [1].paper.title: holds a lone surrogate (U+D800)",
        ),
        (
            "data/records/r.json",
            '{"paper": {"id": "2412.00001", "title": "T", "summary": "S", "x": ["\\udfff"]}}',
            "data/records/r.json:1: paper.x[0]: holds a lone surrogate (U+DFFF)",
        ),
        (
            "data/records/r.yaml",
            'title: A title\nabstract: "An abstract \\ud800 here."\n',
            "data/records/r.yaml:2: a string holds a lone surrogate (U+D800) at character 13",
        ),
        (
            "data/topics.yaml",
            MINIMAL_TAXONOMY + '  - name: "Lone \\U0000dc00"\n    description: d\n'
            "    match: {title: [lone]}\n",
            "data/topics.yaml:5: a string holds a lone surrogate (U+DC00)",
        ),
        (
            "data/overrides.yaml",
            'keep_apart:\n  - ["Fast Diffusion Sampling", "x\\ud800"]\n',
            "data/overrides.yaml:2: a string holds a lone surrogate (U+D800)",
        ),
        (
            "data/listings/b.txt",
            listing(("Title", abstract("x"))).encode() + b"\xed\xa0\x80\n",
            "data/listings/b.txt: not valid UTF-8 at byte offset",
        ),
        (
            "data/permalinks.tsv",
            b"fast-diffusion-sampling\tfastdiffusionsampling\tFast \xed\xa0\x80\n",
            "data/permalinks.tsv: not valid UTF-8 at byte offset 51",
        ),
    ],
)
def test_text_no_file_can_hold_is_refused_at_its_place_before_anything_is_written(
    make_tree: MakeTree,
    capsys: pytest.CaptureFixture[str],
    rel: str,
    content: str | bytes,
    where: str,
) -> None:
    root = _tree(make_tree, {rel: content})
    code, out, err = _generate(root, capsys)
    assert code == 1
    assert where.replace("data/", "", 1) in err, err
    assert "Traceback" not in err and out == ""
    assert not (root / "docs").exists()


def test_a_lone_surrogate_in_a_hub_answer_leaves_that_item_out_named(
    hub: object, make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    from hubstandin import FakeHub, data_dir, item, run, saved

    assert isinstance(hub, FakeHub)
    good, bad = item(1), item(2, title="Broken \ud800 title")
    bad["paper"]["\udc00key"] = 1
    body = f"[{json.dumps(good)}, {json.dumps(bad)}]"  # escapes: \ud800 in the JSON
    from hubstandin import Reply

    hub.script = [Reply(body=body.encode())]
    data = data_dir(make_tree)
    code, out, err = run(capsys, "--data", str(data), "--date", "2024-12-03")
    assert (code, err) == (0, "")
    assert "2024-12-03: item 1 (id '2412.00002') left out: " in out
    assert "paper.title: holds a lone surrogate (U+D800)" in out
    assert "paper: a key holds a lone surrogate (U+DC00)" in out
    assert json.loads(saved(data).read_bytes()) == [good]


def test_output_the_terminal_cannot_show_is_escaped_not_a_crash(
    make_tree: MakeTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    raw = io.BytesIO()
    ascii_out = io.TextIOWrapper(raw, encoding="ascii")  # a terminal in a non-UTF-8 locale
    monkeypatch.setattr(sys, "stdout", ascii_out)
    root = _tree(make_tree, {"data/topics.yaml": MINIMAL_TAXONOMY.replace("Diffusion", "Difusión")})
    code = main(["topics", "--data", str(root / "data")])
    ascii_out.flush()
    assert code == 0
    assert b"(Difusi\\xf3n)" in raw.getvalue()


# --- a full disk ----------------------------------------------------------------------------------


def _full_after(count: int) -> object:
    calls = [0]

    def fill(handle: BinaryIO, data: bytes) -> None:
        calls[0] += 1
        if calls[0] > count:
            raise OSError(errno.ENOSPC, "No space left on device")
        handle.write(data)

    return fill


def test_a_full_disk_is_an_error_message_and_leaves_every_file_whole(
    make_tree: MakeTree,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    root = _tree(make_tree, {"data/listings/b.txt": listing(("Video Diffusion", abstract("v")))})
    assert _generate(root, capsys)[0] == 0
    old = _files(root / "docs")
    (root / "data" / "listings" / "c.txt").write_text(
        listing(("Audio Diffusion", abstract("audio"))), encoding="utf-8"
    )
    registry = (root / "data" / "permalinks.tsv").read_bytes()
    expected = tmp_path / "expected"
    shutil.copytree(root, expected)
    assert _generate(expected, capsys)[0] == 0
    new = _files(expected / "docs")
    monkeypatch.setattr(write, "fill", _full_after(3))
    code, _, err = _generate(root, capsys)
    assert code == 1
    assert "paperkb: error: " in err and "No space left on device" in err
    assert "Traceback" not in err
    assert (root / "data" / "permalinks.tsv").read_bytes() == registry  # the data is intact
    assert not list(root.rglob("*.tmp"))
    now = _files(root / "docs")
    assert now != old  # three files were written before the disk was full
    for rel, digest in now.items():  # every file whole: as it was, or the new run's
        assert digest in (old.get(rel), new.get(rel)), rel
    monkeypatch.undo()
    assert _generate(root, capsys)[0] == 0  # room again: the next run completes
    assert _files(root / "docs") == new


def test_a_full_disk_while_fetch_saves_a_day_is_an_error_message(
    hub: object,
    make_tree: MakeTree,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hubstandin import FakeHub, data_dir, item, run, saved

    assert isinstance(hub, FakeHub)
    hub.days["2024-12-03"] = [item(1)]
    data = data_dir(make_tree)
    monkeypatch.setattr(write, "fill", _full_after(0))
    code, _, err = run(capsys, "--data", str(data), "--date", "2024-12-03")
    assert code == 1
    assert "2024-12-03.json: cannot write it: No space left on device" in err
    assert "Traceback" not in err
    assert not saved(data).exists() and not list(data.rglob("*.tmp"))


# --- a run killed while it writes -----------------------------------------------------------------

_KILLED = """
import os, signal, sys
from generator.writers import docs as write
from generator.cli import main

real, calls = write.fill, [0]

def fill(handle, data):
    calls[0] += 1
    if calls[0] > int(sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)
    real(handle, data)

write.fill = fill
root = sys.argv[1]
main(["generate", "--one-process", "--data", root + "/data", "--docs", root + "/docs"])
"""


def _files(docs: Path) -> dict[str, str]:
    """Digests of the generated files (the manifest holds times: build state, not output)."""
    return {
        p.relative_to(docs).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(docs.rglob("*"))
        if p.is_file() and p.name != ".paperkb-manifest.json"
    }


def test_kill_9_during_the_write_stage_leaves_every_file_old_or_new_and_the_next_run_ends_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's promise: each file is whole (the old one or the new one), never half; the
    next run removes the temporary files and makes docs/ exactly the new output."""
    project = tmp_path / "p"
    shutil.copytree(FIXTURES / "small", project / "data")
    assert _generate(project, capsys)[0] == 0
    old = _files(project / "docs")
    extra = listing(
        *[(f"Diffusion Study {n}", abstract(f"diffusion study {n}", n)) for n in range(30)]
    )
    (project / "data" / "listings" / "zz-new.txt").write_text(extra, encoding="utf-8")
    expected = tmp_path / "expected"
    shutil.copytree(project, expected)
    assert _generate(expected, capsys)[0] == 0
    new = _files(expected / "docs")

    killed = subprocess.run(
        [sys.executable, "-c", _KILLED, str(project), "25"], cwd=ROOT, capture_output=True
    )
    assert killed.returncode == -9, killed.stderr
    now = _files(project / "docs")
    temporary = [rel for rel in now if rel.endswith(".tmp")]
    mixed = {rel: digest for rel, digest in now.items() if rel not in temporary}
    assert any(old.get(rel) != digest for rel, digest in mixed.items())  # it had started
    assert any(new.get(rel) != digest for rel, digest in mixed.items())  # and not finished
    for rel, digest in mixed.items():
        assert digest in (old.get(rel), new.get(rel)), rel
    assert not (project / "docs" / ".paperkb-manifest.json").exists()  # the next run runs

    assert _generate(project, capsys)[0] == 0
    assert _files(project / "docs") == new
    assert (project / "data" / "permalinks.tsv").read_bytes() == (
        expected / "data" / "permalinks.tsv"
    ).read_bytes()


# --- files saved the Windows way, or in UTF-16 --------------------------------------------------


def test_a_registry_with_a_bom_and_crlf_is_read_and_kept_byte_for_byte(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = (
        "\ufeff# my registry\r\n"
        "fast-diffusion-sampling\tfastdiffusionsampling\tFast Diffusion Sampling\r\n"
    )
    root = _tree(
        make_tree,
        {
            "data/permalinks.tsv": saved.encode("utf-8"),
            "data/listings/b.txt": listing(("Video Diffusion", abstract("video"))),
        },
    )
    code, _, err = _generate(root, capsys)
    assert (code, err) == (0, "")
    after = (root / "data" / "permalinks.tsv").read_bytes()
    assert after.startswith(saved.encode("utf-8"))  # kept byte for byte, BOM included
    added = after[len(saved.encode("utf-8")) :]
    assert added == b"video-diffusion\tvideodiffusion\tVideo Diffusion\r\n"  # CRLF like the file
    assert (root / "docs" / "papers" / "fast-diffusion-sampling.md").exists()  # its id is read


def test_a_utf16_listing_is_named_as_utf16_and_asked_for_in_utf8(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    text = listing(("Video Diffusion", abstract("video")))
    root = _tree(
        make_tree,
        {
            "data/listings/le.txt": text.encode("utf-16"),  # with its byte order mark
            "data/listings/be.txt": text.encode("utf-16-be"),  # without one
        },
    )
    code, _, err = _generate(root, capsys)
    assert code == 1
    assert (
        "listings/le.txt: UTF-16 text, not UTF-8: UTF-16 LE (it starts with the byte order "
        "mark FF FE); save it as UTF-8" in err
    )
    assert (
        "listings/be.txt: UTF-16 text, not UTF-8: UTF-16 BE (a NUL byte in every other byte)" in err
    )
    assert "NUL byte at byte offset" not in err


def test_rejected_entries_print_a_bounded_number_of_lines(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    titles = "".join(f"A Lone Title Number {n} Without Abstract\n\n" for n in range(500))
    root = _tree(make_tree, {"data/listings/b.txt": listing(PAPER) + titles})
    code, out, _ = _generate(root, capsys)
    assert code == 0
    lines = [line for line in out.splitlines() if line.startswith("  rejected: ")]
    assert len(lines) == SHOWN_REJECTED + 1
    assert lines[-1] == (
        f"  rejected: ... and {500 - SHOWN_REJECTED} more "
        "(all of them in docs/papers.json: account.rejected_entries)"
    )
    account = json.loads((root / "docs" / "papers.json").read_text(encoding="utf-8"))
    assert len(account["account"]["rejected_entries"]) == 500
