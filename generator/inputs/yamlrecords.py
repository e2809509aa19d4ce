"""Hand-written YAML records (``data/records/**/*.yaml`` or ``*.yml``).

One mapping per file, or a list of them, with the keys ``title`` (required), ``abstract``,
``arxiv``, ``authors`` (a list of names), ``date`` (``YYYY-MM-DD``, or ``YYYY-MM`` when only the
month is known), ``topics`` (a list of topic slugs), ``note``, and where a curator checked the
facts: ``verified_at`` (the page whose title and abstract matched the paper's),
``authors_from`` and ``date_from`` (the pages those came from, when others), each an http(s)
URL. A key not in that list is an error, not ignored: a typo such as ``abstarct`` must not
silently drop a field.

A record without an abstract is an *annotation*: it names a paper of the knowledge base, by its
title or its arXiv id, and adds what it gives (:mod:`generator.stages.dedupe.annotations`
checks that it names one, and only one). arXiv ids are accepted as ``2401.04081``,
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
from generator.inputs.fields import LIMITS, arxiv_id, one_line, shown, web_url
from generator.inputs.yamlcheck import TAG, Checker, compose, is_string, kind, line
from generator.layout import SLUG
from generator.model import ANNOTATION, Entry, Metadata, Origin, Source

#: Keys of a hand-written record, in the order problems list them.
YAML_KEYS = (
    "title",
    "abstract",
    "arxiv",
    "authors",
    "date",
    "topics",
    "note",
    "verified_at",
    "authors_from",
    "date_from",
)
#: The keys that say where a curator checked the facts: http(s) URLs.
EVIDENCE_KEYS = ("verified_at", "authors_from", "date_from")
#: A day, or a month (``2024-06``: what an arXiv id says of its first version).
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}(?:-[0-9]{2})?")


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
        need = "a date YYYY-MM-DD (or a month, YYYY-MM)"
        if not (isinstance(node, ScalarNode) and node.tag in (TAG + "str", TAG + "timestamp")):
            self.problem(node, f"{where}'date' must be {need}, got {kind(node)}")
            return None
        text = str(node.value).strip()
        try:
            if _ISO_DATE.fullmatch(text) is None:
                raise ValueError(text)
            if len(text) == 7:
                return datetime.date.fromisoformat(text + "-01").isoformat()[:7]
            return datetime.date.fromisoformat(text).isoformat()
        except ValueError:
            self.problem(node, f"{where}'date' must be {need}, got {shown(text)}")
            return None

    def evidence(self, keys: Mapping[str, Node], where: str) -> tuple[str, ...]:
        """The URLs of :data:`EVIDENCE_KEYS`, each an absolute http(s) URL, without repeats."""
        found: list[str] = []
        for key in EVIDENCE_KEYS:
            text = self.text(keys, key, where)
            if text is None:
                continue
            url = web_url(text)
            if url is None:
                self.problem(keys[key], f"{where}{key!r} must be an http(s) URL, got {shown(text)}")
            else:
                found.append(url)
        return tuple(dict.fromkeys(found))

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
        if "title" not in keys:
            self.problem(node, f"{where}missing 'title'")
        title = self.capped(keys, "title", where)
        annotation = "abstract" not in keys
        abstract = "" if annotation else self.capped(keys, "abstract", where)
        authors = self.strings(keys, "authors", where) or []
        meta = Metadata(
            arxiv=self.arxiv(keys, where),
            authors=tuple(one_line(str(a.value)) for a in authors),
            published=self.date(keys, where),
            note=self.text(keys, "note", where),
            topics=self.topics(keys, where),
            verified=self.evidence(keys, where),
        )
        if len(self.problems) > before or title is None or abstract is None:
            return None
        origin: Origin = ANNOTATION if annotation else "record"
        return Entry(title, abstract, Source(self.file, line(node)), origin, meta)

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
