"""The exceptions paperkb raises; the CLI alone turns them into exit codes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with one input, located as precisely as we can."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.message}"


class PaperkbError(Exception):
    """Base class of every error paperkb reports to a user."""


class InputError(PaperkbError):
    """The data directory holds problems; every one of them is listed."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = tuple(sorted(problems))
        noun = "problem" if len(self.problems) == 1 else "problems"
        lines = [f"{len(self.problems)} {noun} in the input; nothing was written:"]
        lines += [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class WriteError(PaperkbError):
    """Writing the generated pages would clobber something paperkb does not own."""


class BuildError(PaperkbError):
    """MkDocs failed or warned during a strict build."""
