"""Generated files as a mapping of docs-relative path -> content, made when they are written.

Holding every generated page as text at once cost more memory than anything else in a run
(100,000 papers: about 1 GB of ``str``, and the one-string ``papers.json`` several hundred MB
more while it was joined). So a file's content may be :class:`Deferred`: a pure function that
makes it, called when the writer (or anyone reading the plan) asks for the file and dropped
after. Rendering is pure, so asking twice gives the same text; inputs are all checked before
anything is rendered or written.

:class:`Files` is a ``Mapping[str, str]`` (reading a deferred file renders it), in path order,
plus :meth:`Files.encoded`, the UTF-8 bytes of one file, which the writer uses: a file made of
chunks (``papers.json``: one per paper) is encoded chunk by chunk, never joined as one string.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import ParamSpec

P = ParamSpec("P")


@dataclass(frozen=True, slots=True)
class Deferred:
    """Content made on demand: ``chunks()`` gives the file's text in pieces, in order."""

    chunks: Callable[[], Iterable[str]]

    def text(self) -> str:
        return "".join(self.chunks())

    def encoded(self) -> bytes:
        return b"".join(chunk.encode("utf-8") for chunk in self.chunks())


Content = str | Deferred


def deferred(make: Callable[P, str], *args: P.args, **kwargs: P.kwargs) -> Deferred:
    """``make(*args, **kwargs)`` as deferred content of one chunk."""
    call = functools.partial(make, *args, **kwargs)
    return Deferred(lambda: (call(),))


class Files(Mapping[str, str]):
    """Generated files in path order; deferred contents are made each time they are read."""

    __slots__ = ("_contents",)

    def __init__(self, contents: Mapping[str, Content] | None = None) -> None:
        if isinstance(contents, Files):
            contents = contents.contents()
        self._contents: dict[str, Content] = dict(sorted((contents or {}).items()))

    def __getitem__(self, rel: str) -> str:
        content = self._contents[rel]
        return content if isinstance(content, str) else content.text()

    def __iter__(self) -> Iterator[str]:
        return iter(self._contents)

    def __len__(self) -> int:
        return len(self._contents)

    def __contains__(self, rel: object) -> bool:
        return rel in self._contents

    def __repr__(self) -> str:
        return f"Files({len(self)} files)"

    def contents(self) -> dict[str, Content]:
        """Path -> content as held (text or :class:`Deferred`), without making anything."""
        return dict(self._contents)

    def encoded(self, rel: str) -> bytes:
        """The UTF-8 bytes of the file at ``rel``."""
        content = self._contents[rel]
        return content.encode("utf-8") if isinstance(content, str) else content.encoded()

    def __or__(self, other: Mapping[str, Content]) -> Files:
        extra = other.contents() if isinstance(other, Files) else other
        return Files({**self._contents, **extra})


def encoded(files: Mapping[str, str], rel: str) -> bytes:
    """The UTF-8 bytes of ``files[rel]``, chunk by chunk when ``files`` is :class:`Files`."""
    return files.encoded(rel) if isinstance(files, Files) else files[rel].encode("utf-8")
