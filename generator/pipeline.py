"""The whole run: gather and validate every input, compute every page, then write.

``make_plan`` reads ``data/`` and runs the pure stages; it raises :class:`InputError` listing
every problem in every file before anything is written. ``generate`` writes a plan.
"""

from __future__ import annotations

import dataclasses
import gc
import subprocess
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from generator.build import manifest
from generator.build.background import background, worth_a_second_process
from generator.build.manifest import Summary
from generator.build.write import WriteReport, remove_leftovers, write_atomic, write_docs
from generator.errors import InputError, Problem
from generator.inputs.listings import listing_paths, read_listings
from generator.inputs.overrides import load_overrides
from generator.inputs.records import read_records, record_paths
from generator.inputs.registry import (
    REGISTRY_FILE,
    Row,
    append_rows,
    parse_registry,
    read_registry,
    remove_rows,
)
from generator.inputs.taxonomy import load_taxonomy
from generator.model import OVERRIDES_FILE, Account, Paper, Topic
from generator.render.files import Files
from generator.render.search import render_search
from generator.render.site import site_files
from generator.stages.authors import collect_authors
from generator.stages.classify import classify
from generator.stages.dedupe import DedupeResult, dedupe
from generator.stages.learn import learn
from generator.stages.link import (
    MIN_RELATED,
    SIMILAR_ABSTRACT,
    related_ids,
    related_topics,
    shared_topic_rate,
    with_related,
)
from generator.stages.normalize import invisible_entries, normalize
from generator.stages.permalinks import Assignment, assign_ids, redirects_for

TAXONOMY_FILE = "topics.yaml"

#: The stages of a run, in order, as reported to a :data:`StageHook`. The related papers are
#: computed in a second process from the start of ``classify``
#: (:func:`generator.stages.link.related_ids`): ``link`` is the time this process waits for them
#: after ``learn`` (topics by similarity for unsorted papers) and ``index`` (the search index),
#: plus the rest of linking.
STAGES = (
    "parse",
    "normalize",
    "dedupe",
    "classify",
    "learn",
    "index",
    "link",
    "render",
    "write",
)

StageHook = Callable[[str], AbstractContextManager[object]]
"""Called with a stage name from :data:`STAGES`; the run executes that stage inside the
returned context manager. Benchmarks time stages with it; the default does nothing."""


def no_hook(name: str) -> AbstractContextManager[object]:
    return nullcontext()


@contextmanager
def settled_heap(stage: StageHook) -> Iterator[StageHook]:
    """``stage``, and Python's cycle collector told that what exists at each stage start stays.

    A run holds millions of objects that live until it ends (entries, papers, term lists), and
    the collector's full passes walk all of them again and again as a stage allocates: at 100k
    papers a fifth of the run. :func:`gc.freeze` at each stage start moves what exists into a
    generation the collector skips; objects are still freed by reference counting when dropped,
    and all of it is handed back to the collector (:func:`gc.unfreeze`) when the run ends.
    """

    @contextmanager
    def freezing(name: str) -> Iterator[object]:
        gc.freeze()
        with stage(name) as value:
            yield value

    try:
        yield freezing
    finally:
        gc.unfreeze()


@dataclass(frozen=True, slots=True)
class Plan:
    """Everything a run will write, computed from validated inputs."""

    papers: tuple[Paper, ...]
    topics: tuple[Topic, ...]
    files: Files
    """Every generated file; pages are made when read or written (:mod:`generator.render.files`)."""
    registry: tuple[Row, ...]
    new_rows: tuple[Row, ...]
    account: Account
    rejected: tuple[Problem, ...] = ()
    """Entries that were read but could not be used (warnings), listed in the account."""
    redirects: Mapping[str, str] = field(default_factory=dict)
    """Published ids without a page of their own -> id of the paper that holds them now."""
    dedupe: DedupeResult | None = None
    """How entries were merged, for the merge report."""
    dropped_rows: tuple[Row, ...] = ()
    """Registry rows that were never committed and whose paper is gone: removed on write."""


@dataclass(frozen=True, slots=True)
class Result:
    """A run's outcome. ``plan`` is ``None`` when nothing had changed and the run was skipped
    (see :mod:`generator.build.manifest`); ``summary`` is what it reports either way."""

    plan: Plan | None
    report: WriteReport
    registry_written: bool
    summary: Summary


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


def make_plan(
    data_dir: Path, *, strict: bool = False, stage: StageHook = no_hook, parallel: bool = True
) -> Plan:
    """Read and check every input under ``data_dir``; compute every generated file.

    Errors stop the run with every problem listed. Warnings reject single entries and are
    listed in the account; with ``strict`` they are errors too. With ``parallel`` the related
    papers are computed in a second process (:mod:`generator.build.background`); the plan is the
    same
    either way.
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
    if not listing_paths(data_dir) and not record_paths(data_dir):
        problems.append(
            Problem(data_dir.as_posix(), None, "no listings (*.txt) and no records found")
        )
    entries += records
    with stage("normalize"):
        normalized, blank = invisible_entries(normalize(entries))
    problems += blank
    errors = [p for p in problems if strict or not p.warning]
    if errors:
        raise InputError(errors)
    rejected = sorted((p for p in problems if p.warning), key=lambda p: p.sort_key)

    with stage("dedupe"):
        merged = dedupe(normalized, overrides, ids={row.id: row.key for row in rows})
        if merged.problems:
            raise InputError(merged.problems)
        assignment = assign_ids(merged.clusters, rows)
        assignment, dropped = unpublished(assignment, data_dir)
        rows = [row for row in rows if row not in dropped]
        papers, new_rows = list(assignment.papers), assignment.new_rows
        redirects, redirect_problems = redirects_for(
            assignment, dict(overrides.redirects), OVERRIDES_FILE
        )
        if redirect_problems:
            raise InputError(redirect_problems)
    deduped, fork = papers, worth_a_second_process("link", len(papers), parallel=parallel)
    with background("the link worker", lambda: related_ids(deduped), enabled=fork) as linking:
        with stage("classify"):
            papers = classify(papers, topics)
        with stage("learn"):
            papers = learn(papers, topics)
        with stage("index"):
            search = render_search(papers, topics)
        with stage("link"):
            papers = with_related(papers, linking.result())
            topic_links = related_topics(papers)
            shared, links = shared_topic_rate(papers)
            similar_shared, similar = shared_topic_rate(papers, SIMILAR_ABSTRACT)
    with stage("render"):
        authors = collect_authors(papers)
        account = Account(
            listings=len(listing_paths(data_dir)),
            entries=len(normalized) + len(rejected),
            papers=len(papers),
            merged=len(normalized) - len(papers),
            rejected=len(rejected),
            topics=len(topics),
            unsorted=sum(1 for p in papers if not p.topics),
            learned=sum(1 for p in papers if p.learned_topics),
            records=len(record_paths(data_dir)),
            authors=len(authors),
            related_links=links,
            related_shared_topic=shared,
            related_three=sum(1 for p in papers if len(p.related) >= MIN_RELATED),
            related_similar=similar,
            related_similar_shared=similar_shared,
        )
        order = {row.id: index for index, row in enumerate([*rows, *new_rows])}
        files = site_files(
            papers,
            topics,
            topic_links,
            account,
            rejected,
            redirects,
            authors,
            merged,
            order,
            search,
        )
    return Plan(
        tuple(papers),
        tuple(topics),
        files,
        tuple(rows),
        tuple(new_rows),
        account,
        tuple(rejected),
        redirects,
        merged,
        dropped,
    )


def generate(
    data_dir: Path,
    docs_dir: Path,
    *,
    strict: bool = False,
    stage: StageHook = no_hook,
    reuse: bool = True,
    parallel: bool = True,
) -> Result:
    """Plan, then write ``docs/`` and append new ids to the permalink registry.

    With ``reuse``, a run whose inputs and generated files are exactly as the last successful
    run left them does nothing (:mod:`generator.build.manifest`): the output would be
    byte-identical.
    """
    print_ = manifest.fingerprint(data_dir, strict=strict) if data_dir.is_dir() else ""
    if reuse and print_ and (summary := manifest.unchanged(docs_dir, print_)) is not None:
        return Result(None, WriteReport(unchanged=summary.files), False, summary)
    with settled_heap(stage) as hook:
        plan = make_plan(data_dir, strict=strict, stage=hook, parallel=parallel)
        result = write_plan(plan, data_dir, docs_dir, hook, parallel=parallel)
    if plan.new_rows or plan.dropped_rows:  # the registry is an input: fingerprint it anew
        print_ = manifest.fingerprint(data_dir, strict=strict)
    manifest.save(docs_dir, print_, result.summary)
    return result


def summarize(plan: Plan) -> Summary:
    return Summary(
        account=plan.account,
        rejected=plan.rejected,
        with_related=sum(1 for p in plan.papers if p.related),
        files=tuple(plan.files),
    )


def write_plan(
    plan: Plan,
    data_dir: Path,
    docs_dir: Path,
    stage: StageHook = no_hook,
    *,
    parallel: bool = True,
) -> Result:
    """Write a plan made from ``data_dir``: ``docs/``, then the registry's new rows."""
    manifest.forget(docs_dir)  # a run that stops half way must not leave a manifest behind
    with stage("write"):
        report = write_docs(docs_dir, plan.files, parallel=parallel)
        if plan.new_rows or plan.dropped_rows:
            path = data_dir / REGISTRY_FILE
            existing = path.read_text(encoding="utf-8") if path.exists() else None
            if existing is not None and plan.dropped_rows:
                existing = remove_rows(existing, plan.dropped_rows)
            remove_leftovers(data_dir, [REGISTRY_FILE])
            write_atomic(path, append_rows(existing, plan.new_rows).encode("utf-8"))
    written = bool(plan.new_rows or plan.dropped_rows)
    return Result(plan, report, written, summarize(plan))
