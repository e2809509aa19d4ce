"""Normalize stage: turn the raw text of saved listings into clean, comparable text.

Titles and abstracts copied from Hugging Face Daily Papers pages still carry the LaTeX of the
arXiv submission (``{\\it model size}``, ``90\\%``, ``Models~(LLMs)``, ``10^{-9}``, ```x''``),
odd whitespace (newlines, NBSP, zero-width characters) and either Unicode normal form. Later
stages render the text on a web page, match topic phrases against it and deduplicate papers
by title, so they all want one readable plain-text spelling.

This module is pure (no I/O). ``clean_text`` applies the rules of :data:`LATEX_RULES`, one
readable table, in order; ``clean_title`` adds title-only tidying; ``title_key`` is the
exact-deduplication key. The rules are deliberately conservative: they drop markup, never
words. Unknown macros such as ``\\name`` lose only their backslash, ordinary literal braces
(``{A,T,G,C}``) stay, and no rule fires inside a URL.
"""

from __future__ import annotations

import bisect
import dataclasses
import html
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import NamedTuple

from generator.errors import Problem
from generator.model import ANNOTATION, Entry

__all__ = [
    "KNOWN_COMMANDS",
    "LATEX_RULES",
    "LatexRule",
    "clean_text",
    "clean_title",
    "normalize",
    "normalize_entry",
]

Replacement = str | Callable[["re.Match[str]"], str]


class LatexRule(NamedTuple):
    """One rewrite of :data:`LATEX_RULES`.

    ``repl`` is a ``re`` template or a function of the match. Consecutive rules with
    ``repeat`` form one block that is applied until nothing changes, so nested groups such as
    ``\\textbf{a \\textbf{b}}`` unwrap from the inside out.
    """

    pattern: re.Pattern[str]
    repl: Replacement
    example: str
    repeat: bool = False


# --- command vocabularies -------------------------------------------------------------------


def _names(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Font/size switches that apply to the rest of their group: dropped together with the group
# braces, e.g. ``{\it model size}`` -> ``model size``.
SWITCH_COMMANDS: frozenset[str] = _names(
    "it bf em rm sf tt sc sl up md itshape bfseries mdseries rmfamily sffamily ttfamily "
    "scshape upshape normalfont tiny scriptsize footnotesize small normalsize large Large "
    "LARGE huge Huge displaystyle textstyle scriptstyle scriptscriptstyle"
)

# Commands whose single argument is the text itself: ``\emph{x}`` -> ``x``. Citations and
# references keep their key: it is not prose, but dropping it could lose a word.
WRAPPER_COMMANDS: frozenset[str] = _names(
    "textbf textit textsl textsc textrm textsf texttt textup textmd textnormal emph "
    "underline text mbox hbox fbox mathbf mathrm mathcal mathbb mathit mathsf mathtt "
    "mathfrak mathscr boldsymbol bm operatorname url nolinkurl cite citep citet ref eqref "
    "autoref cref Cref footnote"
)

# Macros that stand for a word or a symbol.
MACROS: dict[str, str] = {
    "ie": "i.e.",  # "candidate regions (\ie, routed regions)"
    "eg": "e.g.",
    "etal": "et al.",
    "etc": "etc.",
    "vs": "vs.",
    "textless": "<",  # "Token Recycling requires \textless2MB of additional storage"
    "textgreater": ">",
    "textasciitilde": "~",
    "sim": "~",
    "approx": "≈",
    "times": "×",
    "cdot": "·",
    "pm": "±",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "neq": "≠",
    "infty": "∞",
    "to": "→",
    "rightarrow": "→",
    "leftarrow": "←",
    "ldots": "...",
    "dots": "...",
    "cdots": "...",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
}

# Every command name the rules handle on purpose (anything else only loses its backslash).
KNOWN_COMMANDS: frozenset[str] = SWITCH_COMMANDS | WRAPPER_COMMANDS | frozenset(MACROS)

# Accent commands -> combining mark. ``Rozi\`ere`` -> ``Rozière``, ``na\"ively`` -> ``naïvely``.
_ACCENTS: dict[str, str] = {
    "`": "\u0300",
    "'": "\u0301",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    '"': "\u0308",
    "c": "\u0327",
    "v": "\u030c",
    "u": "\u0306",
    "H": "\u030b",
    "k": "\u0328",
}
# Without braces an accent command only combines with letters it is commonly put on, so
# stray escapes such as ``\"hello\"`` are not turned into accented letters.
_VOWELS = "aeiouyAEIOUY"
_ACCENTABLE: dict[str, str] = {
    "`": _VOWELS,
    "'": _VOWELS + "cnszCNSZ",
    "^": _VOWELS,
    "~": _VOWELS + "nN",
    "=": _VOWELS,
    ".": "zZ",
    '"': _VOWELS,
}


def _accent(match: re.Match[str]) -> str:
    mark, braced, bare = match.group("mark", "braced", "bare")
    letter = braced or bare
    if bare and letter not in _ACCENTABLE.get(mark, ""):
        return match.group(0)
    composed = unicodedata.normalize("NFC", letter + _ACCENTS[mark])
    return composed if len(composed) == 1 else match.group(0)


def _macro(match: re.Match[str]) -> str:
    return MACROS[match.group("name")]


def _alternatives(names: Iterable[str]) -> str:
    # Longest first, so ``textbf`` is tried before ``text``; the callers add (?![A-Za-z]).
    return "|".join(sorted((re.escape(n) for n in names), key=lambda n: (-len(n), n)))


_SWITCH = _alternatives(SWITCH_COMMANDS)
_WRAPPER = _alternatives(WRAPPER_COMMANDS)
_MACRO = _alternatives(MACROS)
_NOT_ESCAPED = r"(?<!\\)"
_OPEN = _NOT_ESCAPED + r"\{"  # a brace that is not \{
_CLOSE = _NOT_ESCAPED + r"\}"
_GROUP = _OPEN + r"([^{}]*)" + _CLOSE  # an innermost group, its content captured
_SWITCH_CMD = r"\\(?:" + _SWITCH + r")(?![A-Za-z])"
_WRAPPER_CMD = r"\\(?:" + _WRAPPER + r")(?![A-Za-z])"


def _rule(pattern: str, repl: Replacement, example: str, *, repeat: bool = False) -> LatexRule:
    return LatexRule(re.compile(pattern, re.DOTALL), repl, example, repeat)


# --- the rules table, applied top to bottom -------------------------------------------------
LATEX_RULES: tuple[LatexRule, ...] = (
    # A TeX line break is a space; first, so its backslashes start no other command.
    _rule(r"\\\\", " ", r"first line\\second line"),
    # "it can train Atari in {raise.17ex\scriptstyle\sim}4 hours": a mangled \approx symbol.
    _rule(
        r"\{\\?raise\.?\d*ex\s*\\?scriptstyle\s*\\?sim\s*\}",
        "~",
        r"{raise.17ex\scriptstyle\sim}4 hours",
    ),
    # The same symbol as written in the source: \raise.17ex\hbox{$\scriptstyle\sim$}.
    _rule(
        r"\\raise\.?\d*ex\s*\\hbox\s*\{\s*\$?\\scriptstyle\s*\\sim\s*\$?\s*\}",
        "~",
        r"\raise.17ex\hbox{$\scriptstyle\sim$}",
    ),
    # "model (SSM) \( x'(t) = Ax(t) + Bu(t) \)": inline math keeps its content.
    _rule(r"\\\(\s*(.*?)\s*\\\)", r"\1", r"\( A \)"),
    _rule(r"\\\[\s*(.*?)\s*\\\]", r"\1", r"\[ x \]"),
    # $$...$$ and $...$ math (pandoc's rule: no space just inside, no digit just after).
    _rule(_NOT_ESCAPED + r"\$\$(.+?)\$\$", r"\1", r"$$x^2$$"),
    _rule(
        _NOT_ESCAPED + r"\$(?=\S)([^$]*?\S)(?<!\\)\$(?![\d$])",
        r"\1",
        r"$O(n^2)$ but not $5 and $10",
    ),
    # Accents: "Code Llama (Rozi\`ere et al., 2023)", "O(d ell) na\"ively".
    _rule(
        r"\\(?P<mark>[`'^~=.\"])\s*(?:\{\s*\\?(?P<braced>[A-Za-z])\s*\}|(?P<bare>[A-Za-z]))",
        _accent,
        r"Rozi\`ere, na\"ively, \'{e}",
    ),
    _rule(
        r"\\(?P<mark>[cvuHk])\s*\{\s*\\?(?P<braced>[A-Za-z])\s*\}(?P<bare>)",
        _accent,
        r"\c{c}, \v{s}",
    ),
    # TeX quotes: "generate ``thinking tokens'' by", "we propose ``CodeT5+''" -> straight.
    _rule(r"``(.{0,400}?)''", r'"\1"', r"``thinking tokens''"),
    _rule(r"``", '"', r"an unclosed `` opening quote"),
    _rule(r"(?<![`\w])`([^`'\n]{1,100})'(?!')", r"'\1'", r"`single'"),
    # \url{...} whose address itself holds a brace group; "url{http://github.com/czg1225/
    # SlimSAM}" lost its backslash on the way but is the same markup.
    _rule(
        r"(?:\\(?:url|nolinkurl)\s*|(?<![\w\\])url(?=\{(?:https?://|ftp://|www\.)))"
        r"\{((?:[^{}\s]|\{[^{}\s]*\})+)\}",
        r"\1",
        r"url{http://github.com/czg1225/SlimSAM}",
    ),
    # Nested groups, innermost first (one fixpoint block):
    # "introducing \textbf{Positional \textbf{Integrity Encoding} (PIE)", \emph{x}, \url{x}.
    _rule(_WRAPPER_CMD + r"\s*" + _GROUP, r"\1", r"\textbf{Integrity Encoding}", repeat=True),
    # "demonstrate that {\it model size}, {\it training time}".
    _rule(_OPEN + r"\s*" + _SWITCH_CMD + r"\s*([^{}]*)" + _CLOSE, r"\1", r"{\it x}", repeat=True),
    # "error rate around 10^{-9}", "S^{2}FT", "dimension (d_{data})": braces of scripts go.
    _rule(_NOT_ESCAPED + r"([\^_])" + _GROUP, r"\1\2", r"10^{-9}, S^{2}FT", repeat=True),
    # \href{url}{text} -> "text (url)".
    _rule(r"\\href\s*" + _GROUP + r"\s*" + _GROUP, r"\2 (\1)", r"\href{u}{code}", repeat=True),
    # A brace group of prose whose command was lost upstream: "in different scenarios.
    # {Further experiments demonstrate that ... are dominant.} We", "expanded by {model size},".
    # Literal braces without a space ("{A,T,G,C}", "{1,2,3}") or glued to a word
    # ("GroupPose-Paddle{rm Paddle}") stay.
    _rule(
        r"(?<![^\s(\[])" + _OPEN + r"([A-Za-z][^{}]*\s[^{}]*)" + _CLOSE + r"(?=[\s.,;:!?)\]]|$)",
        r"\1",
        r"expanded by {model size}, training time",
    ),
    # Leftovers of unbalanced groups: the outer "\textbf{Positional" never closes.
    _rule(_WRAPPER_CMD + r"(?:\s*\{| ?)", "", r"\textbf{Positional"),
    _rule(_OPEN + r"\s*" + _SWITCH_CMD + " ?", "", r"{\it an unclosed group"),
    # Bare switches: "\bf bold" -> "bold", "{raise.17ex\scriptstyle" -> "{raise.17ex".
    _rule(_SWITCH_CMD + " ?", "", r"\scriptstyle"),
    # Word and symbol macros, with an optional empty group: "(\ie, routed regions)",
    # "requires \textless2MB", "\LaTeX{}".
    _rule(r"\\(?P<name>" + _MACRO + r")(?![A-Za-z])(?:\{\})?", _macro, r"\ie, \textless2MB"),
    # Escaped specials: "90\% of the full", "\&", "\_", "\#", "\$", "\{", "\}".
    _rule(r"\\([%&_#$\{}])", r"\1", r"92.9\% of the 14B model"),
    # TeX spacing commands become a space.
    _rule(r"\\[,;:! ]", " ", r"a\,b"),
    # Unknown macros lose the backslash, keep the word: "effectiveness of our \name, leading".
    _rule(r"\\([A-Za-z]+)(?:\{\})?", r"\1", r"our \name, leading"),
    # A tie between two words is a non-breaking space: "Large Language Models~(LLMs)",
    # "Transformer~vaswani2017attention". "(~1%)", "(~100,000)", "30%~50%" keep "about".
    _rule(r"(?<=\S)~(?=[^\s\d.+\-$~])", " ", r"Large Language Models~(LLMs)"),
)

# A URL may hold brace groups ("https://github.com/x/y_z{th}") but not an unpaired brace.
_URL_CHARS = r"(?:[^\s{}<>\\\"]|\{[^\s{}<>\\\"]*\})+"
_URL = re.compile(r"(?:(?:https?|ftp)://|www\.)" + _URL_CHARS, re.IGNORECASE)
# C0/C1 controls that are not whitespace, zero-width and bidi formatting characters, soft hyphen.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\ufeff]"
)
_WHITESPACE = re.compile(r"\s+")  # str patterns match Unicode spaces: NBSP, thin space, ...
#: Every rule of :data:`LATEX_RULES` needs one of these characters to match (a test checks
#: each rule's example and that text without them passes every rule unchanged), so text
#: without any, most titles and abstracts, skips the rules table.
LATEX_TRIGGERS = "\\{}$`~"
_LATEX_TRIGGER = re.compile(f"[{re.escape(LATEX_TRIGGERS)}]")


def _apply(rule: LatexRule, text: str) -> str:
    """Apply one rule everywhere except to matches that start inside a URL."""
    if rule.pattern.search(text) is None:  # most rules match nothing: skip the URL scan
        return text
    starts: list[int] = []
    ends: list[int] = []
    for url in _URL.finditer(text):
        starts.append(url.start())
        ends.append(url.end())

    def replace(match: re.Match[str]) -> str:
        i = bisect.bisect_right(starts, match.start()) - 1
        if i >= 0 and match.start() < ends[i]:
            return match.group(0)
        if callable(rule.repl):
            return rule.repl(match)
        return match.expand(rule.repl)

    return rule.pattern.sub(replace, text)


def _apply_block(block: list[LatexRule], text: str) -> str:
    if len(block) == 1 and not block[0].repeat:
        return _apply(block[0], text)
    while True:  # every change removes a brace, so this ends
        before = text
        for rule in block:
            text = _apply(rule, text)
        if text == before:
            return text


def _blocks(rules: Iterable[LatexRule]) -> list[list[LatexRule]]:
    blocks: list[list[LatexRule]] = []
    for rule in rules:
        if rule.repeat and blocks and blocks[-1][-1].repeat:
            blocks[-1].append(rule)
        else:
            blocks.append([rule])
    return blocks


_RULE_BLOCKS = _blocks(LATEX_RULES)


#: An HTML character reference as a copied page or an API may leave in text (``&amp;``,
#: ``&#8217;``, ``&#x2013;``): only complete ones, with their semicolon. HTML itself also reads
#: some names without one (``&not`` in "this&nothing"), which plain text must keep.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _unescape(match: re.Match[str]) -> str:
    """The character of a reference; an unknown name stays as written."""
    return html.unescape(match.group())


def clean_text(text: str) -> str:
    """Return ``text`` as readable plain text on one line, in NFC.

    Decodes HTML character references (:data:`_ENTITY`), drops control and zero-width
    characters, rewrites LaTeX markup by :data:`LATEX_RULES`,
    turns every whitespace run into one space and strips the ends. Never raises on a ``str``.
    """
    text = unicodedata.normalize("NFC", text)
    if "&" in text:
        text = _ENTITY.sub(_unescape, text)
    text = _INVISIBLE.sub("", text)
    if _LATEX_TRIGGER.search(text) is not None:
        for block in _RULE_BLOCKS:
            text = _apply_block(block, text)
    text = _WHITESPACE.sub(" ", text).strip()
    return unicodedata.normalize("NFC", text)


def clean_title(text: str) -> str:
    """``clean_text`` plus dropping one trailing period (but not an ellipsis ``...``)."""
    title = clean_text(text)
    if title.endswith(".") and not title.endswith("..."):
        title = title[:-1].rstrip()
    return title


def normalize_entry(entry: Entry) -> Entry:
    """Return ``entry`` with a cleaned title and abstract."""
    return dataclasses.replace(
        entry, title=clean_title(entry.title), abstract=clean_text(entry.abstract)
    )


def normalize(entries: Iterable[Entry]) -> list[Entry]:
    """Normalize every entry, keeping their order."""
    return [normalize_entry(entry) for entry in entries]


#: Characters that print as nothing but are letters or symbols to Unicode: the Braille blank
#: and the Hangul fillers. With the categories below they make a title look empty.
_BLANK_LOOKING = frozenset("\u2800\u115f\u1160\u3164\uffa0")
#: Unicode categories that show nothing by themselves: format characters, combining marks,
#: separators, controls, private use, unassigned.
_SHOWS_NOTHING = frozenset({"Cf", "Mn", "Me", "Cc", "Zs", "Zl", "Zp", "Co", "Cn", "Cs"})


def is_visible(text: str) -> bool:
    """Whether ``text`` has at least one character a reader can see."""
    return any(
        ch not in _BLANK_LOOKING and unicodedata.category(ch) not in _SHOWS_NOTHING for ch in text
    )


def invisible_entries(entries: Iterable[Entry]) -> tuple[list[Entry], list[Problem]]:
    """Normalized entries whose title and abstract can be seen, and a problem for each other.

    A title of zero-width characters, a Braille blank or Hangul fillers would become a page
    with an empty heading and an invisible link. A listing's entry is rejected (a warning, an
    error under ``--strict``); a record's is an error, like every other problem of a record.
    """
    kept: list[Entry] = []
    problems: list[Problem] = []
    for entry in entries:
        fields = [("title", entry.title)]
        if entry.origin != ANNOTATION:  # an annotation gives no abstract
            fields.append(("abstract", entry.abstract))
        blank = [name for name, value in fields if not is_visible(value)]
        if not blank:
            kept.append(entry)
            continue
        problems.append(
            Problem(
                entry.source.file,
                entry.source.line,
                f"the {' and the '.join(blank)} {'has' if len(blank) == 1 else 'have'} no visible "
                "character (only spaces, zero-width or blank-looking characters)",
                warning=entry.origin == "listing",
            )
        )
    return kept, problems
