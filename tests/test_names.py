"""Every ``generator/...`` path and ``generator.x.y`` name that the repository's text names exists.

Docstrings, comments, the README, the workflows, ``mkdocs.yml``, ``data/topics.yaml``, the
site's scripts: a module that moved leaves words behind, and a reader sent to a file that is not
there is lost. History is exempt: the CHANGELOG and the benchmark results record what was.
"""

from __future__ import annotations

import ast
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Text that records history, not the code as it is, and tests that plant made-up names.
EXEMPT = (
    "CHANGELOG.md",
    "benchmarks/results/",
    "tests/test_architecture.py",
    "tests/test_names.py",
)
SUFFIXES = {".py", ".md", ".yml", ".yaml", ".js", ".html", ".css", ".toml", ".txt", ""}
PATH = re.compile(r"(?<![\w/.-])generator/[\w/]*[\w]+(?:\.py)?/?")
DOTTED = re.compile(r"(?<![\w./-])generator(?:\.[A-Za-z_]\w*)+")


def tracked() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
    ).stdout.decode("utf-8")
    files = []
    for name in filter(None, listed.split("\0")):
        if name.startswith(EXEMPT) or Path(name).suffix not in SUFFIXES:
            continue
        if (ROOT / name).is_file():
            files.append(ROOT / name)
    return files


@cache
def defined(module: Path) -> frozenset[str]:
    """Names a module (or package ``__init__``) defines at its top level or in its classes."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name):
                        names.add(sub.id)
                    elif isinstance(sub, ast.Attribute):
                        names.add(sub.attr)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return frozenset(names)


def missing_path(text: str) -> str | None:
    rel = text.rstrip("/")
    target = ROOT / rel
    if target.exists() or target.with_suffix(".py").exists():
        return None
    return text


def missing_dotted(text: str) -> str | None:
    parts = text.split(".")
    for cut in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:cut])
        module = (
            base.with_suffix(".py") if base.with_suffix(".py").is_file() else base / "__init__.py"
        )
        if not module.is_file():
            continue
        rest = parts[cut:]
        if not rest or rest[0] in defined(module) or rest[0].startswith("__"):
            return None
        return text
    return text


def problems() -> list[str]:
    found = []
    for path in tracked():
        try:
            content = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        rel = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(content.splitlines(), 1):
            for match in PATH.finditer(line):
                if (bad := missing_path(match.group())) is not None:
                    found.append(f"{rel}:{number}: {bad}")
            for match in DOTTED.finditer(line):
                if (bad := missing_dotted(match.group())) is not None:
                    found.append(f"{rel}:{number}: {bad}")
    return found


def test_every_generator_name_in_the_repository_exists() -> None:
    assert problems() == []


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("generator/corpus.py", True),
        ("generator/render/search/", True),
        ("generator/build/write.py", False),
        ("generator.corpus.read_corpus", True),
        ("generator.render.search.words.tokens", True),
        ("generator.stages.link.REASONS", True),
        ("generator.build.write", False),
        ("generator.corpus.no_such_name", False),
    ],
)
def test_the_check_tells_a_moved_name(text: str, ok: bool) -> None:
    check = missing_path if "/" in text else missing_dotted
    assert (check(text) is None) is ok
