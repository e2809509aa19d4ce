"""Read and validate the reviewable taxonomy, ``data/topics.yaml`` (the I/O edge for topics).

Validation is strict and exhaustive: every problem in the file is collected, each located at
the 1-based line of the offending YAML node, so a curator can fix them all in one pass.

``learned: false`` turns off the assignment by similarity (:mod:`generator.stages.learn`):
at the top level for every topic that does not say otherwise, or on one topic; ``true`` turns
it back on for that topic. Anything but ``true`` or ``false`` is a problem.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from slugify import slugify
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from generator.errors import Problem
from generator.inputs.yamlcheck import TAG, Checker, compose, is_string, kind, line
from generator.layout import SLUG, reserved_reason
from generator.model import UNSORTED, Rule, Topic
from generator.text.phrases import phrase_error

MAX_SLUG = 60
DEFAULT_MIN_ABSTRACT_HITS = 2

_TOP_KEYS = ("learned", "topics")
_TOPIC_KEYS = ("description", "learned", "match", "name", "slug")
_MATCH_KEYS = ("abstract", "exclude", "min_abstract_hits", "title")


class _Checker(Checker):
    """Walks the taxonomy's node tree, collecting problems."""

    def __init__(self, file: str) -> None:
        super().__init__(file)
        self.constructor = SafeConstructor()

    def value(self, node: Node) -> Any:
        try:
            return self.constructor.construct_object(node, deep=True)
        except ConstructorError as exc:
            self.problem(node, f"invalid value: {exc.problem}")
            return None

    def string(self, node: Node, what: str) -> str | None:
        if is_string(node):
            return str(node.value)
        self.problem(node, f"{what} must be a string, got {kind(node)}")
        return None

    def flag(self, node: Node, what: str) -> bool | None:
        """A YAML boolean (``true`` / ``false``), or ``None`` after a problem."""
        if isinstance(node, ScalarNode) and node.tag == TAG + "bool":
            value = self.value(node)
            if isinstance(value, bool):
                return value
        self.problem(node, f"{what} must be true or false, got {kind(node)}")
        return None

    def phrases(self, node: Node, what: str) -> tuple[str, ...] | None:
        if not isinstance(node, SequenceNode):
            self.problem(node, f"{what} must be a list of strings, got {kind(node)}")
            return None
        result: list[str] = []
        ok = True
        for number, item in enumerate(node.value, start=1):
            text = self.string(item, f"{what} item {number}")
            if text is None:
                ok = False
                continue
            error = phrase_error(text)
            if error is not None:
                self.problem(item, f"{what} item {number} ({text!r}) {error}")
                ok = False
                continue
            result.append(text.strip())
        return tuple(result) if ok else None

    def rule(self, node: Node, where: str) -> Rule | None:
        if not isinstance(node, MappingNode):
            self.problem(node, f"{where}'match' must be a mapping, got {kind(node)}")
            return None
        before = len(self.problems)
        keys = self.mapping(node, f"{where}'match': ", _MATCH_KEYS)
        lists: dict[str, tuple[str, ...]] = {}
        for key in ("title", "abstract", "exclude"):
            if key in keys:
                lists[key] = self.phrases(keys[key], f"{where}'match.{key}'") or ()
        hits = DEFAULT_MIN_ABSTRACT_HITS
        if "min_abstract_hits" in keys:
            hits_node = keys["min_abstract_hits"]
            what = f"{where}'match.min_abstract_hits'"
            if not (isinstance(hits_node, ScalarNode) and hits_node.tag == TAG + "int"):
                self.problem(hits_node, f"{what} must be an integer, got {kind(hits_node)}")
            else:
                value = self.value(hits_node)
                if isinstance(value, int) and value >= 1:
                    hits = value
                elif value is not None:
                    self.problem(hits_node, f"{what} must be at least 1, got {value}")
        title, abstract = lists.get("title", ()), lists.get("abstract", ())
        if len(self.problems) > before:
            return None
        if not title and not abstract:
            self.problem(node, f"{where}'match' needs at least one 'title' or 'abstract' phrase")
            return None
        return Rule(title, abstract, lists.get("exclude", ()), hits)

    def topic(
        self, node: Node, number: int, learned: bool = True
    ) -> tuple[Topic, dict[str, int]] | None:
        """One topic and the lines of its name and slug, or ``None`` if it has problems.

        ``learned`` is the file's default for topics that do not say (its top-level key)."""
        if not isinstance(node, MappingNode):
            self.problem(node, f"topic #{number} must be a mapping, got {kind(node)}")
            return None
        before = len(self.problems)
        name_node = next(
            (v for k, v in node.value if isinstance(k, ScalarNode) and k.value == "name"), None
        )
        name = None
        if is_string(name_node):
            name = str(name_node.value).strip() or None
        where = f"topic {name!r}: " if name else f"topic #{number}: "
        keys = self.mapping(node, where, _TOPIC_KEYS)
        for key in ("name", "description", "match"):
            if key not in keys:
                self.problem(node, f"{where}missing required key {key!r}")
        texts: dict[str, str] = {}
        for key in ("name", "description", "slug"):
            if key in keys:
                text = self.string(keys[key], f"{where}{key!r}")
                if text is not None and not text.strip():
                    self.problem(keys[key], f"{where}{key!r} must not be empty")
                elif text is not None:
                    texts[key] = text.strip()
        rule = self.rule(keys["match"], where) if "match" in keys else None
        if "learned" in keys:
            learned = self.flag(keys["learned"], f"{where}'learned'") is not False
        slug_line = line(keys["slug"]) if "slug" in keys else line(node)
        slug = texts.get("slug")
        if slug is None and "slug" not in keys and name is not None:
            slug = slugify(name)
            origin = f"slug {slug!r} made from the name"
            advice = "; set 'slug' explicitly"
        else:
            origin, advice = f"slug {slug!r}", ""
        if slug is not None:
            slug_node = keys.get("slug", node)
            if SLUG.fullmatch(slug) is None:
                self.problem(
                    slug_node,
                    f"{where}{origin} is invalid: use lowercase ASCII letters and digits in "
                    f"words joined by single hyphens, like 'image-generation'{advice}",
                )
            elif len(slug) > MAX_SLUG:
                self.problem(
                    slug_node, f"{where}{origin} is longer than {MAX_SLUG} characters{advice}"
                )
            elif slug == UNSORTED.slug:
                self.problem(
                    slug_node,
                    f"{where}{origin} is reserved for the page of unmatched papers{advice}",
                )
            elif (reason := reserved_reason(slug)) is not None:
                self.problem(slug_node, f"{where}{origin} is reserved: {reason}{advice}")
        if len(self.problems) > before or rule is None or slug is None or name is None:
            return None
        topic = Topic(
            slug=slug, name=name, description=texts["description"], rule=rule, learned=learned
        )
        name_line = line(keys["name"])
        return topic, {"name": name_line, "slug": slug_line}

    def document(self, root: Node | None) -> list[Topic]:
        if root is None:
            self.problem(None, "the file is empty; expected a mapping with the key 'topics'")
            return []
        if not isinstance(root, MappingNode):
            self.problem(
                root, f"the top level must be a mapping with the key 'topics', got {kind(root)}"
            )
            return []
        keys = self.mapping(root, "", _TOP_KEYS)
        if "topics" not in keys:
            self.problem(root, "missing required key 'topics'")
            return []
        learned = True  # topics may be assigned by similarity unless the file says not
        if "learned" in keys:
            learned = self.flag(keys["learned"], "'learned'") is not False
        topics_node = keys["topics"]
        if not isinstance(topics_node, SequenceNode):
            self.problem(topics_node, f"'topics' must be a list, got {kind(topics_node)}")
            return []
        topics: list[Topic] = []
        seen: dict[str, dict[str, tuple[str, int]]] = {"name": {}, "slug": {}}
        for number, node in enumerate(topics_node.value, start=1):
            checked = self.topic(node, number, learned)
            if checked is None:
                continue
            topic, lines = checked
            clash = False
            for key, value in (("name", topic.name.casefold()), ("slug", topic.slug)):
                if value in seen[key]:
                    other, line = seen[key][value]
                    shown = topic.name if key == "name" else topic.slug
                    self.problems.append(
                        Problem(
                            self.file,
                            lines[key],
                            f"topic {topic.name!r}: {key} {shown!r} is already used by "
                            f"topic {other!r} (line {line})",
                        )
                    )
                    clash = True
                else:
                    seen[key][value] = (topic.name, lines[key])
            if not clash:
                topics.append(topic)
        if not topics_node.value:
            self.problem(topics_node, "'topics' is empty; define at least one topic")
        return topics


def parse_taxonomy(text: str, file: str) -> tuple[list[Topic], list[Problem]]:
    """Topics in file order and every problem found; topics with problems are left out.

    ``file`` is the name problems are reported under (e.g. ``data/topics.yaml``).
    """
    root, problems = compose(text, file)
    if problems:
        return [], problems
    checker = _Checker(file)
    topics = checker.document(root)
    return topics, checker.problems


def load_taxonomy(path: Path, display: str) -> tuple[list[Topic], list[Problem]]:
    """Read ``path`` as UTF-8 and parse it; an unreadable file is a problem, not an exception."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], [Problem(display, None, "taxonomy file not found")]
    except UnicodeDecodeError as exc:
        return [], [Problem(display, None, f"not valid UTF-8: {exc.reason} at byte {exc.start}")]
    except OSError as exc:
        return [], [Problem(display, None, f"cannot read the taxonomy: {exc.strerror or exc}")]
    return parse_taxonomy(text, display)
