"""MkDocs' log during a build: every warning counted and printed, as MkDocs' strict mode counts.

MkDocs' ``--strict`` counts what reaches its logger (``mkdocs`` and every logger under it:
its own modules, ``mkdocs.plugins.*``, hooks that log there) at level WARNING or above, with a
logging handler (``mkdocs.utils.CountHandler``). :class:`Warnings` is such a handler: it counts
the same records, prints each one as it comes (``  mkdocs: WARNING: ...`` on stderr), and keeps
their text for the error that fails the build. Informational lines are not shown.

In a worker process of a parallel build (:mod:`generator.sitebuild.parallel`) the handler
keeps the records instead (:meth:`Warnings.divert`), tagged with the page they belong to, and
the parent hands them back to MkDocs' logger in page order (:func:`replay`): the parent counts
and prints them like its own, and any other handler on the logger sees them too.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import NamedTuple

LOGGER = "mkdocs"


class Line(NamedTuple):
    """One record a worker kept: where in the build it came from, and what it said."""

    phase: int
    page: int
    seq: int
    name: str
    levelno: int
    message: str


class Warnings(logging.Handler):
    """Counts and prints the records of MkDocs' logger at WARNING and above."""

    def __init__(self, *, show: bool = True) -> None:
        super().__init__(level=logging.WARNING)
        self.show = show
        self.lines: list[str] = []
        self.kept: list[Line] | None = None
        self.where = (0, 0)

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if self.kept is not None:
            phase, page = self.where
            self.kept.append(
                Line(phase, page, len(self.kept), record.name, record.levelno, message)
            )
            return
        line = f"{record.levelname}: {message}"
        self.lines.append(line)
        if self.show:
            print(f"  mkdocs: {line}", file=sys.stderr, flush=True)

    def divert(self) -> list[Line]:
        """From now on keep records (in a worker) instead of counting and printing them."""
        self.kept = []
        return self.kept


def replay(lines: Iterable[Line]) -> None:
    """Hand records a worker kept to their loggers again, in build order."""
    for line in sorted(lines):
        record = logging.makeLogRecord(
            {
                "name": line.name,
                "levelno": line.levelno,
                "levelname": logging.getLevelName(line.levelno),
                "msg": line.message,
            }
        )
        logging.getLogger(line.name).handle(record)


@contextmanager
def counting(*, show: bool = True) -> Iterator[Warnings]:
    """A :class:`Warnings` handler on MkDocs' logger during the block.

    The logger's level is lowered to WARNING if it was higher, so that no warning is
    filtered out before the handler sees it (MkDocs' ``--quiet`` would hide them from its own
    counter too); it is restored afterwards.
    """
    logger = logging.getLogger(LOGGER)
    handler = Warnings(show=show)
    level = logger.level
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
