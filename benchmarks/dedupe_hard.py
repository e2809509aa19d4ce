"""A labelled set of hard spelling variants of the shipped papers, for the dedupe stage.

Issue 16: the spellings that still split were a letter lost inside a short acronym or name
(``UI-JEPA`` -> ``UI-JPA``, ``KMM`` -> ``KM``) on an entry whose abstract was revised by a
sentence. This module makes such variants, and their hard negatives, from every shipped paper,
programmatically and with a fixed seed, so ``tests/test_dedupe_hard.py`` can assert the
figures and ``benchmarks/bench_dedupe.py`` can report them.

* **Positives** (:data:`POSITIVE_KINDS`), each with an abstract revised by one sentence (one
  added, removed or replaced, in turn): a letter dropped, doubled or two swapped inside a short
  acronym or name (a word of at most 7 letters with two capitals, such as ``KMM``, ``JEPA``,
  ``ClimaX``), British for American spelling or back (``modeling`` / ``modelling``,
  ``optimization`` / ``optimisation``, ``behavior`` / ``behaviour``), a hyphen for a space or
  back, a ligature (``ﬁ``), an HTML entity (``&amp;``, ``&#39;``, ``&nbsp;``), invisible
  characters (zero-width space, word joiner, soft hyphen, byte order mark) and non-breaking
  or thin spaces, and two of these at once (an acronym typo and a British spelling).
* **Hard negatives** (:data:`NEGATIVE_KINDS`), different papers that must stay apart: ``X-2``,
  ``X 2``, ``X v2``, ``X 1.5``, ``X, Part II`` and ``Towards X``, each with the original's
  abstract revised by one sentence (so only the title guards can keep them apart); an acronym
  typo with another paper's abstract, revised (the same title, nearly, but a different
  abstract: an identical one would make it that other paper, retitled); an
  acronym typo with half the abstract rewritten; and a different paper sharing the title's
  first half, with another abstract.

Each kind is run on its own, with the whole shipped corpus around it (one variant per paper,
so variants never chain through each other). Precision and recall count pairs of entries that
involve a variant: a positive must join its paper, a negative must join nothing.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import combinations
from pathlib import Path

from generator.inputs.listings import read_listings
from generator.model import Cluster, Entry, Source
from generator.stages.dedupe import HEDGE_WORDS, VERSION_WORDS, DedupeResult, dedupe
from generator.stages.normalize import normalize
from generator.text.folding import title_key

ROOT = Path(__file__).resolve().parent.parent
SEED = 16
VARIANTS_FILE = "listings/zz_hard_variants.txt"

POSITIVE_KINDS = (
    "acronym letter dropped",
    "acronym letter doubled",
    "acronym letters swapped",
    "British / American spelling",
    "hyphen vs space",
    "ligature",
    "HTML entity",
    "invisible character",
    "non-breaking or thin space",
    "acronym typo and British spelling",
)
NEGATIVE_KINDS = (
    "X-2",
    "X 2",
    "X v2",
    "X 1.5",
    "Part II",
    "Towards X",
    "acronym typo, another paper's abstract",
    "acronym typo, half the abstract rewritten",
    "shared title prefix, another abstract",
)

#: Sentences a revision adds or puts in place of one (none is in a shipped abstract).
NEW_SENTENCES = (
    "We additionally release an interactive demonstration for practitioners.",
    "Code, data and trained models are available on the project page.",
    "This version corrects an error in the evaluation protocol of the first release.",
    "An extended appendix reports further ablations and implementation details.",
)

_SENTENCE = re.compile(r"(?<=[.!?])\s+")
#: A short acronym or name: 2-7 letters, at least two of them capitals (``UI``, ``KMM``,
#: ``JEPA``, ``ClimaX``, ``LoRA``).
_ACRONYM = re.compile(r"(?<![A-Za-z])(?=(?:[a-z]*[A-Z]){2})[A-Za-z]{2,7}(?![A-Za-z])")

#: American -> British, as whole-word regular expressions with their replacement.
_BRITISH: tuple[tuple[str, str], ...] = (
    (r"\b([A-Za-z]{3,})iz(e|es|ed|ing|ation|ations|er|ers)\b", r"\1is\2"),
    (r"\b([A-Za-z]{3,})yz(e|es|ed|ing|er|ers)\b", r"\1ys\2"),
    (r"\b([Mm]odel|[Ll]abel|[Tt]ravel|[Ss]ignal)(ing|ed|er|ers)\b", r"\1l\2"),
    (r"\b([Bb]ehavi|[Cc]ol|[Nn]eighb|[Ff]av|[Hh]um|[Ll]ab)or(s|al|ing|ed)?\b", r"\1our\2"),
    (r"\b([Cc]ent|[Mm]et)er(s|ed)?\b", r"\1re\2"),
)
#: British -> American, for titles already in British spelling.
_AMERICAN: tuple[tuple[str, str], ...] = (
    (r"\b([A-Za-z]{3,})is(e|es|ed|ing|ation|ations)\b", r"\1iz\2"),
    (r"\b([Mm]odel|[Ll]abel|[Tt]ravel|[Ss]ignal)l(ing|ed|er|ers)\b", r"\1\2"),
    (r"\b([Bb]ehavi|[Cc]ol|[Nn]eighb|[Ff]av|[Hh]um|[Ll]ab)our(s|al|ing|ed)?\b", r"\1or\2"),
    (r"\b([Cc]ent|[Mm]et)re(s|d)?\b", r"\1er\2"),
)
#: Words an "-ise" rule must not touch (they are spelt so on both sides of the Atlantic).
_ISE_WORDS = frozenset(
    {"advertise", "advise", "compromise", "concise", "exercise", "expertise", "noise"}
    | {"otherwise", "precise", "premise", "promise", "revise", "supervise", "surprise"}
    | {"wise", "pairwise", "pointwise", "stepwise", "elementwise", "layerwise", "rise"}
)


@dataclass(frozen=True, slots=True)
class Item:
    """One labelled variant: its kind, title and abstract, and the paper it truly is."""

    kind: str
    title: str
    abstract: str
    truth: str
    """Title key of the shipped paper it is a spelling of, or ``new:...`` for a negative."""

    @property
    def merge(self) -> bool:
        return not self.truth.startswith("new:")


@cache
def shipped() -> tuple[Entry, ...]:
    entries, problems = read_listings(ROOT / "data")
    assert not problems, problems
    return tuple(normalize(entries))


@cache
def papers() -> tuple[Cluster, ...]:
    """The shipped papers, as the dedupe stage finds them (313)."""
    return tuple(dedupe(list(shipped())).clusters)


def revise(abstract: str, how: int, rng: random.Random) -> str:
    """``abstract`` revised by one sentence: ``how`` 0 adds, 1 removes, 2 replaces one."""
    sentences = _SENTENCE.split(abstract)
    new = rng.choice(NEW_SENTENCES)
    at = rng.randrange(1, len(sentences)) if len(sentences) > 1 else 0
    if how % 3 == 0:
        sentences.insert(at, new)
    elif how % 3 == 1 and len(sentences) > 2:
        del sentences[at]
    else:
        sentences[at] = new
    return " ".join(sentences)


def rewrite_half(abstract: str, other: str) -> str:
    """The first half of ``abstract``'s sentences, then the second half of ``other``'s."""
    mine, theirs = _SENTENCE.split(abstract), _SENTENCE.split(other)
    return " ".join(mine[: len(mine) // 2] + theirs[len(theirs) // 2 :])


def _acronyms(title: str) -> list[re.Match[str]]:
    return list(_ACRONYM.finditer(title))


def _guarded(word: str) -> bool:
    """Would this word trip a title guard by itself (a version word, ``Towards``)?"""
    return word.lower() in VERSION_WORDS or word.lower() in HEDGE_WORDS


def acronym_typo(title: str, how: str, rng: random.Random) -> str | None:
    """A letter dropped, doubled, or two different neighbours swapped inside an acronym."""
    found = _acronyms(title)
    rng.shuffle(found)
    for match in found:
        word = match.group()
        if how == "drop":
            if len(word) < 3:
                continue
            i = rng.randrange(len(word))
            new = word[:i] + word[i + 1 :]
        elif how == "double":
            i = rng.randrange(len(word))
            new = word[: i + 1] + word[i:]
        else:
            spots = [i for i in range(len(word) - 1) if word[i].lower() != word[i + 1].lower()]
            if not spots:
                continue
            i = rng.choice(spots)
            new = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if _guarded(new) or _guarded(word):
            continue
        return title[: match.start()] + new + title[match.end() :]
    return None


def respell(title: str) -> str | None:
    """American spelling made British (every word a rule knows), or British made American."""
    for rules in (_BRITISH, _AMERICAN):
        text = title
        for pattern, repl in rules:

            def swap(match: re.Match[str], repl: str = repl) -> str:
                if match.group().lower() in _ISE_WORDS:
                    return match.group()
                return match.expand(repl)

            text = re.sub(pattern, swap, text)
        if text != title:
            return text
    return None


def hyphen_space(title: str, rng: random.Random) -> str | None:
    hyphens = [m.start() for m in re.finditer(r"(?<=\w)-(?=\w)", title)]
    if hyphens:
        at = rng.choice(hyphens)
        return title[:at] + " " + title[at + 1 :]
    spaces = [m.start() for m in re.finditer(r"(?<=[A-Za-z]) (?=[A-Za-z])", title)]
    if not spaces:
        return None
    at = rng.choice(spaces)
    return title[:at] + "-" + title[at + 1 :]


def ligature(title: str) -> str | None:
    for plain, joined in (("ffi", "ﬃ"), ("fi", "ﬁ"), ("fl", "ﬂ"), ("ff", "ﬀ")):
        if plain in title:
            return title.replace(plain, joined)
    return None


def entity(title: str, rng: random.Random) -> str:
    if "&" in title:
        return title.replace("&", "&amp;")
    if "'" in title:
        return title.replace("'", rng.choice(["&#39;", "&#x27;", "&apos;"]))
    if ": " in title and rng.random() < 0.5:
        return title.replace(": ", "&#58; ", 1)
    spaces = [m.start() for m in re.finditer(" ", title)]
    at = rng.choice(spaces) if spaces else len(title)
    return title[:at] + "&nbsp;" + title[at + 1 :]


def invisible(title: str, rng: random.Random) -> str:
    words = list(re.finditer(r"[A-Za-z]{4,}", title))
    mark = rng.choice(["\u200b", "\u2060", "\u00ad", "\u200c", "\u200d"])
    if rng.random() < 0.2 or not words:
        return "\ufeff" + title
    word = rng.choice(words)
    at = rng.randrange(word.start() + 1, word.end())
    return title[:at] + mark + title[at:]


def odd_space(title: str, rng: random.Random) -> str | None:
    spaces = [m.start() for m in re.finditer(" ", title)]
    if not spaces:
        return None
    at = rng.choice(spaces)
    return title[:at] + rng.choice(["\u00a0", "\u2009", "\u202f", "\u3000"]) + title[at + 1 :]


def _name(title: str) -> str:
    """The title's name: the part before a colon, or the whole title."""
    head, colon, _ = title.partition(":")
    return head if colon else title


def versioned(kind: str, title: str) -> str:
    head, colon, rest = title.partition(": ")
    if kind == "Towards X":
        return (
            f"Towards {title[0].lower()}{title[1:]}"
            if not title[:2].isupper()
            else (f"Towards {title}")
        )
    if kind == "Part II":
        return f"{title}, Part II"
    suffix = {"X-2": "-2", "X 2": " 2", "X v2": " v2", "X 1.5": " 1.5"}[kind]
    return f"{head}{suffix}: {rest}" if colon else f"{title}{suffix}"


def positive(kind: str, paper: Cluster, number: int, rng: random.Random) -> Item | None:
    t = paper.title
    made: str | None
    if kind == "acronym letter dropped":
        made = acronym_typo(t, "drop", rng)
    elif kind == "acronym letter doubled":
        made = acronym_typo(t, "double", rng)
    elif kind == "acronym letters swapped":
        made = acronym_typo(t, "swap", rng)
    elif kind == "British / American spelling":
        made = respell(t)
    elif kind == "hyphen vs space":
        made = hyphen_space(t, rng)
    elif kind == "ligature":
        made = ligature(t)
    elif kind == "HTML entity":
        made = entity(t, rng)
    elif kind == "invisible character":
        made = invisible(t, rng)
    elif kind == "non-breaking or thin space":
        made = odd_space(t, rng)
    elif kind == "acronym typo and British spelling":
        spelt = respell(t)
        made = acronym_typo(spelt, "drop", rng) if spelt else None
    else:
        raise ValueError(kind)
    if made is None or made == t:
        return None
    return Item(kind, made, revise(paper.abstract, number, rng), paper.key)


def negative(
    kind: str, paper: Cluster, other: Cluster, number: int, rng: random.Random
) -> Item | None:
    t = paper.title
    truth = f"new:{kind}:{number}"
    if kind in ("X-2", "X 2", "X v2", "X 1.5", "Part II", "Towards X"):
        if kind == "Towards X" and t.split()[0].lower() in HEDGE_WORDS:
            return None
        if kind != "Towards X" and re.search(r"\d", _name(t)):
            return None  # "X 3-2" is not the second version of anything
        return Item(kind, versioned(kind, t), revise(paper.abstract, number, rng), truth)
    if kind == "acronym typo, another paper's abstract":
        made = acronym_typo(t, "drop", rng)
        if made is None:
            return None
        return Item(kind, made, revise(other.abstract, number, rng), truth)
    if kind == "acronym typo, half the abstract rewritten":
        made = acronym_typo(t, "drop", rng)
        if made is None:
            return None
        return Item(kind, made, rewrite_half(paper.abstract, other.abstract), truth)
    if kind == "shared title prefix, another abstract":
        words = t.split()
        if len(words) < 6:
            return None
        ending = other.title.split()
        made = " ".join(words[: len(words) // 2] + ending[len(ending) // 2 :])
        if title_key(made) in (paper.key, other.key):
            return None
        return Item(kind, made, revise(other.abstract, number, rng), truth)
    raise ValueError(kind)


def items(kind: str) -> list[Item]:
    """The labelled variants of one kind: at most one per shipped paper."""
    rng = random.Random(f"{SEED}:{kind}")
    shipped_papers = papers()
    made: list[Item] = []
    make: Callable[[Cluster, int], Item | None]
    if kind in POSITIVE_KINDS:

        def make(p: Cluster, n: int) -> Item | None:
            return positive(kind, p, n, rng)

    else:

        def make(p: Cluster, n: int) -> Item | None:
            other = shipped_papers[(n * 7 + 3) % len(shipped_papers)]
            if other is p:
                other = shipped_papers[(n + 1) % len(shipped_papers)]
            return negative(kind, p, other, n, rng)

    for number, paper in enumerate(shipped_papers):
        item = make(paper, number)
        if item is not None:
            made.append(item)
    return made


def labelled(kind: str) -> tuple[list[Entry], dict[Source, str]]:
    """The shipped entries plus the variants of ``kind``, and each variant's truth."""
    extra = [
        Entry(item.title, item.abstract, Source(VARIANTS_FILE, 1 + 4 * n, None))
        for n, item in enumerate(items(kind))
    ]
    truth = {e.source: item.truth for e, item in zip(extra, items(kind), strict=True)}
    return list(shipped()) + normalize(extra), truth


@dataclass(frozen=True, slots=True)
class Score:
    """Pairs of entries that involve a variant: predicted together, truly together, both."""

    kind: str
    variants: int
    predicted: int
    actual: int
    correct: int
    missed: tuple[str, ...] = ()
    """Titles of the variants that did not join their paper (positives), or joined one
    (negatives)."""

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.actual if self.actual else 1.0


def score(kind: str, run: Callable[[list[Entry]], DedupeResult] = dedupe) -> Score:
    """Run ``run`` (the dedupe stage) on the shipped corpus plus the variants of ``kind``."""
    entries, truth = labelled(kind)
    result = run(entries)
    label = {e.source: title_key(e.title) for e in shipped()} | truth
    cluster_of = {s: n for n, c in enumerate(result.clusters) for s in c.sources}
    predicted = actual = correct = 0
    by_cluster: dict[int, list[Source]] = {}
    for source, n in cluster_of.items():
        by_cluster.setdefault(n, []).append(source)
    for members in by_cluster.values():
        for a, b in combinations(members, 2):
            if a in truth or b in truth:
                predicted += 1
                correct += label[a] == label[b]
    by_label = Counter(label.values())
    for value in truth.values():
        if not value.startswith("new:"):
            actual += by_label[value] - 1  # the variant with every entry of its paper
    wrong = []
    titles = {e.source: e.title for e in entries}
    for source, value in truth.items():
        mates = [s for s in by_cluster[cluster_of[source]] if s != source]
        if value.startswith("new:") and mates:
            wrong.append(titles[source])
        if not value.startswith("new:") and not any(label[s] == value for s in mates):
            wrong.append(titles[source])
    return Score(kind, len(truth), predicted, actual, correct, tuple(wrong))


def scores(
    run: Callable[[list[Entry]], DedupeResult] = dedupe, kinds: Sequence[str] | None = None
) -> list[Score]:
    return [score(kind, run) for kind in (kinds or POSITIVE_KINDS + NEGATIVE_KINDS)]


def total(found: Sequence[Score]) -> Score:
    return Score(
        "all",
        sum(s.variants for s in found),
        sum(s.predicted for s in found),
        sum(s.actual for s in found),
        sum(s.correct for s in found),
        tuple(t for s in found for t in s.missed),
    )
