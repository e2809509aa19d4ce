"""The exceptions paperkb raises; the CLI alone turns them into exit codes."""

from __future__ import annotations

from collections.abc import Iterable
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


class InputError(PaperkbError):
    """The data directory holds problems; every one of them is listed."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(sorted(problems, key=lambda p: p.sort_key))
        noun = "problem" if len(self.problems) == 1 else "problems"
        lines = [f"{len(self.problems)} {noun} in the input; nothing was written:"]
        lines += [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[type[InputError], tuple[tuple[Problem, ...]]]:
        # Raised in a forked process too (``paperkb build`` generates apart): pickled whole.
        return (InputError, (self.problems,))


class WriteError(PaperkbError):
    """Writing the generated pages would clobber something paperkb does not own."""


class BuildError(PaperkbError):
    """MkDocs failed or warned during a strict build."""


class UsageError(PaperkbError):
    """The command was asked for something it refuses before doing any work (exit code 2): an
    output folder that would replace the sources, a site URL that is not one."""
