"""``paperkb build``'s site build: MkDocs, in this process, through its Python API.

:func:`build_site` loads the configuration (``strict``: a configuration warning fails too,
as in ``mkdocs build --strict``), runs the build with :class:`generator.sitebuild.logs.Warnings`
on MkDocs' logger, and fails on any warning or error it counted, a plugin's or a hook's
included; each one is printed as it comes. The pages are built in as many processes as this
process may run on (``os.sched_getaffinity``; :mod:`generator.sitebuild.parallel`), or by
MkDocs' own one-process ``build`` with ``processes=1`` (``--one-process``), for a small site
(:data:`generator.runtime.background.SECOND_PROCESS_FROM`), on one core, off Linux, or when a
plugin may keep state across pages. Both give the same bytes.

The site goes into a folder beside the target and is swapped in when the build succeeded
(:mod:`generator.sitebuild.folders`).
"""

from __future__ import annotations

import os
import shutil
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import BuildError, UsageError
from generator.runtime.background import FORK_AVAILABLE, worth_a_second_process
from generator.sitebuild import folders, parallel
from generator.sitebuild.logs import Warnings, counting

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

# Material prints an end-of-life banner (with terminal colour codes) when it believes it runs
# under the `mkdocs` command; paperkb is not that command, and says nothing of the kind.
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


@dataclass(frozen=True, slots=True)
class Built:
    """How a site was built."""

    pages: int
    processes: int
    seconds: float
    timing: parallel.Timing | None
    """The parallel build's figures; None for the one-process build."""
    serial_reason: str | None = None
    """Why the pages were built in one process when more were possible."""


def site_url(value: str) -> str:
    """``value`` as the site's address (a trailing slash added), or :class:`UsageError`."""
    parts = urllib.parse.urlsplit(value)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or any(ch.isspace() or ord(ch) < 0x20 for ch in value)
    ):
        raise UsageError(f"--site-url / SITE_URL must be an absolute http(s) URL: {value!r}")
    return value if value.endswith("/") else value + "/"


def cores() -> int:
    """How many processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def build_site(
    config: Path,
    site: Path,
    *,
    url: str | None = None,
    processes: int | None = None,
    show: bool = True,
) -> Built:
    """Build the site of ``config`` into ``site`` strictly; replace ``site`` only on success.

    ``url`` (checked by :func:`site_url`) overrides the configuration's ``site_url``;
    ``processes`` None means every core, 1 the one-process build. Warnings are printed when
    ``show``. Raises :class:`BuildError` on any warning or failure, the last site untouched.
    """
    site = site.resolve()
    site.parent.mkdir(parents=True, exist_ok=True)
    folders.remove_leftovers(site)
    reason = folders.unreplaceable(site)
    if reason is not None:
        raise UsageError(f"--site {site}: {reason}")
    staging = folders.staging_folder(site)
    try:
        built = _run(config, staging, url, processes, show)
        folders.mark(staging)
        folders.swap_in(staging, site)
        return built
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _run(config: Path, out: Path, url: str | None, processes: int | None, show: bool) -> Built:
    start = time.perf_counter()
    with counting(show=show) as log:
        try:
            built = _build(config, out, url, processes, log)
        except Exception as exc:  # MkDocs' Abort is a ClickException too
            if isinstance(exc, BuildError) and not log.lines:
                raise
            raise _failure(log, exc) from None
        if log.lines:
            raise _failure(log, None)
    return Built(
        built.pages, built.processes, time.perf_counter() - start, built.timing, built.reason
    )


@dataclass(frozen=True, slots=True)
class _Done:
    pages: int
    processes: int
    timing: parallel.Timing | None
    reason: str | None


def _build(
    config_file: Path, out: Path, url: str | None, processes: int | None, log: Warnings
) -> _Done:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    overrides = {"site_url": url} if url else {}
    config = load_config(str(config_file), site_dir=str(out), strict=True, **overrides)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        workers, reason = _workers(config, processes)
        if workers > 1:
            timing = parallel.build(config, log, workers)
            return _Done(timing.pages, workers, timing, None)
        build(config)
        return _Done(_page_count(config), 1, None, reason)
    finally:
        config.plugins.on_shutdown()


def _workers(config: MkDocsConfig, processes: int | None) -> tuple[int, str | None]:
    """How many processes build the pages, and why one when more were possible."""
    wanted = cores() if processes is None else processes
    if wanted <= 1:
        return 1, None
    if not FORK_AVAILABLE:
        return 1, "no fork on this platform"
    pages = _page_count(config)
    if processes is None and not worth_a_second_process("site", pages, parallel=True):
        return 1, None
    reason = parallel.unsplittable(config)
    if reason is not None:
        return 1, reason
    return min(wanted, max(1, pages)), None


def _page_count(config: MkDocsConfig) -> int:
    """Markdown files in the docs folder: what the build will make pages of."""
    docs = Path(config.docs_dir)
    return sum(1 for path in docs.rglob("*.md") if path.is_file())


def _failure(log: Warnings, exc: BaseException | None) -> BuildError:
    """The error that fails the build, with every warning and error MkDocs logged."""
    shown = "\n".join(f"  {line}" for line in log.lines)
    what = f"{len(log.lines)} warnings or errors"
    if exc is not None and not isinstance(exc, SystemExit):
        shown += ("\n" if shown else "") + f"  {type(exc).__name__}: {exc}"
    return BuildError(
        f"mkdocs build --strict failed ({what}); the previous site is left as it was"
        + (f":\n{shown}" if shown else "")
    )
