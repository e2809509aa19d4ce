"""Read and validate the reviewable dedupe overrides, ``data/overrides.yaml``.

Automatic deduplication (:mod:`generator.stages.dedupe`) can be corrected by a reviewer::

    # Force these spellings / ids to be one paper.
    merge:
      - ["Scaling Laws for Neural Language Models", "Neural Scaling Laws (extended)"]
    # Never merge these two papers, whatever their similarity.
    keep_apart:
      - ["hydra-bidirectional-state-space-models", "Hydra: Sequentially-Dependent Draft Heads"]
    # A published paper id whose paper was removed from data/: where its URL leads now.
    redirects:
      old-paper-id: id-of-a-current-paper

Each name is a paper's exact title (any spelling that occurs in a listing, compared by title key) or
its permanent id from ``data/permalinks.tsv``. Validation is strict like the taxonomy's
(:mod:`generator.inputs.taxonomy`): every problem is collected with the 1-based line of the
offending YAML node. Whether a name matches a paper is checked by ``dedupe``, which knows the
papers; a name that matches none is reported there at the name's line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.datafiles import OVERRIDES_FILE
from generator.errors import Problem
from generator.inputs.yamlcheck import TAG, Checker, compose, is_string, kind, line


class Name(str):
    """A paper named by an override: a ``str`` that remembers its line in the file."""

    line: int | None

    def __new__(cls, text: str, line: int | None = None) -> Name:
        name = super().__new__(cls, text)
        name.line = line
        return name

    def __getnewargs__(self) -> tuple[str, int | None]:  # type: ignore[override]
        return (str(self), self.line)


@dataclass(frozen=True, slots=True)
class Overrides:
    """Reviewed corrections to deduplication; names are :class:`Name` (titles or ids)."""

    merge: tuple[tuple[Name, ...], ...] = ()
    keep_apart: tuple[tuple[Name, Name], ...] = ()
    redirects: tuple[tuple[Name, Name], ...] = ()
    """Retired paper ids (gone from the data) -> id of the paper their URL now leads to."""
    file: str = OVERRIDES_FILE
    """The name problems about these overrides are reported under."""


NO_OVERRIDES = Overrides()


_TOP_KEYS = ("keep_apart", "merge", "redirects")


class _Checker(Checker):
    def names(self, node: Node, what: str, exactly: int | None) -> tuple[Name, ...] | None:
        need = "2 names" if exactly == 2 else "at least 2 names"
        items = self.string_list(node, what, need)
        if items is None:
            return None
        result = [Name(" ".join(str(item.value).split()), line(item)) for item in items]
        count = len(node.value)
        ok = len(items) == count
        if (exactly is not None and count != exactly) or count < 2:
            self.problem(node, f"{what} must list {need}, got {count}")
            ok = False
        elif ok and len({n.casefold() for n in result}) < len(result):
            self.problem(node, f"{what} names the same paper twice")
            ok = False
        return tuple(result) if ok else None

    def groups(self, node: Node, key: str, exactly: int | None) -> list[tuple[Name, ...]]:
        if not isinstance(node, SequenceNode):
            self.problem(node, f"{key!r} must be a list of lists of names, got {kind(node)}")
            return []
        found: list[tuple[Name, ...]] = []
        for number, item in enumerate(node.value, start=1):
            names = self.names(item, f"{key!r} #{number}", exactly)
            if names is not None:
                found.append(names)
        return found

    def redirects(self, node: Node) -> list[tuple[Name, Name]]:
        if not isinstance(node, MappingNode):
            self.problem(node, f"'redirects' must be a mapping of old id: new id, got {kind(node)}")
            return []
        found: list[tuple[Name, Name]] = []
        seen: set[str] = set()
        for key_node, value_node in node.value:
            pair = []
            for item in (key_node, value_node):
                if not (is_string(item) and item.value):
                    self.problem(item, f"'redirects' ids must be strings, got {kind(item)}")
                    break
                pair.append(Name(str(item.value).strip(), line(item)))
            else:
                if pair[0] in seen:
                    self.problem(key_node, f"'redirects' lists {pair[0]!r} twice")
                    continue
                seen.add(pair[0])
                found.append((pair[0], pair[1]))
        return found

    def document(self, root: Node | None) -> Overrides:
        if root is None:  # an empty file (or only comments): no overrides
            return Overrides(file=self.file)
        if not isinstance(root, MappingNode):
            self.problem(
                root,
                "the top level must be a mapping with the keys 'merge', 'keep_apart' and/or "
                "'redirects', "
                f"got {kind(root)}",
            )
            return Overrides(file=self.file)
        keys = self.mapping(root, "", _TOP_KEYS)
        merge: list[tuple[Name, ...]] = []
        keep: list[tuple[Name, Name]] = []
        if "merge" in keys and not _is_null(keys["merge"]):
            merge = self.groups(keys["merge"], "merge", None)
        if "keep_apart" in keys and not _is_null(keys["keep_apart"]):
            keep = [(a, b) for a, b in self.groups(keys["keep_apart"], "keep_apart", 2)]
        redirects: list[tuple[Name, Name]] = []
        if "redirects" in keys and not _is_null(keys["redirects"]):
            redirects = self.redirects(keys["redirects"])
        return Overrides(
            merge=tuple(merge), keep_apart=tuple(keep), redirects=tuple(redirects), file=self.file
        )


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == TAG + "null"


def parse_overrides(text: str, file: str) -> tuple[Overrides, list[Problem]]:
    """The overrides in ``text`` and every problem found; a malformed item is left out.

    ``file`` is the name problems are reported under (e.g. ``overrides.yaml``).
    """
    root, problems = compose(text, file)
    if problems:
        return Overrides(file=file), problems
    checker = _Checker(file)
    overrides = checker.document(root)
    return overrides, checker.problems


def load_overrides(path: Path, display: str) -> tuple[Overrides, list[Problem]]:
    """Read ``path`` as UTF-8 and parse it. A missing file means no overrides, not a problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Overrides(file=display), []
    except UnicodeDecodeError as exc:
        problem = Problem(display, None, f"not valid UTF-8: {exc.reason} at byte {exc.start}")
        return Overrides(file=display), [problem]
    except OSError as exc:
        problem = Problem(display, None, f"cannot read the overrides: {exc.strerror or exc}")
        return Overrides(file=display), [problem]
    return parse_overrides(text, display)
