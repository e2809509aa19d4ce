"""paperkb's copies of Material for MkDocs' templates still match what they were copied from.

A file in ``overrides/`` made from one of Material's templates names it in a line of its header
comment, with the SHA-256 of the original it was made from:

* ``paperkb-copy-of: material <version> <path> sha256:<hex>``: a copy of the whole template;
  every place it differs from the original is marked ``paperkb`` (a Jinja comment in the
  changed lines);
* ``paperkb-part-of: ...``: lines moved out of the template; each, apart from paperkb's own
  comments, is a line of the original, in the original's order (indentation aside);
* ``paperkb-replaces: ...``: paperkb's own markup in the template's place (the original's
  hash is still checked, so a change to it is seen).

When Material is upgraded and one of these originals changed, the test fails and names the
file to re-sync; after re-syncing, update the line with the new hash.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from pathlib import Path

import material
import pytest

ROOT = Path(__file__).resolve().parent.parent
OVERRIDES = ROOT / "overrides"
TEMPLATES = Path(material.__file__).resolve().parent / "templates"
ORIGIN = re.compile(
    r"paperkb-(?P<kind>copy-of|part-of|replaces): material (?P<version>\S+) (?P<path>\S+) "
    r"sha256:(?P<sha>[0-9a-f]{64})"
)
HEADER = re.compile(r"\A\{#-.*?-#\}\n", re.DOTALL)


def copies() -> list[tuple[Path, re.Match[str]]]:
    found = []
    for path in sorted(OVERRIDES.rglob("*.html")):
        match = ORIGIN.search(path.read_text(encoding="utf-8"))
        if match:
            found.append((path, match))
    return found


def body(text: str) -> list[str]:
    """A template's lines after its leading ``{#- ... -#}`` comment."""
    return HEADER.sub("", text, count=1).splitlines()


def unmarked_changes(original: str, copy: str) -> list[str]:
    """The hunks where ``copy`` differs from ``original`` without saying ``paperkb``."""
    old, new = body(original), body(copy)
    found = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag != "equal" and not any("paperkb" in line for line in new[b1:b2]):
            found.append(f"{tag} original {a1 + 1}-{a2}: {old[a1:a2]!r} -> {new[b1:b2]!r}")
    return found


def foreign_lines(original: str, part: str) -> list[str]:
    """Lines of ``part`` (stripped, paperkb's comments aside) not found in ``original`` in
    order."""
    source = [line.strip() for line in body(original)]
    at, missing = 0, []
    for line in body(part):
        stripped = line.strip()
        if not stripped or (stripped.startswith("{#-") and "paperkb" in stripped):
            continue
        try:
            at = source.index(stripped, at) + 1
        except ValueError:
            missing.append(stripped)
    return missing


def test_every_copied_template_is_declared() -> None:
    names = {path.relative_to(OVERRIDES).as_posix() for path, _ in copies()}
    assert {"partials/header.html", "partials/pkb-header-tools.html", "partials/search.html"} <= (
        names
    )


@pytest.mark.parametrize(("path", "origin"), copies(), ids=lambda v: getattr(v, "name", ""))
def test_the_original_is_the_one_copied(path: Path, origin: re.Match[str]) -> None:
    original = TEMPLATES / origin["path"]
    digest = hashlib.sha256(original.read_bytes()).hexdigest()
    assert digest == origin["sha"], (
        f"Material {material.__version__ if hasattr(material, '__version__') else ''}'s "
        f"{origin['path']} is not the one {path.relative_to(ROOT)} was made from "
        f"(Material {origin['version']}): re-sync it, then update its paperkb-{origin['kind']} "
        f"line to sha256:{digest}"
    )


@pytest.mark.parametrize(("path", "origin"), copies(), ids=lambda v: getattr(v, "name", ""))
def test_a_copy_differs_only_where_marked(path: Path, origin: re.Match[str]) -> None:
    original = (TEMPLATES / origin["path"]).read_text(encoding="utf-8")
    ours = path.read_text(encoding="utf-8")
    if origin["kind"] == "copy-of":
        assert unmarked_changes(original, ours) == []
    elif origin["kind"] == "part-of":
        assert foreign_lines(original, ours) == []


def test_the_checks_see_an_unmarked_change_and_a_foreign_line() -> None:
    original = "{#-\n  header\n-#}\n<a>\n<b>\n<c>\n"
    assert unmarked_changes(original, "{#-\n  ours\n-#}\n<a>\n<B>\n<c>\n") != []
    marked = "{#-\n  ours\n-#}\n<a>\n{#- paperkb: changed -#}\n<B>\n<c>\n"
    assert unmarked_changes(original, marked) == []
    assert foreign_lines(original, "{#-\n x\n-#}\n  <a>\n<c>\n") == []
    assert foreign_lines(original, "{#-\n x\n-#}\n<c>\n<a>\n") == ["<a>"]
