"""The browser's copies of Python rules give the same answers, run side by side in node.

paperkb's scripts mirror rules of the generator: the tokenizer and fold of search
(``paperkb-words.js`` / :mod:`generator.render.search.words`), the base-32 codec and the facts
shard of an id (``paperkb-codec.js`` / :mod:`generator.render.search.codec`,
:mod:`generator.render.search.facts`), a paper's row (``paperkb-rows.js`` /
:func:`generator.render.rows.render_row`) and its citations (``paperkb-cite.js`` /
:mod:`generator.render.cite`). Each test feeds the same cases, the shipped papers and hostile
ones, to both, the browser's side through ``tests/js/call.js`` in node (no browser), and
requires identical output. The citation cases go through the generated index files
(``search/d``, ``search/p``), as the reading list reads them.
"""

from __future__ import annotations

import html
import json
import random
import re
import shutil
import subprocess
from collections.abc import Sequence
from functools import cache
from typing import Any

import pytest
from conftest import DATA, ROOT

from generator.model import Metadata, Paper, Source, Topic
from generator.pipeline import make_plan
from generator.render.citations import _csl_line
from generator.render.cite import bibtex, ris
from generator.render.rows import Rows
from generator.render.search import render_search
from generator.render.search.codec import encode, encode_number
from generator.render.search.facts import shard_of_id
from generator.render.search.words import fold, tokens

SCRIPTS = ROOT / "docs" / "assets" / "javascripts"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed")

#: Text that tokenizers and citation writers get wrong: accents (composed and not), ligatures,
#: final sigma, Turkish dotted and dotless i, fullwidth and superscript forms, combining marks
#: alone, other scripts and digits, zero-width and odd spaces, controls, TeX and markup syntax.
HOSTILE = [
    "Café naïve résumé coöperate Æsir ﬁne ﬂow",
    "Cafe\u0301 n\u0303o combining only \u0301\u0302",
    "ΣΟΦΙΑ ΟΔΟΣ σοφός Σ",
    "İstanbul ISTANBUL ıi DİYARBAKIR",
    "ＦＵＬＬ ｗｉｄｔｈ ２０２４ x² H₂O ½ ① Ⅻ ℌ ℃ ㎏",
    "中文标题 日本語のタイトル 한국어 제목 ١٢٣ ٤٥٦ عربي हिन्दी",
    "zero\u200bwidth\u200djoiner\u2060word\ufeffbom",
    "tabs\tand\nnewlines\r\nand\u2028line\u2029para\x85next\xa0nbsp\u3000ideo\u202fnarrow",
    "ctrl\x00\x01\x1b\x7f\x9f chars \x1c\x1d\x1e\x1f",
    "Break}} out \\end{document} {{ x }} 100% $a_b^c$ & #1 ~ `code`\n```\n~~~\n@misc{evil,",
    "<i>Italic</i> <b>bold <sup>2</sup> <span class=x> <İ> <ı> <ſub> <Sub> <\u200bkept>",
    "GPT-4o: A Vision-LLM for 2D/3D iPhone ViTok Self-Supervised",
    "Graph Mamba: Towards Learning on Graphs",
    "x: y",
    ": leading colon",
    "A B C D: four words is no name",
    "'Quoted' (Paren) [Bracket]: «Guillemets» „Low“ —Dash— …",
    "ǅungla ǈ titlecase ǲ",
    "emoji 🚀🔥 in 👩‍🔬 title",
    "under_score __init__ snake_case",
    "",
    "   ",
]
HOSTILE_NAMES = [
    "van der Berg, Jan",
    "Jan van der Berg",
    "Smith, Jr, John",
    "a, b, c, d",
    "One",
    "Ludwig van Beethoven",
    "Anderson and Andrews",
    "AND",
    "Band Aid and sand",
    "  spaced   out  ",
    "\x00",
    "de la Cruz",
    "Émile Zola",
    "ǅ lower ǆ",
    "Ali , ",
    ", Empty first",
]


def run(scripts: Sequence[str], calls: list[list[Any]]) -> list[Any]:
    """Each call ``[part, function, arguments]`` run in node after loading ``scripts``."""
    assert NODE is not None
    done = subprocess.run(
        [NODE, str(ROOT / "tests" / "js" / "call.js")],
        input=json.dumps(
            {"scripts": [str(SCRIPTS / f"paperkb-{s}.js") for s in scripts], "calls": calls}
        ),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    result: list[Any] = json.loads(done.stdout)
    assert len(result) == len(calls)
    return result


@cache
def shipped() -> tuple[tuple[Paper, ...], tuple[Topic, ...]]:
    plan = make_plan(DATA, parallel=False)
    return plan.papers, plan.topics


def hostile_papers() -> list[Paper]:
    """Papers of hostile titles and names, with every kind of date and id (valid or not)."""
    rng = random.Random(25)
    dates = [None, "2024", "2024-06", "2024-02-29", "2023-02-29", "2024-13", "not a date", "0001"]
    ids = [None, "2312.00752", "hep-th/9901001v2", "math.GT/0309136", "1234.5", "../x", "a b"]
    out = []
    for n, title in enumerate(HOSTILE):
        names = tuple(rng.sample(HOSTILE_NAMES + HOSTILE, 4)) if n % 3 else ()
        meta = Metadata(
            authors=names,
            published=dates[n % len(dates)],
            arxiv=ids[n % len(ids)],
            upvotes=[None, 0, 1, 1234567][n % 4],
            comments=[None, 1, 2][n % 3],
            github=[None, "https://github.com/a/b", "javascript:alert(1)"][n % 3],
            listed=[None, "2024-08-12"][n % 2],
        )
        title = title if title.strip() else f"blank {n}"
        out.append(
            Paper(
                f"hostile-{n}",
                f"hostile-{n}",
                title,
                title + " abstract",
                (),
                (Source("listings/2024-08-13.txt", 1, "Aug 13"),),
                meta=meta,
            )
        )
    return out


def test_fold_and_tokens_match_the_python_for_shipped_and_hostile_text() -> None:
    papers, _ = shipped()
    texts = [*HOSTILE, *HOSTILE_NAMES]
    texts += [p.title for p in papers] + [p.abstract for p in papers[:80]]
    texts += [name for p in papers for name in p.meta.authors][:400]
    calls = [["words", "fold", [t]] for t in texts] + [["words", "tokens", [t]] for t in texts]
    got = run(["words"], calls)
    assert got[: len(texts)] == [fold(t) for t in texts]
    assert got[len(texts) :] == [tokens(t) for t in texts]


def test_the_codec_decodes_what_python_encodes() -> None:
    import numpy as np

    rng = random.Random(5)
    values = [0, 1, 31, 32, 33, 1023, 1024, 32**3 - 1, 32**3, 2**31 - 1, 2**40]
    values += [rng.randrange(2 ** rng.randrange(1, 45)) for _ in range(500)]
    joined, _ = encode(np.array(values, dtype=np.int64))
    calls = [["codec", "numbers", [encode_number(v)]] for v in values]
    calls.append(["codec", "numbers", [joined]])
    got = run(["codec"], calls)
    assert got[:-1] == [[v] for v in values]
    assert got[-1] == values


def test_the_facts_shard_of_an_id_is_the_same() -> None:
    papers, _ = shipped()
    ids = [p.id for p in papers] + ["", "a", "é-unicode", "x" * 80, "中文"]
    cases = [(i, shards) for i in ids for shards in (1, 7, 64, 3125)]
    got = run(["codec"], [["codec", "shardOfId", [i, s]] for i, s in cases])
    assert got == [shard_of_id(i, s) for i, s in cases]
    assert len(set(got)) > 100  # the shards are spread


def index_files(papers: Sequence[Paper], topics: Sequence[Topic]) -> dict[str, Any]:
    """The data of every search file (``d/3`` -> its rows, ...)."""
    out = {}
    for text in render_search(papers, topics).values():
        name, data = re.fullmatch(
            r'paperkbSearch\.add\("([^"]+)",(.*)\);', text.split("\n")[1]
        ).groups()  # type: ignore[union-attr]
        out[name] = json.loads(data)
    return out


def browser_papers(papers: Sequence[Paper], topics: Sequence[Topic]) -> dict[str, dict[str, Any]]:
    """Each paper as the reading list reads it from the index: its row and its facts."""
    files = index_files(papers, topics)
    per_doc = files["meta"]["perDoc"]
    facts = {
        k: v for name, shard in files.items() if name.startswith("p/") for k, v in shard.items()
    }
    out = {}
    for paper in papers:
        number, authors, date, arxiv = [*facts[paper.id], "", ""][:4]
        row = files[f"d/{number // per_doc}"][number % per_doc]
        assert row[0] == paper.id
        out[paper.id] = {
            "id": paper.id,
            "title": row[1],
            "authors": authors,
            "date": date,
            "arxiv": arxiv,
            "row": row,
        }
    return {"meta": files["meta"], **out}


def test_citations_written_in_the_browser_equal_the_site_s() -> None:
    papers, topics = shipped()
    everyone = [*papers, *hostile_papers()]
    read = browser_papers(everyone, topics)
    cases = [read[p.id] for p in everyone]
    for case in cases:
        del case["row"]
    calls = [["cite", fn, [c]] for c in cases for fn in ("bibtex", "cslLine", "ris")]
    got = run(["cite"], calls)
    want = [make(p) for p in everyone for make in (bibtex, _csl_line, ris)]
    mismatches = [(c, g, w) for c, g, w in zip(calls, got, want, strict=True) if g != w]
    assert mismatches == []


def facts_text(item: str) -> str:
    """The text of a row's second line, as a browser shows it."""
    found = re.search(r"<span>(.*)</span></li>$", item)
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))) if found else ""


def test_rows_made_in_the_browser_say_what_the_site_s_rows_say() -> None:
    papers, topics = shipped()
    everyone = [*papers, *hostile_papers()]
    read = browser_papers(everyone, topics)
    meta_topics = read["meta"]["topics"]
    calls = []
    for paper in everyone:
        calls.append(["rows", "fields", [read[paper.id]["row"], meta_topics]])
    fields = run(["rows"], calls)
    lines = run(["rows"], [["rows", "line", [f]] for f in fields])
    rows = Rows.of(everyone, {t.slug: t for t in topics})
    want = [facts_text(rows.html([p], "", "title").split("\n")[1]) for p in everyone]
    assert [f["title"] for f in fields] == [p.title for p in everyone]
    assert lines == want
    assert sum(1 for line in want if "upvote" in line) >= 3  # hostile papers have every field


def test_shard_look_ups_agree_with_python_s_bisect_in_utf16_order() -> None:
    """``shardOf`` is bisect_right over the shards' first words, ``lowerBound`` bisect_left,
    both in UTF-16 code unit order (:func:`generator.render.search.codec.utf16`)."""
    import bisect

    from generator.render.search.codec import utf16

    papers, _ = shipped()
    words = sorted(
        {w for p in papers for w in tokens(p.title)} | {"𝔘nicode", "ｆull", "é"}, key=utf16
    )
    firsts = words[::7]
    probes = [*words[::3], "", "a", "zzzz", "\uffff", "é", "𝔘", "model", "modelx"]
    calls = [["codec", "shardOf", [firsts, w]] for w in probes]
    calls += [["codec", "lowerBound", [words, w]] for w in probes]
    keys, all_keys = [utf16(w) for w in firsts], [utf16(w) for w in words]
    want = [bisect.bisect_right(keys, utf16(w)) for w in probes]
    want += [bisect.bisect_left(all_keys, utf16(w)) for w in probes]
    assert run(["codec"], calls) == want
