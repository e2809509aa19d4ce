"""How the search files spell their data: JSON safe inside a script, and postings as numbers
in a self-delimiting base 32 (see :mod:`generator.render.search` for the format)."""

from __future__ import annotations

import json
import re

import numpy as np
import numpy.typing as npt

_JS_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_JS_UNSAFE = re.compile("[<>&\u2028\u2029]")


def js_json(value: object) -> str:
    """Compact JSON that is also safe inside a script: no ``</script>``, no line separators."""
    raw = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return _JS_UNSAFE.sub(lambda m: _JS_ESCAPES[m.group()], raw)


#: Digits of the self-delimiting base 32: a number's last digit, and its other digits.
LAST_DIGITS = "0123456789abcdefghijklmnopqrstuv"
MORE_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZwxyz-_"
_LAST = np.frombuffer(LAST_DIGITS.encode("ascii"), dtype=np.uint8)
_MORE = np.frombuffer(MORE_DIGITS.encode("ascii"), dtype=np.uint8)


def encode_number(number: int) -> str:
    """One number in the self-delimiting base 32 (the definition :func:`encode` vectorizes)."""
    out = LAST_DIGITS[number & 31]
    number >>= 5
    while number:
        out = MORE_DIGITS[number & 31] + out
        number >>= 5
    return out


def decode_numbers(text: str) -> list[int]:
    """The numbers of a self-delimiting base-32 string (what the browser does)."""
    numbers, value = [], 0
    for char in text:
        digit = LAST_DIGITS.find(char)
        if digit >= 0:
            numbers.append(value * 32 + digit)
            value = 0
        else:
            value = value * 32 + MORE_DIGITS.index(char)
    return numbers


def encode(values: npt.NDArray[np.int64]) -> tuple[str, npt.NDArray[np.int64]]:
    """``values`` spelled one after the other, and the end of each in the string.

    Made as one byte array, digit place by digit place: Python would make a string per number
    (millions at 100k papers).
    """
    if values.size == 0:
        return "", np.zeros(0, dtype=np.int64)
    digits = np.ones(values.size, dtype=np.int64)
    power = 32
    top = int(values.max())
    while power <= top:
        digits += values >= power
        power *= 32
    ends = np.cumsum(digits)
    out = np.empty(int(ends[-1]), dtype=np.uint8)
    last = ends - 1
    out[last] = _LAST[values & 31]
    rest = values >> 5
    for place in range(1, int(digits.max())):
        has = digits > place
        out[last[has] - place] = _MORE[rest[has] & 31]
        rest >>= 5
    return out.tobytes().decode("ascii"), ends


def utf16(word: str) -> bytes:
    """The key JavaScript sorts strings by (UTF-16 code units)."""
    return word.encode("utf-16-be")
