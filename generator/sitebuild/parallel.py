"""MkDocs' build on every core: the pages read, converted and rendered in forked workers.

MkDocs builds one page after another in one process. Its build (``mkdocs.commands.build.build``)
has phases that look at the whole site (configuration, files, navigation, the theme's
templates, anchor validation, ``on_post_build``) around two loops over the pages, which look
at one page each (``_populate_page``: read, convert the Markdown, ``on_page_*`` events;
``_build_page``: render the theme's template, ``on_post_page``, write the file). This module
runs MkDocs' own functions, with the two loops split across processes:

1. once, here: ``on_config``, ``on_pre_build``, the files and ``on_files``, the navigation
   and ``on_nav``, ``on_env``; then the workers are forked (:class:`generator.runtime.background.
   Background`: they die with this process, ``PR_SET_PDEATHSIG``) and share all of it,
   copy-on-write;
2. in the workers: each takes the next chunk of pages in site order and populates them; it
   builds them (writing its own files) once it has the pages *in the navigation*, whose titles
   and metadata every page's template shows. Those are populated here, once, while the workers
   populate their first pages (and the static files are copied), and sent to every worker
   (:class:`State`). A worker sends back what the rest of the build needs of its pages
   (:class:`Facts`: the anchors a page has, the anchored links it makes, what a known plugin
   gathered from it), and the log records of its pages (:mod:`generator.sitebuild.logs`);
3. once, here, after the workers: the theme's static templates (``sitemap.xml``, ``404.html``)
   and the extra templates, anchor validation over every page, ``on_post_build``.

``on_env`` runs before any page is populated (MkDocs runs it after): the hooks and plugins this
module splits do not look at pages there. Only a site whose plugins and hooks keep no state
across pages, or state this module knows how to carry back, is split (:func:`unsplittable`): a
hook says so with a module-level ``PARALLEL_SAFE = True``; MkDocs' and Material's ``search``
plugins gather entries per page, carried back and put in page order (:data:`GATHERED`). Any
other plugin gets the one-process build. A static file that a page of the same name replaces is
copied before the pages, as MkDocs does; a template is not written where a page is (MkDocs
writes pages last).

The site is byte-identical to MkDocs' own one-process build (``tests/test_sitebuild.py``
builds both and compares every file), the warnings are the same and in the same page order,
and a worker that fails or dies fails the build.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from generator.errors import BuildError
from generator.runtime.background import Background, BackgroundError
from generator.sitebuild.logs import Line, Warnings, replay

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.sharedctypes import Synchronized

    import jinja2
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

#: Log phases, in MkDocs' order: every page is populated before any is built.
POPULATE, BUILD = 1, 2
#: Pages a worker takes at a time; small enough that the workers finish together.
MAX_CHUNK = 100
#: Plugins that gather state per page which ``on_post_build`` writes: (module, class) ->
#: attributes leading to the list a page's events append to.
GATHERED: dict[tuple[str, str], tuple[str, ...]] = {
    ("mkdocs.contrib.search", "SearchPlugin"): ("search_index", "_entries"),
    ("material.plugins.search.plugin", "SearchPlugin"): ("search_index", "entries"),
}


def unsplittable(config: MkDocsConfig) -> str | None:
    """Why the pages of ``config``'s site cannot be built in several processes, or None."""
    for name, plugin in config.plugins.items():
        if isinstance(plugin, ModuleType):
            if getattr(plugin, "PARALLEL_SAFE", False) is not True:
                return f"hook {name} does not say PARALLEL_SAFE = True"
        elif _gathered_key(plugin) not in GATHERED:
            return f"plugin {name} may keep state across pages"
    return None


def _gathered_key(plugin: object) -> tuple[str, str]:
    kind = type(plugin)
    return (kind.__module__, kind.__qualname__)


def _gathered_lists(config: MkDocsConfig) -> list[list[Any]]:
    """The per-page lists of the plugins in :data:`GATHERED`, in plugin order."""
    lists = []
    for plugin in config.plugins.values():
        path = GATHERED.get(_gathered_key(plugin))
        if path is not None:
            value: Any = plugin
            for attribute in path:
                value = getattr(value, attribute)
            lists.append(value)
    return lists


@dataclass(frozen=True, slots=True)
class Facts:
    """What the build needs, after the workers, of one page a worker built."""

    index: int
    anchors: frozenset[str] | None
    links: dict[str, dict[str, str]] | None
    gathered: tuple[list[Any], ...]
    """What each plugin of :data:`GATHERED` gathered from the page."""


@dataclass(frozen=True, slots=True)
class State:
    """A page in the navigation as the parent populated it: what the workers' pages show of
    it (title, metadata) and what the worker that builds it needs."""

    index: int
    markdown: str | None
    meta: dict[str, Any]
    content: str | None
    toc: Any
    title: str | None
    anchors: frozenset[str] | None
    links: dict[str, dict[str, str]] | None


@dataclass(slots=True)
class Report:
    """A worker's answer: its pages' facts, its log, its CPU time, or what went wrong."""

    facts: list[Facts] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    waited: float = 0.0
    """Seconds the worker was ready to run but waited for a processor (Linux schedstat)."""
    pages: int = 0


@dataclass(frozen=True, slots=True)
class Timing:
    """How a parallel build spent its time (for ``paperkb build``'s line and the benchmark)."""

    pages: int
    workers: int
    worker_seconds: tuple[float, ...]
    """CPU seconds of each worker."""
    worker_pages: tuple[int, ...]
    worker_waits: tuple[float, ...]
    """Seconds each worker waited for a processor: other processes' load, not the build."""
    before_seconds: float
    """Wall time before the workers started (configuration, files, navigation)."""
    workers_seconds: float
    after_seconds: float


@dataclass
class _Site:
    """The state every worker shares with the parent (inherited by ``fork``)."""

    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: jinja2.Environment
    pages: Sequence[File]
    shared: frozenset[int]
    """Positions in ``pages`` of the pages in the navigation: populated by the parent."""
    chunk: int
    log: Warnings


def build(config: MkDocsConfig, log: Warnings, workers: int) -> Timing:
    """MkDocs' ``build`` of ``config`` into ``config.site_dir``, pages in ``workers`` processes.

    Like MkDocs' own, any exception runs ``on_build_error``; a MkDocs ``BuildError`` is logged.
    """
    from mkdocs.exceptions import Abort
    from mkdocs.exceptions import BuildError as MkDocsBuildError

    try:
        return _build(config, log, workers)
    except Exception as exc:
        config.plugins.on_build_error(error=exc)
        if isinstance(exc, MkDocsBuildError):
            logging.getLogger("mkdocs.commands.build").error(str(exc))
            raise Abort("Aborted with a BuildError!") from exc
        raise


def _build(config: MkDocsConfig, log: Warnings, workers: int) -> Timing:
    start = time.perf_counter()
    site = _prepare(config, log, workers)
    before = time.perf_counter()
    with _Crew(site, workers) as crew:
        # While the workers populate their first pages: the static files, the nav's pages.
        _copy_static(site, colliding=False)
        for index in sorted(site.shared):
            _populate(site, index)
        crew.send([_state(site, index) for index in sorted(site.shared)])
        reports = crew.reports()
    workers_done = time.perf_counter()
    _take_back(site, reports)
    _after_pages(site)
    return Timing(
        pages=len(site.pages),
        workers=workers,
        worker_seconds=tuple(r.seconds for r in reports),
        worker_pages=tuple(r.pages for r in reports),
        worker_waits=tuple(r.waited for r in reports),
        before_seconds=before - start,
        workers_seconds=workers_done - before,
        after_seconds=time.perf_counter() - workers_done,
    )


def _prepare(config: MkDocsConfig, log: Warnings, workers: int) -> _Site:
    """MkDocs' build up to its pages: configuration, files, navigation, ``on_env``."""
    from mkdocs import utils
    from mkdocs.structure.files import get_files, set_exclusions
    from mkdocs.structure.nav import get_navigation
    from mkdocs.structure.pages import Page

    config = config.plugins.on_config(config)
    config.plugins.on_pre_build(config=config)
    utils.clean_directory(config.site_dir)
    files = get_files(config)
    env = config.theme.get_env()
    files.add_files_from_theme(env, config)
    files = config.plugins.on_files(files, config=config)
    set_exclusions(files, config)
    nav = get_navigation(files, config)
    nav = config.plugins.on_nav(nav, config=config, files=files)
    pages = files.documentation_pages()
    for file in pages:
        inclusion: Any = file.inclusion  # MkDocs' InclusionLevel has no type hints
        if file.page is None and inclusion.is_not_in_nav():
            Page(None, file, config)
    in_nav = {id(page) for page in nav.pages}
    shared = frozenset(i for i, file in enumerate(pages) if id(file.page) in in_nav)
    env = config.plugins.on_env(env, config=config, files=files)
    chunk = max(1, min(MAX_CHUNK, len(pages) // (workers * 8) or 1))
    site = _Site(config, files, nav, env, pages, shared, chunk, log)
    _copy_static(site, colliding=True)
    return site


def _copy_static(site: _Site, *, colliding: bool) -> None:
    """Copy the files that are not pages: those a page of the same name replaces (MkDocs copies
    them first, then writes the page), or all the others."""
    written = {file.dest_uri for file in site.pages}
    for file in site.files:
        inclusion: Any = file.inclusion
        static = not file.is_documentation_page() and inclusion.is_included()
        if static and (file.dest_uri in written) is colliding:
            file.copy_file()


def _populate(site: _Site, index: int) -> Page:
    from mkdocs.commands.build import _populate_page

    page = site.pages[index].page
    assert page is not None
    _populate_page(page, site.config, site.files)
    return page


def _links(page: Page) -> dict[str, dict[str, str]] | None:
    links = page.links_to_anchors
    return None if links is None else {f.src_uri: dict(v) for f, v in links.items()}


def _anchors(page: Page) -> frozenset[str] | None:
    anchors = page.present_anchor_ids
    return None if anchors is None else frozenset(anchors)


def _give(
    site: _Site,
    page: Page,
    anchors: frozenset[str] | None,
    links: dict[str, dict[str, str]] | None,
) -> None:
    """Give ``page`` the anchors and anchored links another process found (:func:`_anchors`,
    :func:`_links`)."""
    page.present_anchor_ids = None if anchors is None else set(anchors)
    if links is not None:
        page.links_to_anchors = {_file(site.files, u): v for u, v in links.items()}


def _state(site: _Site, index: int) -> State:
    page = site.pages[index].page
    assert page is not None
    return State(
        index,
        page.markdown,
        dict(page.meta),
        page.content,
        page.toc,
        page._title_from_render,
        _anchors(page),
        _links(page),
    )


def _restore(site: _Site, state: State) -> None:
    """Give a worker's copy of a page in the navigation the state the parent populated."""
    page = site.pages[state.index].page
    assert page is not None
    page.markdown, page.meta, page.content = state.markdown, state.meta, state.content
    page.toc, page._title_from_render = state.toc, state.title
    _give(site, page, state.anchors, state.links)


class _Crew:
    """The forked workers, each with a pipe on which the parent sends the nav's pages."""

    def __init__(self, site: _Site, workers: int) -> None:
        self.site, self.workers = site, workers
        self.stack = ExitStack()
        self.jobs: list[Background[Report]] = []
        self.pipes: list[Connection] = []

    def __enter__(self) -> _Crew:
        context = multiprocessing.get_context("fork")
        counter: Synchronized[int] = context.Value("q", 0)  # the next chunk to take
        pipes = [context.Pipe(duplex=False) for _ in range(self.workers)]
        for number in range(self.workers):
            others = [c for i, (r, s) in enumerate(pipes) for c in (r, s) if i != number]
            work = _Worker(self.site, counter, pipes[number][0], [pipes[number][1], *others])
            job: Background[Report] = Background(
                f"site worker {number + 1} of {self.workers}", work, fork=True
            )
            self.stack.callback(job.cancel)
            self.jobs.append(job)
        for receive, send in pipes:
            receive.close()
            self.stack.callback(send.close)
            self.pipes.append(send)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stack.close()

    def send(self, states: list[State]) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):  # a worker that died: its job says how
                pipe.send(states)
            pipe.close()

    def reports(self) -> list[Report]:
        reports = []
        for job in self.jobs:
            try:
                reports.append(job.result())
            except BackgroundError as exc:
                raise BuildError(
                    f"the site build failed: {exc}; the previous site is left as it was"
                ) from None
        return reports


class _Worker:
    """A worker's work: chunk after chunk of pages, populated, then built once the parent has
    sent the pages in the navigation (which every page's template shows)."""

    def __init__(
        self,
        site: _Site,
        counter: Synchronized[int],
        pipe: Connection,
        not_mine: list[Connection],
    ) -> None:
        self.site, self.counter, self.pipe, self.not_mine = site, counter, pipe, not_mine
        self.ready = False
        self.held: list[int] = []
        self.report = Report()

    def __call__(self) -> Report:
        for connection in self.not_mine:
            connection.close()
        report = self.report
        report.lines = self.site.log.divert()
        start, waited = time.process_time(), _run_queue_seconds()
        try:
            while (chunk := self._next_chunk()) is not None:
                for index in chunk:
                    if index not in self.site.shared:
                        self.site.log.where = (POPULATE, index)
                        _populate(self.site, index)
                    self.held.append(index)
                    self._build_held(wait=False)
                report.pages += len(chunk)
            self._build_held(wait=True)
        except Exception as exc:  # reported to the parent with the log that led to it
            report.error = f"{type(exc).__name__}: {exc}"
        report.seconds = time.process_time() - start
        report.waited = _run_queue_seconds() - waited
        return report

    def _next_chunk(self) -> range | None:
        with self.counter.get_lock():
            number = self.counter.value
            self.counter.value += 1
        first = number * self.site.chunk
        if first >= len(self.site.pages):
            return None
        return range(first, min(first + self.site.chunk, len(self.site.pages)))

    def _build_held(self, *, wait: bool) -> None:
        if not self.ready:
            if not (wait or self.pipe.poll()):
                return
            for state in self.pipe.recv():
                _restore(self.site, state)
            self.pipe.close()
            self.ready = True
        for index in self.held:
            self.report.facts.append(_build_one(self.site, index))
        self.held.clear()


def _run_queue_seconds() -> float:
    """How long this process has waited, ready to run, for a processor (0 off Linux)."""
    try:
        return int(Path("/proc/self/schedstat").read_text().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


def _build_one(site: _Site, index: int) -> Facts:
    """Build the populated page at ``index``: its template, ``on_post_page``, its file."""
    from mkdocs.commands.build import _build_page

    file = site.pages[index]
    page = file.page
    assert page is not None
    gathered = _gathered_lists(site.config)
    marks = [len(items) for items in gathered]
    site.log.where = (BUILD, index)
    inclusion: Any = file.inclusion
    excluded = inclusion.is_excluded()
    _build_page(page, site.config, site.pages, site.nav, site.env, excluded=excluded)
    facts = Facts(
        index,
        _anchors(page),
        _links(page),
        tuple(items[mark:] for items, mark in zip(gathered, marks, strict=True)),
    )
    if index not in site.shared:
        page.markdown = page.content = None  # built and written: free it in this worker
    return facts


def _take_back(site: _Site, reports: list[Report]) -> None:
    """Give the parent's pages what the workers learnt, in page order; fail on a failure."""
    gathered = _gathered_lists(site.config)
    for fact in sorted((f for r in reports for f in r.facts), key=lambda f: f.index):
        for items, more in zip(gathered, fact.gathered, strict=True):
            items.extend(more)
        if fact.index in site.shared:
            continue  # populated here
        page = site.pages[fact.index].page
        assert page is not None
        _give(site, page, fact.anchors, fact.links)
    replay(line for report in reports for line in report.lines)
    errors = [f"worker {n + 1}: {r.error}" for n, r in enumerate(reports) if r.error]
    if errors:
        raise BuildError(
            "the site build failed in "
            + "; ".join(errors)
            + "; the previous site is left as it was"
        )


def _file(files: Files, uri: str) -> File:
    file = files.get_file_from_path(uri)
    assert file is not None, uri
    return file


def _after_pages(site: _Site) -> None:
    """What MkDocs does after the pages: templates (a page of the same name wins), anchor
    validation, ``on_post_build``."""
    from mkdocs.commands.build import _build_extra_template, _build_theme_template

    config, files, nav = site.config, site.files, site.nav
    written = {file.dest_uri for file in site.pages}
    for template in sorted(config.theme.static_templates):
        if template not in written:
            _build_theme_template(template, site.env, files, config, nav)
    for template in config.extra_templates:
        extra = files.get_file_from_path(template)
        if extra is None or extra.dest_uri not in written:
            _build_extra_template(template, files, config, nav)
    level = config.validation.links.anchors
    for file in site.pages:
        assert file.page is not None
        file.page.validate_anchor_links(files=files, log_level=level)
    config.plugins.on_post_build(config=config)
