"""One pure function computed in a second process while this one goes on.

A run is CPU-bound Python, and Python runs one thread of Python at a time; the machines this
project targets have two cores. The related-papers computation (:mod:`generator.stages.link`) needs
only the deduplicated papers' titles and abstracts, and nothing that comes after it needs its
result until the pages are made: so it can run in a second process while this one classifies
and builds the search index. At 100k papers that takes it off the critical path entirely.

The second process is a *fork* of this one, so it starts at once and reads the papers from the
memory it shares with this process (copy-on-write) instead of receiving a copy; only the result
is sent back, pickled through a pipe. Fork is only used on Linux, where it is the default start
method and reliable; elsewhere, or with ``enabled=False``, the function simply runs in this
process when its result is first asked for. Either way the result is the same value: the
function must be pure, which is what makes the choice invisible (tests run both ways).

The function's exception is raised again here (or, if it cannot be pickled, a
:class:`BackgroundError` carrying its traceback), and a worker that dies without answering (the
kernel's out-of-memory killer, a signal) is a :class:`BackgroundError` naming its exit code. A
worker whose result is never asked for (this process failed first) is killed on leaving the
``with`` block, and a worker whose parent is killed dies with it (``PR_SET_PDEATHSIG``), so no
run leaves a process behind, writing or not.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Generic, TypeVar, cast

T = TypeVar("T")

#: Start a second process only where ``fork`` is the platform's reliable default.
FORK_AVAILABLE = sys.platform.startswith("linux")
#: The one place that decides which work is worth a second process, by its size: below these
#: the work stays in this process, where starting a second one would cost more than it saves.
#: ``link``: papers (the shipped corpus links in a tenth of a second); ``write``: files;
#: ``site``: pages of the site build (a page takes 1-3 ms, a fork a few: worth it early).
SECOND_PROCESS_FROM = {"link": 1_000, "write": 2_000, "site": 200}


def worth_a_second_process(work: str, size: int, *, parallel: bool) -> bool:
    """Whether ``work`` (a key of :data:`SECOND_PROCESS_FROM`) of ``size`` items gets a second
    process; never when the run was asked for one process (``parallel=False``)."""
    return parallel and size >= SECOND_PROCESS_FROM[work]


class BackgroundError(RuntimeError):
    """The background computation failed in a way that has no exception of its own to raise."""


class Background(Generic[T]):
    """A value being computed; :meth:`result` waits for it (or computes it, if not forked)."""

    def __init__(self, name: str, fn: Callable[[], T], fork: bool, *, daemon: bool = True) -> None:
        self.name = name
        self.daemon = daemon
        self._fn: Callable[[], T] | None = fn
        self._process: multiprocessing.process.BaseProcess | None = None
        self._receive: Connection | None = None
        self._done = False
        self._value: T | None = None
        if fork:
            self._start()

    def _start(self) -> None:
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        fn = self._fn
        assert fn is not None

        parent = os.getpid()

        def work() -> None:
            _die_with(parent)
            receive.close()
            try:
                send.send(("value", fn()))
            except BaseException as exc:  # every failure goes to the parent, pickled if it can be
                try:
                    send.send(("error", exc))
                except Exception:
                    text = "".join(traceback.format_exception(exc))
                    send.send(("error", BackgroundError(f"{self.name} failed:\n{text}")))
            send.close()

        # Output still buffered here would be written a second time by the child.
        sys.stdout.flush()
        sys.stderr.flush()
        process = context.Process(target=work, name=f"paperkb {self.name}", daemon=self.daemon)
        process.start()
        send.close()
        self._process, self._receive, self._fn = process, receive, None

    def result(self) -> T:
        """The function's value; its exception if it raised one."""
        if not self._done:
            self._value = self._wait() if self._process is not None else self._run()
            self._done = True
        return cast(T, self._value)

    def _run(self) -> T:
        fn, self._fn = self._fn, None
        assert fn is not None
        return fn()

    def _wait(self) -> T:
        process, receive = self._process, self._receive
        assert process is not None and receive is not None
        try:
            kind, value = receive.recv()
        except EOFError:
            process.join()
            raise BackgroundError(
                f"{self.name} stopped without a result (exit code {process.exitcode}; "
                "a negative code is the signal that ended it, -9 often the out-of-memory killer)"
            ) from None
        finally:
            receive.close()
        process.join()
        self._process = None
        if kind == "error":
            raise cast(BaseException, value)
        return cast(T, value)

    def cancel(self) -> None:
        """Stop a worker whose result is no longer wanted."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.join()
        if self._receive is not None:
            self._receive.close()
        self._fn = None


#: ``prctl`` option: the signal this process gets when the thread that forked it ends.
_PR_SET_PDEATHSIG = 1


def _die_with(parent: int) -> None:
    """Make this forked worker end when ``parent`` does, a ``kill -9`` included.

    Without it, a second writer whose parent was killed goes on writing into ``docs/`` for
    seconds. Linux only (``prctl``); the parent may have died before the call: then stop now.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # pragma: no cover - not Linux, or no libc symbols
        return
    if os.getppid() != parent:
        os._exit(1)


@contextmanager
def background(
    name: str, fn: Callable[[], T], *, enabled: bool = True, daemon: bool = True
) -> Iterator[Background[T]]:
    """``fn()`` computed in a forked process (if ``enabled`` and on Linux) during the block.

    Ask for the value with ``.result()`` inside the block; leaving the block without asking
    stops the worker. ``daemon=False`` for a function that starts processes of its own (a whole
    ``generate``): Python forbids a daemonic process children.
    """
    job = Background(name, fn, fork=enabled and FORK_AVAILABLE, daemon=daemon)
    try:
        yield job
    finally:
        job.cancel()
