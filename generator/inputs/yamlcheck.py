"""Strict, located validation of the YAML files in ``data/`` (taxonomy, overrides).

Files are composed into a node tree (not loaded), so every problem can name the 1-based line of
the node it is about, and a :class:`Checker` collects every problem instead of stopping at the
first, as MkDocs' config validation does.
"""

from __future__ import annotations

from typing import TypeGuard

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.errors import Problem
from generator.text.encodable import may_hold_surrogates, surrogate_problem

TAG = "tag:yaml.org,2002:"
_KINDS = {
    "str": "a string",
    "int": "an integer",
    "float": "a number",
    "bool": "a boolean",
    "null": "null",
    "timestamp": "a date",
    "binary": "binary data",
}


def line(node: Node) -> int:
    """The 1-based line a node starts on."""
    return int(node.start_mark.line) + 1


def kind(node: Node) -> str:
    """What a node is, in words, for messages such as "got a list"."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return _KINDS.get(node.tag.removeprefix(TAG), f"a value tagged {node.tag}")


def is_string(node: Node | None) -> TypeGuard[ScalarNode]:
    """Whether a node is a plain string scalar."""
    return isinstance(node, ScalarNode) and node.tag == TAG + "str"


#: No data file needs more nesting than this; deeper files are refused before they are composed
#: (PyYAML composes recursively, and 20,000 levels exhaust Python's stack).
MAX_DEPTH = 100


def compose(text: str, file: str) -> tuple[Node | None, list[Problem]]:
    """The node tree of ``text``, or a located problem when it is not valid YAML."""
    try:
        if (too_deep := _too_deep(text)) is not None:
            return None, [
                Problem(file, too_deep, f"nested more than {MAX_DEPTH} levels deep (refused)")
            ]
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if root is not None and may_hold_surrogates(text) and (refused := _surrogates(root, file)):
            return None, refused
        return root, []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = None if mark is None else int(mark.line) + 1
        reason = exc.problem or exc.context or "cannot be parsed"
        return None, [Problem(file, where, f"invalid YAML: {reason}")]
    except yaml.YAMLError as exc:
        return None, [Problem(file, None, f"invalid YAML: {exc}")]


def _surrogates(root: Node, file: str) -> list[Problem]:
    """Strings (keys too) that no file can hold, at their lines (walked without recursion)."""
    problems: list[Problem] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, ScalarNode):
            if isinstance(node.value, str) and (why := surrogate_problem(node.value)):
                problems.append(Problem(file, line(node), f"a string {why}"))
        elif isinstance(node, SequenceNode):
            stack.extend(reversed(node.value))
        elif isinstance(node, MappingNode):
            stack.extend(child for pair in reversed(node.value) for child in reversed(pair))
    return problems


def _too_deep(text: str) -> int | None:
    """The line where ``text`` nests deeper than :data:`MAX_DEPTH`, if it does.

    PyYAML's parser is a state machine (no recursion), so its events can be counted safely.
    Only text that could nest that deep is parsed twice: it needs a bracket, a dash or an
    indentation per level.
    """
    if text.count("[") + text.count("{") + text.count("-") + text.count("\n") < MAX_DEPTH:
        return None
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return None if event.start_mark is None else int(event.start_mark.line) + 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


class Checker:
    """Walks a composed node tree, collecting problems located at their nodes."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, node: Node | None, message: str) -> None:
        self.problems.append(Problem(self.file, None if node is None else line(node), message))

    def string_list(self, node: Node, what: str, need: str = "strings") -> list[ScalarNode] | None:
        """The non-empty string items of a list (each bad item reported), or ``None`` (reported)
        when ``node`` is not a list. The list was all good when none of its items was dropped."""
        if not isinstance(node, SequenceNode):
            self.problem(node, f"{what} must be a list of {need}, got {kind(node)}")
            return None
        items: list[ScalarNode] = []
        for number, item in enumerate(node.value, start=1):
            if not is_string(item):
                self.problem(item, f"{what} item {number} must be a string, got {kind(item)}")
            elif not str(item.value).strip():
                self.problem(item, f"{what} item {number} must not be empty")
            else:
                items.append(item)
        return items

    def mapping(self, node: MappingNode, where: str, allowed: tuple[str, ...]) -> dict[str, Node]:
        """The mapping's string keys -> value nodes; reports unknown and duplicate keys."""
        found: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not is_string(key_node):
                self.problem(key_node, f"{where}keys must be strings, got {kind(key_node)}")
                continue
            key = str(key_node.value)
            if key in found:
                self.problem(key_node, f"{where}duplicate key {key!r}")
            elif key not in allowed:
                self.problem(
                    key_node, f"{where}unknown key {key!r} (allowed: {', '.join(allowed)})"
                )
            else:
                found[key] = value_node
        return found
