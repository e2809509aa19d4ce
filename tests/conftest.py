"""Shared fixtures: the shipped data, and tiny data trees made in one line."""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from hubstandin import FakeHub

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
    "byAK and the research community\n\n"
)

MINIMAL_TAXONOMY = """\
topics:
  - name: Diffusion
    description: Diffusion models.
    match: {title: [diffusion], abstract: [diffusion]}
"""


def listing(*pairs: tuple[str, str], date: str | None = "Aug 12") -> str:
    """The text of a listing with the real header, an optional date and title/abstract pairs."""
    body = "".join(f"{title}\n\n{abstract}\n\n" for title, abstract in pairs)
    return HEADER + (f"{date}\n\n" if date else "") + body


def abstract(topic: str, n: int = 1) -> str:
    """A plausible abstract paragraph (long enough to be told apart from a title)."""
    return (
        f"We study {topic} in depth. Our method number {n} improves on prior work by a wide "
        f"margin on standard benchmarks. Experiments on several datasets show that {topic} "
        "scales with data and compute, and we release code and models for the community."
    )


MakeTree = Callable[[Mapping[str, str | bytes]], Path]


@pytest.fixture
def make_tree(tmp_path: Path) -> MakeTree:
    """Write ``{relative path: text or bytes}`` under a fresh folder and return it."""

    def make(files: Mapping[str, str | bytes]) -> Path:
        root = tmp_path / "tree"
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        root.mkdir(exist_ok=True)
        return root

    return make


#: Generated output in docs/: never copied into a test project.
GENERATED = ("papers", "topics", "search", "index.md", "merges.md", "papers.json")


def copy_site_config(target: Path) -> None:
    """Copy mkdocs.yml, the theme overrides and the hand-written docs into ``target``."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "mkdocs.yml", target / "mkdocs.yml")
    for folder in ("overrides", "hooks"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, target / folder)
    shutil.copytree(ROOT / "docs", target / "docs", ignore=shutil.ignore_patterns(*GENERATED))


def make_project(target: Path, data: Path = DATA) -> Path:
    """A buildable copy of the project with ``data`` as its data folder."""
    copy_site_config(target)
    shutil.copytree(data, target / "data")
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's data, docs and site configuration in a temporary folder."""
    return make_project(tmp_path / "project")


def load_hook(name: str) -> ModuleType:
    """The MkDocs hook ``hooks/<name>.py`` as a module (hooks are files, not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "hooks" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeHub]:
    """A stand-in Hub on 127.0.0.1 (:mod:`hubstandin`); ``HF_ENDPOINT`` points at it."""
    from hubstandin import serve

    with serve(monkeypatch, tmp_path / "hf-home") as fake:
        yield fake
