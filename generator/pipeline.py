"""The whole run: read the corpus, plan the site from it, then write.

Two doors: :func:`generator.corpus.read_corpus` reads ``data/`` into distinct, classified papers
(every input checked, every problem listed in one :class:`InputError` before anything is
written), which the tools use; :func:`plan_site` makes every generated file of the site from a
corpus. :func:`make_plan` runs both, computing the related papers in a second process while
this one classifies and indexes; :func:`generate` writes a plan into ``docs/`` and appends the
registry's new rows.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator.account import Account
from generator.corpus import Corpus, StageHook, classify_corpus, merge, no_hook, read_inputs
from generator.datafiles import REGISTRY_FILE
from generator.errors import Problem
from generator.inputs.registry import Row, append_rows, registry_text, remove_rows
from generator.model import Paper, Topic
from generator.render.files import Files
from generator.render.search import render_search
from generator.render.site import site_files
from generator.runtime.background import background, worth_a_second_process
from generator.stages.authors import collect_authors
from generator.stages.dedupe import DedupeResult
from generator.stages.link import (
    MIN_RELATED,
    SIMILAR_ABSTRACT,
    Candidates,
    related_ids,
    related_topics,
    shared_topic_rate,
    with_related,
)
from generator.writers import manifest
from generator.writers.docs import WriteReport, remove_leftovers, write_atomic, write_docs
from generator.writers.manifest import Summary

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
    (see :mod:`generator.writers.manifest`); ``summary`` is what it reports either way."""

    plan: Plan | None
    report: WriteReport
    registry_written: bool
    summary: Summary


def plan_site(
    corpus: Corpus,
    related: Callable[[], Candidates] | None = None,
    *,
    stage: StageHook = no_hook,
) -> Plan:
    """The second door: every generated file of the site made from ``corpus``.

    ``related`` gives each paper's related-paper candidates (:func:`related_ids` of the papers
    in order); ``generate`` computes them in a second process and passes the wait for its
    result. Pure: nothing is read or written.
    """
    with stage("index"):
        search = render_search(corpus.papers, corpus.topics, redirects=corpus.redirects)
    with stage("link"):
        candidates = related() if related is not None else related_ids(corpus.papers)
        papers = with_related(corpus.papers, candidates)
        topic_links = related_topics(papers)
        shared, links = shared_topic_rate(papers)
        similar_shared, similar = shared_topic_rate(papers, SIMILAR_ABSTRACT)
    with stage("render"):
        authors = collect_authors(papers)
        account = Account(
            listings=corpus.listings,
            entries=corpus.entries,
            annotations=corpus.annotations,
            papers=len(papers),
            merged=corpus.merged,
            rejected=len(corpus.rejected),
            topics=len(corpus.topics),
            unsorted=corpus.unsorted,
            records=corpus.records,
            learned=sum(1 for p in papers if p.learned_topics),
            authors=len(authors),
            related_links=links,
            related_shared_topic=shared,
            related_three=sum(1 for p in papers if len(p.related) >= MIN_RELATED),
            related_similar=similar,
            related_similar_shared=similar_shared,
        )
        order = {row.id: index for index, row in enumerate([*corpus.registry, *corpus.new_rows])}
        files = site_files(
            papers,
            corpus.topics,
            topic_links,
            account,
            corpus.rejected,
            corpus.redirects,
            authors,
            corpus.dedupe,
            order,
            search,
        )
    return Plan(
        tuple(papers),
        corpus.topics,
        files,
        corpus.registry,
        corpus.new_rows,
        account,
        corpus.rejected,
        corpus.redirects,
        corpus.dedupe,
        corpus.dropped_rows,
    )


def make_plan(
    data_dir: Path, *, strict: bool = False, stage: StageHook = no_hook, parallel: bool = True
) -> Plan:
    """Read and check every input under ``data_dir``; compute every generated file.

    Errors stop the run with every problem listed (:func:`generator.corpus.read_inputs`). With
    ``parallel`` the related papers are computed in a second process
    (:mod:`generator.runtime.background`) while this one classifies and indexes; the plan is
    the same either way.
    """
    merged = merge(read_inputs(data_dir, strict=strict, stage=stage), data_dir, stage=stage)
    deduped, fork = (
        merged.papers,
        worth_a_second_process("link", len(merged.papers), parallel=parallel),
    )
    with background("the link worker", lambda: related_ids(deduped), enabled=fork) as linking:
        corpus = classify_corpus(merged, stage=stage)
        return plan_site(corpus, linking.result, stage=stage)


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
    run left them does nothing (:mod:`generator.writers.manifest`): the output would be
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
            existing = registry_text(path) if path.exists() else None
            if existing is not None and plan.dropped_rows:
                existing = remove_rows(existing, plan.dropped_rows)
            remove_leftovers(data_dir, [REGISTRY_FILE])
            write_atomic(path, append_rows(existing, plan.new_rows).encode("utf-8"))
    written = bool(plan.new_rows or plan.dropped_rows)
    return Result(plan, report, written, summarize(plan))
