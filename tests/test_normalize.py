"""Tests of the normalize stage, mostly on snippets copied from the saved listings."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.model import Entry, Source
from generator.stages.normalize import (
    KNOWN_COMMANDS,
    LATEX_RULES,
    LATEX_TRIGGERS,
    LatexRule,
    clean_text,
    clean_title,
    normalize,
    normalize_entry,
)
from generator.text.folding import title_key

LISTINGS = Path(__file__).resolve().parent.parent / "data" / "listings"

# (raw snippet from the corpus or the brief, expected clean text)
LATEX_CASES: list[tuple[str, str]] = [
    # {\it ...} groups
    (
        r"demonstrate that {\it model size}, {\it training time}, {\it training sample size}",
        "demonstrate that model size, training time, training sample size",
    ),
    (
        r"(1) {\it determinism}: almost every",
        "(1) determinism: almost every",
    ),
    # unbalanced, nested \textbf
    (
        r"by introducing \textbf{Positional \textbf{Integrity Encoding} (PIE). Building upon",
        "by introducing Positional Integrity Encoding (PIE). Building upon",
    ),
    (r"\textbf{a \textbf{b} c}", "a b c"),
    (r"{\it a \textbf{b}} c", "a b c"),
    # escapes
    (r"a RoBERTa model to achieve 90\% of the full", "a RoBERTa model to achieve 90% of the full"),
    (r"(50.4\% vs 52.1\%)", "(50.4% vs 52.1%)"),
    (r"R\&D, snake\_case, issue \#3, costs \$5", "R&D, snake_case, issue #3, costs $5"),
    # tilde: tie -> space, "about" -> kept
    (
        "throughput of generative Large Language Models~(LLMs). However",
        "throughput of generative Large Language Models (LLMs). However",
    ),
    ("Mixed-precision KV cache~(MiKV), a", "Mixed-precision KV cache (MiKV), a"),
    (
        "similar as that in Transformer~vaswani2017attention to bridge",
        "similar as that in Transformer vaswani2017attention to bridge",
    ),
    ("Figure~fig:pesq_kbps_below_2kbps shows", "Figure fig:pesq_kbps_below_2kbps shows"),
    (
        "occupy minimal spatial proportions (~1%) and",
        "occupy minimal spatial proportions (~1%) and",
    ),
    ("lengthy 2D tokens (~100,000) poses", "lengthy 2D tokens (~100,000) poses"),
    ("significantly saving 30%~50% index costs", "significantly saving 30%~50% index costs"),
    ("controllability by ~33.5% in the NYUD-v2", "controllability by ~33.5% in the NYUD-v2"),
    ("x ~ N(0, 1)", "x ~ N(0, 1)"),
    # prose groups whose command was lost upstream lose their braces; literal sets keep them
    (
        "in different scenarios. {Further experiments demonstrate that model size, "
        "training time} We then",
        "in different scenarios. Further experiments demonstrate that model size, "
        "training time We then",
    ),
    ("the space expanded by {model size}, training", "the space expanded by model size, training"),
    ("GroupPose-Paddle{rm Paddle} and", "GroupPose-Paddle{rm Paddle} and"),
    ("ell in {1,2,3} and", "ell in {1,2,3} and"),
    # super- and subscripts
    ("error rate around 10^{-9} compared to the", "error rate around 10^-9 compared to the"),
    (
        "S^{2}FT: Efficient, Scalable and Generalizable",
        "S^2FT: Efficient, Scalable and Generalizable",
    ),
    (
        "intrinsic dimension (d_{data}) of its training set",
        "intrinsic dimension (d_data) of its training set",
    ),
    # TeX quotes -> straight quotes
    (
        "techniques that generate ``thinking tokens'' before answering",
        'techniques that generate "thinking tokens" before answering',
    ),
    ("we propose ``CodeT5+'', a family", 'we propose "CodeT5+", a family'),
    ("our ``not-so-surprising'' finding", 'our "not-so-surprising" finding'),
    ("a `single' quote", "a 'single' quote"),
    # word and symbol macros
    (
        r"remaining candidate regions (\ie, routed regions). We",
        "remaining candidate regions (i.e., routed regions). We",
    ),
    (r"tasks, \eg classification", "tasks, e.g. classification"),
    (
        r"Token Recycling requires \textless2MB of additional storage",
        "Token Recycling requires <2MB of additional storage",
    ),
    (r"scores \textgreater 0.5", "scores > 0.5"),
    (
        r"it can train Atari in {raise.17ex\scriptstyle\sim}4 hours on one desktop or "
        r"{raise.17ex\scriptstyle\sim}1 hour distributed",
        "it can train Atari in ~4 hours on one desktop or ~1 hour distributed",
    ),
    (r"in \raise.17ex\hbox{$\scriptstyle\sim$}4 hours", "in ~4 hours"),
    (r"the effectiveness of our \name, leading to", "the effectiveness of our name, leading to"),
    (r"\LaTeX{} and \alpha", "LaTeX and alpha"),
    # text wrappers
    (r"\emph{x} \textit{y} \texttt{z}", "x y z"),
    (r"\mathbf{W} \mathrm{d} \mathcal{L} \mathbb{R}", "W d L R"),
    (r"continuous space \mathbb R^d and", "continuous space R^d and"),
    (r"code at \url{https://github.com/a/b}.", "code at https://github.com/a/b."),
    (
        "Code is available at url{http://github.com/czg1225/SlimSAM}.",
        "Code is available at http://github.com/czg1225/SlimSAM.",
    ),
    (r"see \href{https://x.org}{the site}", "see the site (https://x.org)"),
    # math delimiters keep their content
    (r"with $O(n^2)$ cost", "with O(n^2) cost"),
    (r"$$x^{2}$$", "x^2"),
    ("it costs $5 and $10", "it costs $5 and $10"),
    (
        r"the state matrix \( A \), this system",
        "the state matrix A, this system",
    ),
    (
        r"model (SSM) \( x'(t) = Ax(t) + Bu(t), y(t) = Cx(t) + Du(t) \), and",
        "model (SSM) x'(t) = Ax(t) + Bu(t), y(t) = Cx(t) + Du(t), and",
    ),
    # accents
    (r"Code Llama (Rozi\`ere et al., 2023)", "Code Llama (Rozière et al., 2023)"),
    (r"we go from O(d ell) na\"ively to", "we go from O(d ell) naïvely to"),
    (r"Schr\"{o}dinger, Fran\c{c}ois, \'Ecole", "Schrödinger, François, École"),
    # left alone
    ("reconstruction and generation -- and find", "reconstruction and generation -- and find"),
    ("complexity O(N^2) and x in R^d", "complexity O(N^2) and x in R^d"),
    ("https://github.com/x/y_z{th}", "https://github.com/x/y_z{th}"),
    ("https://www.cs.x.edu/~user/a_{b}/c~d", "https://www.cs.x.edu/~user/a_{b}/c~d"),
    ("over the DNA alphabet {A,T,G,C} have been", "over the DNA alphabet {A,T,G,C} have been"),
    ("step t_max = kappa a", "step t_max = kappa a"),
    ("a 256^3 signed distance field", "a 256^3 signed distance field"),
]


@pytest.mark.parametrize(("raw", "expected"), LATEX_CASES)
def test_clean_text_latex(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), LATEX_CASES)
def test_clean_text_is_idempotent(raw: str, expected: str) -> None:
    assert clean_text(expected) == expected
    assert clean_text(clean_text(raw)) == clean_text(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  a\n\tb  ", "a b"),
        ("a\u00a0b", "a b"),  # NBSP
        ("a\u202fb\u2009c", "a b c"),  # narrow and thin spaces
        ("zero\u200bwidth\u200d\ufeff", "zerowidth"),
        ("soft\u00adhyphen", "softhyphen"),
        ("ctrl\x00\x07\x1b\x7f\x9fchars", "ctrlchars"),
        ("line\r\nbreak\x0bvt\x0cff\x85nel\u2028ls", "line break vt ff nel ls"),
        ("", ""),
        (" \n\t\u00a0 ", ""),
    ],
)
def test_clean_text_whitespace_and_controls(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_clean_text_nfc() -> None:
    nfd = unicodedata.normalize("NFD", "Café Zürich")
    nfc = unicodedata.normalize("NFC", "Café Zürich")
    assert nfd != nfc
    assert clean_text(nfd) == clean_text(nfc) == nfc
    assert title_key(nfd) == title_key(nfc) == "cafezurich"


@pytest.mark.parametrize(
    "raw",
    [
        "\\",
        "{",
        "}{",
        "\\textbf{",
        "{\\it",
        "$",
        "$$",
        "``",
        "''",
        "~",
        "^{",
        "_{}",
        "\\(",
        "\\\\\\",
        '\\"',
        "\\'",
        "\\c{",
        "\ud7ff\U0010ffff",
        "{" * 200 + "\\it x" + "}" * 50,
        "\\textbf{" * 100,
        "http://x.org/{\\it a}",
    ],
)
def test_clean_text_never_raises_and_keeps_letters(raw: str) -> None:
    cleaned = clean_text(raw)
    assert isinstance(cleaned, str)
    assert cleaned == cleaned.strip()
    assert clean_text(cleaned) == cleaned
    assert not _expected_words(raw) - _words(cleaned)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("A Title.", "A Title"),
        ("A Title. ", "A Title"),
        ("Wait...", "Wait..."),
        ("Attention Is All You Need", "Attention Is All You Need"),
        ("{\\it Deep} Nets\n.", "Deep Nets"),
        ("v2.0.", "v2.0"),
    ],
)
def test_clean_title(raw: str, expected: str) -> None:
    assert clean_title(raw) == expected


def test_clean_text_keeps_trailing_period() -> None:
    assert clean_text("An abstract.") == "An abstract."


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Recipefor Success", "Recipe for Success"),
        ("Pre-training – a Study", "Pre-training - a Study"),  # en dash vs hyphen
        ("Pre—training", "Pre-training"),  # em dash
        ("“Thinking” Tokens", '"Thinking" Tokens'),  # curly vs straight quotes
        ("It’s Here", "It's Here"),
        ("ATTENTION is all   you need", "Attention Is All You Need"),
        (unicodedata.normalize("NFD", "Café"), unicodedata.normalize("NFC", "Café")),
        ("Straße", "STRASSE"),
        ("ﬁne-tuning", "fine-tuning"),  # compatibility ligature
    ],
)
def test_title_key_same(a: str, b: str) -> None:
    assert title_key(a) == title_key(b)
    assert title_key(a) != ""


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("X v2: A", "X: A"),
        ("Hydra: A", "Hydra: B"),
        ("🤖", "🚀"),
        ("🤖🤖", "🤖"),
        ("—", "-"),
        ("LLaMA 2", "LLaMA 3"),
    ],
)
def test_title_key_different(a: str, b: str) -> None:
    assert title_key(a) != title_key(b)


@pytest.mark.parametrize("title", ["🤖", "→ ← ?", "—", "!!", "∑"])
def test_title_key_symbol_only_not_empty(title: str) -> None:
    key = title_key(title)
    assert key
    assert not any(c.isspace() for c in key)


def test_title_key_empty_only_for_blank() -> None:
    assert title_key("") == ""
    assert title_key(" \t\n") == ""


def test_title_key_is_alnum_and_deterministic() -> None:
    key = title_key("S^2FT: Efficient, Scalable & Generalizable (v2)")
    assert key == "s2ftefficientscalablegeneralizablev2"
    assert title_key("S^2FT: Efficient, Scalable & Generalizable (v2)") == key


def test_normalize_entry_and_normalize() -> None:
    source = Source(file="listings/a.txt", line=3, date="2024-08-12")
    entry = Entry(
        title="S^{2}FT: Efficient  Fine-Tuning.",
        abstract=r"We get {\it model size} and 90\% of it.",
        source=source,
    )
    cleaned = normalize_entry(entry)
    assert cleaned == Entry(
        title="S^2FT: Efficient Fine-Tuning",
        abstract="We get model size and 90% of it.",
        source=source,
    )
    assert entry.title == "S^{2}FT: Efficient  Fine-Tuning."  # input untouched
    other = Entry(title="B", abstract="b", source=Source(file="listings/b.txt", line=1))
    assert normalize([entry, other]) == [cleaned, other]
    assert normalize(iter([])) == []


def test_rules_table_documents_each_rule() -> None:
    assert len(LATEX_RULES) >= 15
    for rule in LATEX_RULES:
        assert rule.example, rule.pattern.pattern
        assert rule.pattern.search(rule.example), rule.example


def test_every_rule_example_holds_a_trigger_character() -> None:
    for rule in LATEX_RULES:
        assert set(rule.example) & set(LATEX_TRIGGERS), rule.example


_NO_TRIGGERS = st.text(
    alphabet=st.characters(blacklist_characters=LATEX_TRIGGERS, blacklist_categories=["Cs"]),
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(_NO_TRIGGERS)
def test_no_rule_matches_text_without_trigger_characters(text: str) -> None:
    """What lets clean_text skip the rules table for text without a trigger character."""
    for rule in LATEX_RULES:
        assert rule.pattern.search(text) is None, (rule.example, text)


@pytest.mark.parametrize("rule", LATEX_RULES, ids=lambda r: r.example)
def test_rule_example_without_triggers_matches_nothing(rule: LatexRule) -> None:
    stripped = rule.example.translate({ord(c): " " for c in LATEX_TRIGGERS})
    assert all(r.pattern.search(stripped) is None for r in LATEX_RULES), stripped


# ----------------------------------------------------------------- the whole saved corpus --


def _corpus_lines() -> list[tuple[str, str]]:
    lines = []
    for path in sorted(LISTINGS.glob("*.txt")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                lines.append((f"{path.name}:{number}", line))
    return lines


CORPUS = _corpus_lines()

_COMMAND = re.compile(r"\\([A-Za-z]+)")
_ACCENT_COMMAND = re.compile(r"\\[`'^~=.\"]")
# The mangled \approx symbol "{raise.17ex\scriptstyle\sim}" is markup, not words.
_RAISE = re.compile(r"raise\.\d+ex")
# "url{http://github.com/czg1225/SlimSAM}" is \url{...} that lost its backslash.
_BARE_URL = re.compile(r"(?<![\w\\])url(?=\{https?://)")


def _words(text: str) -> Counter[str]:
    """Casefolded letter runs, accents removed, so "naïvely" and "naively" are one word."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return Counter(w.casefold() for w in re.findall(r"[^\W\d_]+", plain))


def _expected_words(raw: str) -> Counter[str]:
    """Words of a raw line once the markup that normalize drops on purpose is removed."""
    text = _RAISE.sub(" ", raw)
    text = _BARE_URL.sub(" ", text)
    text = _ACCENT_COMMAND.sub("", text)  # na\"ively -> naively
    text = _COMMAND.sub(lambda m: " " if m.group(1) in KNOWN_COMMANDS else m.group(1), text)
    return _words(text)


def test_corpus_is_there() -> None:
    assert len(CORPUS) > 500
    assert any("\\textbf{" in line for _, line in CORPUS)
    assert any("{\\it " in line for _, line in CORPUS)


@pytest.mark.parametrize(("where", "line"), CORPUS, ids=[w for w, _ in CORPUS])
def test_corpus_line(where: str, line: str) -> None:
    cleaned = clean_text(line)
    # no LaTeX command, group or tie survives
    assert not _COMMAND.search(cleaned), where
    assert "{\\" not in cleaned
    assert not re.search(r"[\^_]\{", cleaned), where
    assert not re.search(r"[A-Za-z)]~[A-Za-z(]", cleaned), where
    assert "``" not in cleaned
    assert cleaned == " ".join(cleaned.split())
    # no word was lost: every word of the raw line (minus dropped markup) is still there
    missing = _expected_words(line) - _words(cleaned)
    assert not missing, f"{where}: lost {dict(missing)}"
    # and nothing was invented beyond the expansions of word macros (i.e., e.g.)
    extra = _words(cleaned) - _expected_words(line)
    assert set(extra) <= {"i", "e", "g"}, f"{where}: added {dict(extra)}"
    assert clean_text(cleaned) == cleaned, where


def test_corpus_markup_actually_changes() -> None:
    """The corpus check above would pass vacuously if no line held markup."""
    changed = [w for w, line in CORPUS if clean_text(line) != line]
    assert len(changed) >= 20


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Q&amp;A for LLMs", "Q&A for LLMs"),
        ("Models&#8217; Memory &#x2013; a Study", "Models’ Memory – a Study"),
        ("Zero&#8203;width", "Zerowidth"),  # decoded, then dropped like any zero-width space
        ("&lt;b&gt;bold&lt;/b&gt;", "<b>bold</b>"),  # text: the renderers escape it again
        ("this&nothing &copy AT&T R&D; &bogus;", "this&nothing &copy AT&T R&D; &bogus;"),
    ],
)
def test_html_character_references_are_decoded_only_when_complete(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
