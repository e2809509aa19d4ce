"""The citation files keep the case a title needs, as real processors render them.

Citation styles re-case titles. The exports protect what must keep its case
(:mod:`generator.text.case`): braces in BibTeX, ``<span class="nocase">`` in CSL-JSON. Here the
shipped knowledge base's whole-base files are rendered by real processors with styles that change
case on purpose:

* BibTeX 0.99 (Debian's ``texlive-binaries``) with a style that makes titles sentence case the
  way ``plain.bst`` does (``tests/fixtures/citeproc/sentence.bst``);
* Pandoc's citeproc (Debian's ``pandoc``) with a CSL style that puts titles in lower case
  (``tests/fixtures/citeproc/lowercase.csl``), and with Pandoc's default style (Chicago), which
  title-cases them.

Each rendered title must be the title as the style would make it with the protected words as
written. The tools are installed by ``.ci/run``; without them the tests are skipped locally and
fail under ``CI=true``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from test_cite import unlatex

from generator.model import Paper
from generator.pipeline import make_plan
from generator.render.citations import ALL_NAME, cite_path
from generator.render.cite import cite_key
from generator.text.case import protected_words

ROOT = Path(__file__).resolve().parent.parent
STYLES = ROOT / "tests" / "fixtures" / "citeproc"
_PARTS = re.compile(r"([\W_]*)(.*?)([\W_]*)", re.DOTALL)


def need(tool: str) -> str:
    found = shutil.which(tool)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is missing: .ci/run installs it")
        pytest.skip(f"{tool} is not installed")
    return found


@cache
def shipped() -> tuple[dict[str, str], tuple[Paper, ...]]:
    plan = make_plan(ROOT / "data", parallel=False)
    files = {rel: plan.files[rel] for rel in plan.files if rel.startswith("cite/index.")}
    return files, plan.papers


def recased(title: str, change: str) -> str:
    """``title`` as a style changes it (``lower``: every letter; ``sentence``: BibTeX's "t",
    ASCII letters but the first and one after ": "), its protected words' cores as written."""
    words = " ".join(title.split()).split(" ")
    out = []
    for word, keep in zip(words, protected_words(" ".join(words)), strict=True):
        match = _PARTS.fullmatch(word)
        assert match is not None
        lead, core, trail = match.groups()
        lower = (lambda t: t.lower()) if change == "lower" else _ascii_lower
        out.append(lower(lead) + (core if keep else lower(core)) + lower(trail))
    text = " ".join(out)
    if change == "sentence":
        text = _keep_first_and_after_colon(" ".join(title.split()), text)
    return text


def _ascii_lower(text: str) -> str:
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


def _keep_first_and_after_colon(original: str, changed: str) -> str:
    """BibTeX's "t" keeps the first character, and the letter after a colon and spaces."""
    chars = list(changed)
    if chars:
        chars[0] = original[0]
    for match in re.finditer(r":\s+", original):
        if match.end() < len(chars):
            chars[match.end()] = original[match.end()]
    return "".join(chars)


def by_key(output: str) -> dict[str, str]:
    """``@@key`` lines followed by a title (BibTeX wraps long lines): key -> title."""
    found: dict[str, str] = {}
    for chunk in output.split("@@")[1:]:
        key, _, rest = (
            chunk.partition("\n") if "\n" in chunk.split(" ")[0] else chunk.partition(" ")
        )
        found[key.strip()] = " ".join(rest.split())
    return found


def test_bibtex_keeps_protected_words_as_written_in_sentence_case(tmp_path: Path) -> None:
    bibtex = need("bibtex")
    files, papers = shipped()
    (tmp_path / "kb.bib").write_text(files[cite_path(ALL_NAME, ".bib")], encoding="utf-8")
    shutil.copy(STYLES / "sentence.bst", tmp_path / "sentence.bst")
    (tmp_path / "t.aux").write_text(
        "\\citation{*}\n\\bibdata{kb}\n\\bibstyle{sentence}\n", encoding="utf-8"
    )
    env = dict(os.environ, BIBINPUTS=str(tmp_path), BSTINPUTS=str(tmp_path))
    done = subprocess.run(
        [bibtex, "-terse", "t"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rendered = by_key((tmp_path / "t.bbl").read_text(encoding="utf-8"))
    assert len(rendered) == len(papers)
    wrong = {
        cite_key(p): (unlatex(rendered[cite_key(p)]), recased(p.title, "sentence"))
        for p in papers
        if unlatex(rendered[cite_key(p)]) != recased(p.title, "sentence")
    }
    assert wrong == {}
    assert unlatex(rendered["2d-matryoshka-sentence-embeddings"]).startswith("2D matryoshka")


def _pandoc(tmp_path: Path, *style: str) -> str:
    pandoc = need("pandoc")
    files, _ = shipped()
    (tmp_path / "kb.json").write_text(files[cite_path(ALL_NAME, ".json")], encoding="utf-8")
    (tmp_path / "doc.md").write_text(
        '---\nbibliography: kb.json\nnocite: "@*"\n---\n', encoding="utf-8"
    )
    done = subprocess.run(
        [pandoc, "doc.md", "--citeproc", "-t", "plain", "--wrap=none", *style],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


#: Pandoc sets quotes typographically (and a title's 'quote' as a nested “quote”): not case,
#: and not what is compared.
QUOTES = str.maketrans(dict.fromkeys('‘’“”"', "'"))


def test_pandoc_keeps_protected_words_as_written_in_lower_case(tmp_path: Path) -> None:
    output = _pandoc(tmp_path, "--csl", str(STYLES / "lowercase.csl")).translate(QUOTES)
    rendered = by_key(output)
    _, papers = shipped()
    assert len(rendered) == len(papers)
    wrong = {
        cite_key(p): (rendered[cite_key(p)], expected)
        for p in papers
        if rendered[cite_key(p)] != (expected := recased(p.title, "lower").translate(QUOTES))
    }
    assert wrong == {}
    assert rendered["2d-matryoshka-sentence-embeddings"].startswith("2D matryoshka")


def test_pandoc_title_case_keeps_every_protected_word(tmp_path: Path) -> None:
    """Pandoc's default style (Chicago) title-cases: every protected word comes out as written
    (unprotected, ``2D`` came out ``2d``)."""
    output = " ".join(_pandoc(tmp_path).split())
    _, papers = shipped()
    missing = []
    for paper in papers:
        words = " ".join(paper.title.split()).split(" ")
        for word, keep in zip(words, protected_words(" ".join(words)), strict=True):
            match = _PARTS.fullmatch(word)
            assert match is not None
            if keep and match.group(2) not in output:
                missing.append((paper.id, match.group(2)))
    assert missing == []
    assert "2D Matryoshka" in output
