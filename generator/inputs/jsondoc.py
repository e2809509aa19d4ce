"""JSON read so that every problem can be located: records one by one with their line, repeated
keys kept visible, huge numbers and deep nesting refused instead of crashing the decoder, text no
file can hold found by JSON path."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TypeAlias

from generator.errors import Problem
from generator.text.encodable import surrogate_problem

#: Integers in a record have at most this many digits (an upvote count has 1 to 5).
MAX_INT_DIGITS = 18
#: No record nests deeper than this; the decoder recurses, and 100,000 levels crash it.
MAX_DEPTH = 100

Json: TypeAlias = "dict[str, Json] | list[Json] | str | int | float | bool | None"


#: Decoded JSON types in words, in the order they are tried (a bool is also an int).
_KINDS: tuple[tuple[type, str], ...] = (
    (type(None), "null"),
    (bool, "a boolean"),
    (int, "an integer"),
    (float, "a number"),
    (str, "a string"),
    (list, "a list"),
)


def json_kind(value: object) -> str:
    """What a decoded JSON value is, in words, for messages such as "got a list"."""
    if isinstance(value, BigNumber):
        return f"an integer of {len(value.digits.lstrip('-'))} digits"
    return next((words for kind, words in _KINDS if isinstance(value, kind)), "an object")


def line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


_SPACE = re.compile(r"[ \t\n\r]*")


def skip(text: str, at: int) -> int:
    """The offset of the first non-whitespace character (JSON's whitespace) from ``at``."""
    match = _SPACE.match(text, at)
    return match.end() if match else at


def items(text: str, decoder: json.JSONDecoder) -> list[tuple[int, Json]] | None:
    """``(offset, value)`` of each item of a top-level JSON array, or ``None`` if it is not one.

    Decodes item by item with :meth:`json.JSONDecoder.raw_decode`, so each record's offset in the
    file is known. Call it on text :func:`json.loads` accepted: the array is well formed.
    """
    at = skip(text, 0)
    if not text.startswith("[", at):
        return None
    at = skip(text, at + 1)
    items: list[tuple[int, Json]] = []
    if text.startswith("]", at):
        return items
    while True:
        value, end = decoder.raw_decode(text, at)
        items.append((at, value))
        at = skip(text, end)
        if text.startswith("]", at):
            return items
        at = skip(text, at + 1)  # past the comma


class Duplicated(dict[str, Json]):
    """A JSON object in which a key appeared more than once (the last value is kept)."""

    duplicates: list[str]


@dataclass(frozen=True, slots=True)
class BigNumber:
    """An integer of more digits than any field needs (Python refuses to convert 4,300)."""

    digits: str


def integer(digits: str) -> int | BigNumber:
    return int(digits) if len(digits) <= MAX_INT_DIGITS else BigNumber(digits)


class Decoder(json.JSONDecoder):
    """A decoder for one file that keeps repeated keys and huge numbers visible to the checks.

    ``repeated`` says whether any object had a repeated key: records are walked for them only
    then (a walk of every record would cost a quarter of the parse).
    """

    def __init__(self) -> None:
        super().__init__(object_pairs_hook=self._object, parse_int=integer)
        self.repeated = False

    def _object(self, pairs: list[tuple[str, Json]]) -> dict[str, Json]:
        found = dict(pairs)
        if len(found) == len(pairs):
            return found
        self.repeated = True
        marked = Duplicated(found)
        seen: set[str] = set()
        marked.duplicates = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
        return marked


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def too_deep(text: str) -> int | None:
    """The line where ``text`` nests deeper than :data:`MAX_DEPTH` (the decoder recurses)."""
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return line_at(text, token.start())
        elif char in "]}":
            depth -= 1
    return None


def walk_problems(
    value: Json, path: str, file: str, line: int, *, repeated: bool, surrogates: bool
) -> list[Problem]:
    """What one record holds anywhere, by JSON path (walked without recursion): repeated keys
    (when the file has any: ``repeated``) and text no file can hold, keys too (when the file
    could: ``surrogates``, :func:`generator.text.encodable.may_hold_surrogates`)."""
    problems: list[Problem] = []
    if not (repeated or surrogates):
        return problems
    stack: list[tuple[Json, str]] = [(value, path)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, str):
            if surrogates and (why := surrogate_problem(item)) is not None:
                problems.append(Problem(file, line, f"{at or 'record'}: {why}"))
        elif isinstance(item, dict):
            for key in getattr(item, "duplicates", ()):
                problems.append(Problem(file, line, f"{at or 'record'}: duplicate key {key!r}"))
            for key, child in reversed(item.items()):
                name = key
                if surrogates and (why := surrogate_problem(key)) is not None:
                    problems.append(Problem(file, line, f"{at or 'record'}: a key {why}"))
                    name = ascii(key)
                stack.append((child, f"{at}.{name}" if at else name))
        elif isinstance(item, list):
            stack.extend((v, f"{at}[{i}]") for i, v in reversed(list(enumerate(item))))
    return problems
