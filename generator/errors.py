"""The exceptions paperkb raises; the CLI alone turns them into exit codes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one input, located as precisely as we can.

    A *warning* is a problem the run can survive by rejecting one entry (a title whose
    abstract is missing, say): the entry is listed as rejected in the account, and ``--strict``
    (always on in ``paperkb check``) turns it into an error.
    """

    file: str
    line: int | None
    message: str
    warning: bool = False

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        kind = "warning: " if self.warning else ""
        return f"{where}: {kind}{self.message}"

    @property
    def sort_key(self) -> tuple[str, int, str]:
        return (self.file, self.line or 0, self.message)


class PaperkbError(Exception):
    """Base class of every error paperkb reports to a user."""


#: Problems (or rejected entries) printed at most; the rest are counted. A data folder pointed
#: at the wrong place can hold a hundred thousand of them.
SHOWN_PROBLEMS = 200


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 problem``, ``2 problems``: the count with its noun (``many``, else ``noun + "s"``)."""
    return f"{count:,} {noun if count == 1 else many or noun + 's'}"


def listed(problems: Sequence[Problem], limit: int = SHOWN_PROBLEMS) -> list[str]:
    """Lines for the first ``limit`` problems, then one line counting the others and their
    files."""
    lines = [f"  {p}" for p in problems[:limit]]
    rest = problems[limit:]
    if rest:
        files = len({p.file for p in rest})
        lines.append(f"  ... and {plural(len(rest), 'more problem')} in {plural(files, 'file')}")
    return lines


class InputError(PaperkbError):
    """The data directory holds problems; every one is kept in :attr:`problems`, and the first
    :data:`SHOWN_PROBLEMS` are listed in the message."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(sorted(problems, key=lambda p: p.sort_key))
        lines = [f"{plural(len(self.problems), 'problem')} in the input; nothing was written:"]
        lines += listed(self.problems)
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[type[InputError], tuple[tuple[Problem, ...]]]:
        # Raised in a forked process too (``paperkb build`` generates apart): pickled whole.
        return (InputError, (self.problems,))


class WriteError(PaperkbError):
    """Writing would clobber something paperkb does not own, or a file cannot be written."""


class BuildError(PaperkbError):
    """MkDocs failed or warned during a strict build."""


class UsageError(PaperkbError):
    """The command was asked for something it refuses before doing any work (exit code 2): an
    output folder that would replace the sources, a site URL that is not one."""
