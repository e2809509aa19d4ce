"""Link stage: related papers and related topics.

Related papers (first version) are ranked by the cosine similarity of IDF-weighted sets of
content words from title and abstract, plus :data:`SHARED_TOPIC_BONUS` when the two papers share
a topic (the classify stage runs first): on the shipped corpus word overlap alone is thin (the
median best cosine is 0.095), and a shared topic is the curators' own word that two papers belong
together. Candidates come from an inverted index over words that
are not too common (document frequency at most :data:`MAX_DF_FRACTION` of the corpus), so the
cost grows with the number of shared rare words, not with the square of the corpus. At most
:data:`RELATED_COUNT` papers are kept, and none scoring under :data:`RELATED_FLOOR`: a paper
with no good neighbour shows none rather than a poor match.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace

from generator.model import Paper
from generator.words import ENGLISH_STOP_WORDS

RELATED_COUNT = 5
#: Below this score the shared words are generic ("model", "results"): on the shipped corpus,
#: pairs above it share a topic 87% of the time, pairs between 0.05 and 0.1 only 49%.
RELATED_FLOOR = 0.1
#: Added to the cosine of two papers that share a topic.
SHARED_TOPIC_BONUS = 0.05
#: Words in more than this fraction of papers carry no signal and would make blocking quadratic.
MAX_DF_FRACTION = 0.2

WORD_RE = re.compile(r"[a-z][a-z0-9]{2,}")
#: English stop words plus words nearly every abstract uses.
STOP_WORDS = ENGLISH_STOP_WORDS | frozenset(
    [
        "achieve",
        "achieves",
        "although",
        "among",
        "approach",
        "based",
        "existing",
        "introduce",
        "introduces",
        "method",
        "methods",
        "much",
        "new",
        "novel",
        "now",
        "paper",
        "present",
        "presents",
        "propose",
        "proposed",
        "recent",
        "result",
        "results",
        "show",
        "shown",
        "shows",
        "use",
        "used",
        "uses",
        "using",
        "well",
        "work",
    ]
)


def content_words(text: str) -> frozenset[str]:
    """Lowercased words of three or more characters that are not stop words."""
    return frozenset(w for w in WORD_RE.findall(text.casefold()) if w not in STOP_WORDS)


def related_papers(papers: Sequence[Paper]) -> list[Paper]:
    """Papers with ``related`` filled in: ids of the most similar other papers, best first."""
    words = [content_words(f"{p.title} {p.abstract}") for p in papers]
    df = Counter(w for ws in words for w in ws)
    total = len(papers)
    max_df = max(2, int(MAX_DF_FRACTION * total))
    idf = {w: math.log(total / n) for w, n in df.items() if n <= max_df}
    vectors = [{w: idf[w] for w in ws if w in idf} for ws in words]
    norms = [math.sqrt(sum(v * v for v in vec.values())) or 1.0 for vec in vectors]
    postings: dict[str, list[int]] = defaultdict(list)
    for index, vec in enumerate(vectors):
        for w in vec:
            postings[w].append(index)

    result: list[Paper] = []
    for index, vec in enumerate(vectors):
        dots: dict[int, float] = defaultdict(float)
        for w, weight in vec.items():
            for other in postings[w]:
                if other != index:
                    dots[other] += weight * weight
        topics = set(papers[index].topics)
        scored = sorted(
            (
                dot / (norms[index] * norms[other])
                + (SHARED_TOPIC_BONUS if topics.intersection(papers[other].topics) else 0.0),
                papers[other].id,
            )
            for other, dot in dots.items()
        )
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        related = tuple(pid for score, pid in scored[:RELATED_COUNT] if score >= RELATED_FLOOR)
        result.append(replace(papers[index], related=related))
    return result


def related_topics(papers: Sequence[Paper]) -> dict[str, list[tuple[str, int]]]:
    """For each topic, the other topics sharing papers with it, with counts, most shared first."""
    together: dict[str, Counter[str]] = defaultdict(Counter)
    for paper in papers:
        for topic in paper.topics:
            together[topic].update(t for t in paper.topics if t != topic)
    return {
        topic: sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        for topic, counts in sorted(together.items())
    }
