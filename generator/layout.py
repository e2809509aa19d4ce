"""Names the generated site reserves: one home for the rule, read by every input reader.

A paper id, a topic slug or an author slug is a file name in its folder of ``docs/``
(``papers/<id>.md``, ``topics/<slug>.md``, ``authors/<slug>.md``). ``index`` is each folder's
own index page (the A-Z list, the topic index, the author index), and the DOS device names are
files no Windows checkout can hold. A name from the inputs that is one of these is an error at
its file and line wherever it is read (registry, taxonomy); names paperkb makes itself avoid
them (:func:`generator.stages.permalinks.make_slug`, :func:`generator.stages.authors.author_slug`).
"""

from __future__ import annotations

#: File names (without suffix) that no paper, topic or author may take.
RESERVED_NAMES = frozenset(
    {"index", "con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(10)}
    | {f"lpt{i}" for i in range(10)}
)


def reserved_reason(name: str) -> str | None:
    """Why ``name`` cannot be a page's file name, or ``None`` when it can."""
    if name == "index":
        return "it is the name of the folder's index page"
    if name in RESERVED_NAMES:
        return "it is a device name that Windows cannot use as a file name"
    return None
