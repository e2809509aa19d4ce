"""Hand-written YAML records (``data/records/**/*.yaml`` or ``*.yml``).

One mapping per file, or a list of them, with the keys ``title`` and ``abstract`` (required),
``arxiv``, ``authors`` (a list of names), ``date`` (``YYYY-MM-DD``), ``topics`` (a list of topic
slugs) and ``note``. A key not in that list is an error, not ignored: a typo such as
``abstarct`` must not silently drop a field. arXiv ids are accepted as ``2401.04081``,
``2401.04081v2``, ``cs/0112017v1``, with or without an ``arXiv:`` prefix, and stored without
prefix and version: every version is the same paper. Author names keep their spelling, with
runs of whitespace collapsed.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection, Mapping

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.errors import Problem
from generator.inputs.fields import LIMITS, arxiv_id, one_line, shown
from generator.inputs.yamlcheck import TAG, Checker, compose, is_string, kind, line
from generator.layout import SLUG
from generator.model import Entry, Metadata, Source

#: Keys of a hand-written record, in the order problems list them.
YAML_KEYS = ("title", "abstract", "arxiv", "authors", "date", "topics", "note")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class _YamlChecker(Checker):
    def __init__(self, file: str, known: Collection[str] | None = None) -> None:
        super().__init__(file)
        self.known = known
        """The taxonomy's topic slugs a record may pin (``None``: not checked here)."""

    def text(self, keys: Mapping[str, Node], key: str, where: str) -> str | None:
        """A non-empty string value, or ``None`` (reported when present but malformed)."""
        node = keys.get(key)
        if node is None:
            return None
        if not is_string(node):
            self.problem(node, f"{where}{key!r} must be a string, got {kind(node)}")
            return None
        value = str(node.value)
        if not value.strip():
            self.problem(node, f"{where}{key!r} must not be empty")
            return None
        return value.strip()

    def capped(self, keys: Mapping[str, Node], key: str, where: str) -> str | None:
        """:meth:`text`, refused when longer than the field's limit."""
        value = self.text(keys, key, where)
        limit = LIMITS[key]
        if value is not None and len(value) > limit:
            self.problem(
                keys[key],
                f"{where}{key!r} has {len(value):,} characters, longer than the limit of {limit:,}",
            )
            return None
        return value

    def strings(self, keys: Mapping[str, Node], key: str, where: str) -> list[ScalarNode] | None:
        """The items of a list of strings, or ``None`` when the list is absent or malformed."""
        node = keys.get(key)
        if node is None:
            return None
        items = self.string_list(node, f"{where}{key!r}")
        return items if items is not None and len(items) == len(node.value) else None

    def arxiv(self, keys: Mapping[str, Node], where: str) -> str | None:
        node = keys.get("arxiv")
        if node is None:
            return None
        # Unquoted, ``2401.04081`` is a YAML float; its text is the id all the same.
        if not (isinstance(node, ScalarNode) and node.tag in (TAG + "str", TAG + "float")):
            self.problem(node, f"{where}'arxiv' must be an arXiv id, got {kind(node)}")
            return None
        found = arxiv_id(str(node.value))
        if found is None:
            self.problem(
                node,
                f"{where}'arxiv' is not an arXiv id (like 2401.04081 or cs/0112017): "
                f"{shown(str(node.value))}",
            )
        return found

    def date(self, keys: Mapping[str, Node], where: str) -> str | None:
        node = keys.get("date")
        if node is None:
            return None
        # Unquoted, ``2024-01-08`` is a YAML timestamp (a ``datetime.date`` when loaded).
        if not (isinstance(node, ScalarNode) and node.tag in (TAG + "str", TAG + "timestamp")):
            self.problem(node, f"{where}'date' must be a date YYYY-MM-DD, got {kind(node)}")
            return None
        text = str(node.value).strip()
        try:
            if _ISO_DATE.fullmatch(text) is None:
                raise ValueError(text)
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            self.problem(node, f"{where}'date' must be a date YYYY-MM-DD, got {shown(text)}")
            return None

    def topics(self, keys: Mapping[str, Node], where: str) -> tuple[str, ...]:
        items = self.strings(keys, "topics", where)
        if items is None:
            return ()
        slugs: set[str] = set()
        for item in items:
            slug = str(item.value).strip()
            if SLUG.fullmatch(slug) is None:
                self.problem(
                    item,
                    f"{where}topic {shown(slug)} is not a topic slug (lowercase ASCII letters "
                    "and digits in words joined by single hyphens, like 'image-generation')",
                )
            elif self.known is not None and slug not in self.known:
                self.problem(
                    item,
                    f"{where}topics: {slug!r} is not a topic of data/topics.yaml "
                    f"(known: {', '.join(sorted(self.known)) or 'none'})",
                )
            else:
                slugs.add(slug)
        return tuple(sorted(slugs))

    def record(self, node: Node, where: str) -> Entry | None:
        """The entry of one record mapping, or ``None`` when it has any problem."""
        if not isinstance(node, MappingNode):
            self.problem(node, f"{where}a record must be a mapping, got {kind(node)}")
            return None
        before = len(self.problems)
        keys = self.mapping(node, where, YAML_KEYS)
        for required in ("title", "abstract"):
            if required not in keys:
                self.problem(node, f"{where}missing {required!r}")
        title = self.capped(keys, "title", where)
        abstract = self.capped(keys, "abstract", where)
        authors = self.strings(keys, "authors", where) or []
        meta = Metadata(
            arxiv=self.arxiv(keys, where),
            authors=tuple(one_line(str(a.value)) for a in authors),
            published=self.date(keys, where),
            note=self.text(keys, "note", where),
            topics=self.topics(keys, where),
        )
        if len(self.problems) > before or title is None or abstract is None:
            return None
        return Entry(title, abstract, Source(self.file, line(node)), "record", meta)

    def document(self, root: Node | None) -> list[Entry]:
        if root is None:
            self.problems.append(Problem(self.file, None, "no records: the file is empty"))
            return []
        if isinstance(root, MappingNode):
            found = self.record(root, "")
            return [found] if found else []
        if not isinstance(root, SequenceNode):
            self.problem(
                root, f"the top level must be a record or a list of records, got {kind(root)}"
            )
            return []
        if not root.value:
            self.problem(root, "no records: the list is empty")
        entries = []
        for number, item in enumerate(root.value, start=1):
            found = self.record(item, f"record {number}: ")
            if found is not None:
                entries.append(found)
        return entries


def parse_yaml_records(
    text: str, file: str, topics: Collection[str] | None = None
) -> tuple[list[Entry], list[Problem]]:
    """The entries of one hand-written YAML records file, and every problem in it.

    With ``topics`` (the taxonomy's slugs), a pinned topic that is not one of them is a problem
    at its own line, reported with the record's other problems.
    """
    root, problems = compose(text, file)
    if problems:
        return [], problems
    checker = _YamlChecker(file, topics)
    entries = checker.document(root)
    return entries, checker.problems
