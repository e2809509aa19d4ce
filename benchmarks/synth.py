"""Synthetic knowledge bases for the pipeline benchmark, made from the shipped listings.

A corpus of ``size`` entries is written as real listing files (the saved page's header, a date
line such as ``Aug 12, 2024``, then title / abstract pairs), :data:`PER_LISTING` entries per
listing, one listing per day going back from :data:`LAST_DAY`, so the parse stage reads what
it reads in production. Titles recombine real title words (with invented names and compound
words, so the vocabulary grows with the corpus like a real one) and abstracts recombine real
abstract sentences, both from :mod:`benchmarks.bench_dedupe`'s generator; a share of the
entries (:data:`DUPLICATE_SHARE`) are planted duplicate spellings of another entry's paper (case,
punctuation, NFD, dropped letters, revised abstract, ... every kind the dedupe stage merges),
scattered over the listings as a paper that reappears on a later day would be.

Everything is a pure function of ``(size, seed)``: no dependence on hash seed or file order.
:func:`next_listing` is the following day's listing, with new papers only, for the benchmark's
"add one listing" step. :func:`make_project` lays out a buildable project around a corpus.
"""

from __future__ import annotations

import datetime
import random
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from benchmarks.bench_dedupe import POSITIVE_KINDS, Maker, Material, positive
from benchmarks.bench_dedupe import material as material
from generator.writers.docs import is_generated

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SEED = 20240812
#: Entries per listing file: a busy day on Daily Papers.
PER_LISTING = 100
#: Planted duplicate spellings, as a share of all entries.
DUPLICATE_SHARE = 0.05
#: The newest listing's date; older listings go back one day each.
LAST_DAY = datetime.date(2024, 8, 12)
#: The boilerplate header of a saved listing page (see generator/inputs/listings.py).
HEADER = (
    "new\n\nGet trending papers in your email inbox!\n\nSubscribe\n\nDaily Papers\n\n"
    "byAK and the research community\n\n"
)

Pair = tuple[str, str]
"""A title and its abstract."""


@dataclass(frozen=True, slots=True)
class Corpus:
    """Listing files of a synthetic knowledge base and what was planted in them."""

    listings: tuple[tuple[str, str], ...]
    """``(data-relative path, text)`` for every listing, oldest first."""
    entries: int
    planted: int
    """How many of the entries are duplicate spellings of another entry's paper."""


def listing_date(day: int) -> datetime.date:
    """The date of listing number ``day`` counted back from the newest (0)."""
    return LAST_DAY - datetime.timedelta(days=day)


def listing_text(date: datetime.date, pairs: Iterable[Pair]) -> str:
    """A listing as saved from the page: header, date line, then title / abstract pairs."""
    body = "".join(f"{title}\n\n{abstract}\n\n" for title, abstract in pairs)
    return f"{HEADER}{date:%b} {date.day}, {date.year}\n\n{body}"


def listing_path(date: datetime.date) -> str:
    return f"listings/{date.isoformat()}.txt"


def _unique_pairs(make: Maker, count: int, seen: set[str]) -> list[Pair]:
    """``count`` new papers whose titles differ (casefolded) from every title in ``seen``."""
    pairs: list[Pair] = []
    while len(pairs) < count:
        title = make.title()
        if title.casefold() in seen:
            continue
        seen.add(title.casefold())
        pairs.append((title, make.abstract()))
    return pairs


def _planted(make: Maker, bases: list[Pair], count: int) -> list[Pair]:
    """``count`` duplicate spellings of randomly chosen base papers."""
    planted: list[Pair] = []
    while len(planted) < count:
        title, abstract = bases[make.rng.randrange(len(bases))]
        made = positive(make.rng.choice(POSITIVE_KINDS), title, abstract, make)
        if made is not None:
            planted.append(made)
    return planted


def corpus(
    size: int,
    *,
    seed: int = SEED,
    stuff: Material | None = None,
    tick: Callable[[int], object] = lambda n: None,
) -> Corpus:
    """``size`` entries in listings of :data:`PER_LISTING`; ``tick(n)`` reports progress."""
    if size < 1:
        raise ValueError(f"a corpus needs at least one entry, not {size}")
    make = Maker(stuff or material(), random.Random(seed + size))
    planted_count = round(size * DUPLICATE_SHARE)
    seen: set[str] = set()
    bases: list[Pair] = []
    step = 1000
    for start in range(0, size - planted_count, step):
        count = min(step, size - planted_count - start)
        bases += _unique_pairs(make, count, seen)
        tick(count)
    pairs = bases + _planted(make, bases, planted_count) if bases else []
    tick(planted_count)
    make.rng.shuffle(pairs)  # planted spellings land on other days than their originals
    days = (len(pairs) + PER_LISTING - 1) // PER_LISTING
    listings = []
    for number in range(days):
        date = listing_date(days - number)  # day 0 is kept free for next_listing
        chunk = pairs[number * PER_LISTING : (number + 1) * PER_LISTING]
        listings.append((listing_path(date), listing_text(date, chunk)))
    return Corpus(tuple(listings), len(pairs), planted_count)


def next_listing(
    size: int, *, seed: int = SEED, count: int = PER_LISTING, stuff: Material | None = None
) -> tuple[str, str]:
    """The listing of the day after :func:`corpus` ``(size)``'s newest, with ``count`` new papers.

    Its titles come from a different random stream; a clash with a corpus title is possible
    in principle but would need two identical 5-to-11-word titles from a large vocabulary.
    """
    make = Maker(stuff or material(), random.Random(f"next {seed} {size}"))
    date = listing_date(0)
    return listing_path(date), listing_text(date, _unique_pairs(make, count, set()))


def write_corpus(data: Path, listings: Iterable[tuple[str, str]]) -> None:
    """Write listing files under the data folder ``data``."""
    for rel, text in listings:
        path = data / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


class _AnyTagLoader(yaml.SafeLoader):
    """Reads mkdocs.yml even when it uses ``!ENV`` or ``!!python/name:`` tags (as ``None``)."""


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
    return None


_AnyTagLoader.add_multi_constructor("", _ignore_tag)
_AnyTagLoader.add_multi_constructor("!", _ignore_tag)


def _config_paths(config: Path) -> list[str]:
    """Project-relative files mkdocs.yml needs besides docs/ and the theme's custom_dir."""
    loaded: Any = yaml.load(config.read_text(encoding="utf-8"), Loader=_AnyTagLoader)
    if not isinstance(loaded, dict):
        return []
    paths = [str(loaded.get("theme", {}).get("custom_dir") or "")]
    paths += [str(p) for p in loaded.get("hooks") or [] if isinstance(p, str)]
    return [p for p in paths if p and (config.parent / p).exists()]


def copy_site_config(target: Path, source: Path = ROOT) -> None:
    """Copy mkdocs.yml, what it points at (theme overrides, hooks) and the hand-written docs.

    Hand-written docs are the files under docs/ without paperkb's generated-file marker, so
    whatever paperkb generates there (today or after a change to the generator) is left out.
    """
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "mkdocs.yml", target / "mkdocs.yml")
    for rel in _config_paths(source / "mkdocs.yml"):
        if (source / rel).is_dir():
            shutil.copytree(source / rel, target / rel)
        else:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / rel, target / rel)
    docs = source / "docs"
    for path in sorted(p for p in docs.rglob("*") if p.is_file()):
        if is_generated(path):
            continue
        out = target / "docs" / path.relative_to(docs)
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, out)


def make_project(target: Path, listings: Iterable[tuple[str, str]]) -> Path:
    """A buildable project at ``target``: the listings, the shipped taxonomy, no registry."""
    copy_site_config(target)
    data = target / "data"
    data.mkdir(parents=True, exist_ok=True)
    shutil.copy2(DATA / "topics.yaml", data / "topics.yaml")
    write_corpus(data, listings)
    return target
