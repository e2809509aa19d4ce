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
GENERATED = (
    "papers",
    "topics",
    "search",
    "authors",
    "cite",
    "dates",
    "feeds",
    "index.md",
    "merges.md",
    "papers.json",
    "feed.xml",
    "knowledge-base.md",
)


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


#: Papers of the dated project that the Hub's records give upvotes, a day on Daily Papers,
#: comments and, for every third, a code repository.
DATED_HUB_PAPERS = 12


#: The shipped listings in the order the dated project gives them days (Aug 10 to 14, 2024).
SEASON_ORDER = (
    "2025-08-12",
    "2025-08-07",
    "002_470eec1128168d40",
    "2025-03-20",
    "004_3d68f462c2150082",
)


def make_dated_project(target: Path) -> Path:
    """The shipped data as a season of Daily Papers (issue 24): every listing named by a date of
    August 2024 (its date line then has a year, or the name is its date), and a Hub file that
    gives :data:`DATED_HUB_PAPERS` papers of the first listing their upvotes, comments, day on
    Daily Papers (Aug 12, 2024), authors and code. Same papers, same permanent ids."""
    import json

    from generator.inputs.listings import parse_listing

    root = make_project(target)
    # Its own facts stand in for the curators': the shipped annotations would give the same
    # titles their real arXiv ids.
    shutil.rmtree(root / "data" / "records" / "annotations", ignore_errors=True)
    listings = root / "data" / "listings"
    for number, stem in enumerate(SEASON_ORDER):
        (listings / f"{stem}.txt").rename(listings / f"2024-08-{10 + number:02d}.txt")
    first = root / "data" / "listings" / "2024-08-10.txt"
    entries, _ = parse_listing(first.read_text(encoding="utf-8"), "first.txt")
    items = [
        {
            "paper": {
                "id": f"2408.{10001 + number}",
                "title": entry.title,
                "summary": entry.abstract,
                "authors": [{"name": f"Author {number} {k}"} for k in range(1 + number % 5)],
                "publishedAt": "2024-08-09T00:00:00.000Z",
                "submittedOnDailyAt": "2024-08-12T01:00:00.000Z",
                "upvotes": (number * 37) % 101,
                **({"githubRepo": f"https://github.com/kb/p{number}"} if number % 3 == 0 else {}),
            },
            "numComments": number % 4,
        }
        for number, entry in enumerate(entries[:DATED_HUB_PAPERS])
    ]
    hub = root / "data" / "records" / "hub" / "2024-08-12.json"
    hub.parent.mkdir(parents=True, exist_ok=True)
    hub.write_text(json.dumps(items, indent=2, sort_keys=True), encoding="utf-8")
    return root
