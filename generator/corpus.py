"""The first door into the pipeline: read ``data/`` into a corpus of distinct, classified papers.

``parse -> normalize -> dedupe -> permalinks -> classify -> learn``: every input file is read
and checked
(:func:`read_inputs`, which raises :class:`InputError` listing every problem in every file),
entries become distinct papers with permanent ids (:func:`merge`), and papers get their topics
(:func:`classify_corpus`). :func:`read_corpus` runs the three; the tools (``diff``, ``topics``,
``dedupe``, ``fetch --resolve``) take its :class:`Corpus` and never plan a site. The second door,
:func:`generator.pipeline.plan_site`, makes the site from a corpus (related papers, the search
index, every page); ``generate`` runs the steps itself to compute related papers in a second
process from the end of :func:`merge`.

Nothing here writes a file: the registry's new rows travel in the corpus, and
:func:`generator.pipeline.write_plan` appends them.
"""

from __future__ import annotations

import dataclasses
import subprocess
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from generator.datafiles import OVERRIDES_FILE, REGISTRY_FILE, TAXONOMY_FILE
from generator.errors import InputError, Problem
from generator.inputs.listings import listing_paths, read_listings
from generator.inputs.overrides import Overrides, load_overrides
from generator.inputs.records import read_records, record_paths
from generator.inputs.registry import Row, parse_registry, read_registry
from generator.inputs.taxonomy import load_taxonomy
from generator.model import ANNOTATION, Entry, Paper, Topic
from generator.stages.classify import classify
from generator.stages.dedupe import DedupeResult, dedupe
from generator.stages.learn import learn
from generator.stages.normalize import invisible_entries, normalize
from generator.stages.permalinks import Assignment, assign_ids, redirects_for

StageHook = Callable[[str], AbstractContextManager[object]]
"""Called with a stage name (:data:`generator.pipeline.STAGES`); the run executes that stage
inside the returned context manager. Benchmarks time stages with it; the default does nothing."""


def no_hook(name: str) -> AbstractContextManager[object]:
    return nullcontext()


@dataclass(frozen=True, slots=True)
class Inputs:
    """Every input of ``data/``, read and checked: normalized entries and the curators' files."""

    entries: tuple[Entry, ...]
    topics: tuple[Topic, ...]
    rows: tuple[Row, ...]
    overrides: Overrides
    rejected: tuple[Problem, ...]
    """Entries that were read but could not be used (warnings), listed in the account."""
    listings: int
    records: int


@dataclass(frozen=True, slots=True)
class Corpus:
    """The knowledge base as distinct papers: what every tool and the site are made from."""

    papers: tuple[Paper, ...]
    """In permanent-id order (the registry's), each with its topics; ``related`` still empty."""
    topics: tuple[Topic, ...]
    registry: tuple[Row, ...]
    """The registry's rows as read (less :attr:`dropped_rows`)."""
    new_rows: tuple[Row, ...]
    """Rows for papers that have no permanent id yet: appended when the site is written."""
    dropped_rows: tuple[Row, ...]
    """Rows that were never committed and whose paper is gone: removed when written."""
    redirects: Mapping[str, str]
    """Published ids without a page of their own -> id of the paper that holds them now."""
    dedupe: DedupeResult
    """How entries were merged, for the merge report."""
    rejected: tuple[Problem, ...]
    listings: int
    records: int
    entries: int
    """Entries read: papers + duplicates merged + rejected (annotations aside)."""
    annotations: int = 0
    """Annotations read: hand-written records that add facts to a paper they name."""

    @property
    def merged(self) -> int:
        """Entries folded into a paper read before them (duplicate spellings)."""
        return self.entries - len(self.rejected) - len(self.papers)

    @property
    def unsorted(self) -> int:
        return sum(1 for paper in self.papers if not paper.topics)


def read_inputs(data_dir: Path, *, strict: bool = False, stage: StageHook = no_hook) -> Inputs:
    """Read and check every input file; raise :class:`InputError` with every problem found.

    Warnings (an entry that cannot be used) reject single entries; with ``strict`` they are
    errors too.
    """
    if not data_dir.is_dir():
        raise InputError([Problem(data_dir.as_posix(), None, "data directory does not exist")])
    with stage("parse"):
        entries, problems = read_listings(data_dir)
        topics, taxonomy_problems = load_taxonomy(data_dir / TAXONOMY_FILE, TAXONOMY_FILE)
        known = None if taxonomy_problems else {topic.slug for topic in topics}
        records, record_problems = read_records(data_dir, known)
        rows, registry_problems = read_registry(data_dir)
        overrides, override_problems = load_overrides(data_dir / OVERRIDES_FILE, OVERRIDES_FILE)
    problems += record_problems + taxonomy_problems + registry_problems + override_problems
    listings, record_files = len(listing_paths(data_dir)), len(record_paths(data_dir))
    if not listings and not record_files:
        problems.append(
            Problem(data_dir.as_posix(), None, "no listings (*.txt) and no records found")
        )
    with stage("normalize"):
        normalized, blank = invisible_entries(normalize(entries + records))
    problems += blank
    errors = [p for p in problems if strict or not p.warning]
    if errors:
        raise InputError(errors)
    rejected = sorted((p for p in problems if p.warning), key=lambda p: p.sort_key)
    return Inputs(
        tuple(normalized),
        tuple(topics),
        tuple(rows),
        overrides,
        tuple(rejected),
        listings,
        record_files,
    )


def merge(inputs: Inputs, data_dir: Path, *, stage: StageHook = no_hook) -> Corpus:
    """Entries -> distinct papers with permanent ids (and redirects); not yet classified.

    ``data_dir`` is asked (git) which registry rows were ever published, for rows whose paper
    is gone (:func:`unpublished`).
    """
    annotations = sum(1 for entry in inputs.entries if entry.origin == ANNOTATION)
    with stage("dedupe"):
        merged = dedupe(
            inputs.entries, inputs.overrides, ids={row.id: row.key for row in inputs.rows}
        )
        if merged.problems:
            raise InputError(merged.problems)
        assignment, dropped = unpublished(assign_ids(merged.clusters, inputs.rows), data_dir)
        redirects, problems = redirects_for(
            assignment, dict(inputs.overrides.redirects), OVERRIDES_FILE
        )
        if problems:
            raise InputError(problems)
    return Corpus(
        papers=tuple(assignment.papers),
        topics=inputs.topics,
        registry=tuple(row for row in inputs.rows if row not in dropped),
        new_rows=tuple(assignment.new_rows),
        dropped_rows=dropped,
        redirects=redirects,
        dedupe=merged,
        rejected=inputs.rejected,
        listings=inputs.listings,
        records=inputs.records,
        entries=len(inputs.entries) + len(inputs.rejected) - annotations,
        annotations=annotations,
    )


def classify_corpus(corpus: Corpus, *, stage: StageHook = no_hook) -> Corpus:
    """``corpus`` with every paper's topics: the taxonomy's rules and the curators' pins, then,
    for papers they leave unsorted, topics by similarity (:mod:`generator.stages.learn`)."""
    with stage("classify"):
        papers = classify(corpus.papers, corpus.topics)
    with stage("learn"):
        papers = learn(papers, corpus.topics)
    return dataclasses.replace(corpus, papers=tuple(papers))


def read_corpus(data_dir: Path, *, strict: bool = False, stage: StageHook = no_hook) -> Corpus:
    """Read ``data_dir`` into a classified corpus (the tools' door; writes nothing)."""
    inputs = read_inputs(data_dir, strict=strict, stage=stage)
    return classify_corpus(merge(inputs, data_dir, stage=stage), stage=stage)


def committed_ids(data_dir: Path) -> frozenset[str] | None:
    """The ids of the registry as committed at git ``HEAD``: the ids ever published.

    ``None`` when ``data_dir`` is not in a git checkout with a commit (then every row counts as
    published); empty when ``HEAD`` has no registry yet.
    """
    try:
        shown = subprocess.run(
            ["git", "show", f"HEAD:./{REGISTRY_FILE}"], cwd=data_dir, capture_output=True
        )
        if shown.returncode != 0:
            head = subprocess.run(
                ["git", "rev-parse", "--verify", "--quiet", "HEAD"],
                cwd=data_dir,
                capture_output=True,
            )
            return frozenset() if head.returncode == 0 else None
    except OSError:  # no git
        return None
    rows, _ = parse_registry(shown.stdout.decode("utf-8", errors="replace"), REGISTRY_FILE)
    return frozenset(row.id for row in rows)


def unpublished(assignment: Assignment, data_dir: Path) -> tuple[Assignment, tuple[Row, ...]]:
    """``assignment`` without the retired rows that were never committed, and those rows.

    A row appended by a trial run (a listing tried, then deleted) was never on the published
    site: its paper leaving needs no redirect, and the row is dropped from the registry. Rows in
    the committed registry stay: their URLs are public, and a retired one needs a redirect.
    """
    if not assignment.retired or (published := committed_ids(data_dir)) is None:
        return assignment, ()
    dropped = tuple(row for row in assignment.retired if row.id not in published)
    kept = tuple(row for row in assignment.retired if row.id in published)
    return dataclasses.replace(assignment, retired=kept), dropped
