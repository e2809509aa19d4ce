"""``paperkb topics``: topic counts, the topics assigned by similarity and why, and the measure.

Plain text for a terminal (never markup). The learned assignment itself is
:mod:`generator.stages.learn`; this module only reports it: every assignment with the closest
topics' scores and the calibrated threshold (:func:`format_topics`), one paper's reasons
(:func:`format_why`), and the cross-validation on the rules' topics (:func:`format_eval`).
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.model import Paper, Topic
from generator.stages.learn import (
    FOLDS,
    MARGIN,
    MIN_PREDICTIONS,
    TARGET_PRECISION,
    Figures,
    Learned,
    cross_validate,
    eval_vectors,
    held_out,
    model,
    without_learned,
)


def _shown(text: str) -> str:
    """Data text as one terminal line: control characters become U+FFFD."""
    return "".join(char if char.isprintable() else "\ufffd" for char in " ".join(text.split()))


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _scores(scores: Sequence[tuple[str, float]]) -> str:
    return ", ".join(f"{slug} {value:.2f}" for slug, value in scores) or "no topic shares a term"


def _calibration_lines(learned: Learned) -> list[str]:
    c = learned.calibration
    if c.threshold is None:
        return [f"Nothing is assigned by similarity: {c.reason}."]
    f = c.figures
    return [
        f"Assigned by similarity at a confidence of {c.threshold:.2f} or more: the lowest at "
        f"which {TARGET_PRECISION:.0%} of at least {MIN_PREDICTIONS} cross-validated "
        f"predictions agree with the rules, plus {MARGIN}.",
        f"  cross-validation by {c.folds} ({FOLDS} folds): precision {_percent(f.precision)} "
        f"({f.correct} of {f.predictions} predictions), {_percent(f.coverage)} of "
        f"{f.papers} sorted papers get a topic",
    ]


def format_topics(papers: Sequence[Paper], topics: Sequence[Topic]) -> str:
    """Paper counts per topic (by the rules and pins, and by similarity), then every paper
    assigned by similarity with its topics' scores."""
    rules = {t.slug: 0 for t in topics}
    learned_counts = {t.slug: 0 for t in topics}
    for paper in papers:
        for slug in paper.rule_topics:
            rules[slug] += 1
        for slug, _ in paper.learned_topics:
            learned_counts[slug] += 1
    out = ["papers (rules and pins + by similarity)  topic"]
    for topic in topics:
        extra = learned_counts[topic.slug]
        count = f"{rules[topic.slug]:,}" + (f" + {extra:,}" if extra else "")
        off = "" if topic.learned else "  [learned: false]"
        out.append(f"{count:>12}  {topic.slug}  ({_shown(topic.name)}){off}")
    out.append(f"{sum(1 for p in papers if not p.topics):>12,}  unsorted")
    learned = model(without_learned(papers), topics)
    out += ["", *_calibration_lines(learned)]
    assigned = [p for p in sorted(papers, key=lambda p: p.id) if p.learned_topics]
    if assigned:
        out += ["", f"{len(assigned)} papers the rules leave unsorted, by similarity:"]
    for paper in assigned:
        out += [
            f"* {paper.id}: {_shown(paper.title)}",
            f"    assigned: {_scores(paper.learned_topics)}",
            f"    closest topics: {_scores(learned.scores.get(paper.id, ()))}",
        ]
    return "\n".join(out) + "\n"


def format_why(papers: Sequence[Paper], topics: Sequence[Topic], paper_id: str) -> str | None:
    """Why one paper has its topics: the rules' and pins', and the model's scores. ``None``
    when no paper has that id."""
    paper = next((p for p in papers if p.id == paper_id), None)
    if paper is None:
        return None
    learned = model(without_learned(papers), topics)
    threshold = learned.calibration.threshold
    scores = learned.scores.get(paper.id, ())
    off = {t.slug for t in topics if not t.learned}
    out = [f"{paper.id}: {_shown(paper.title)}"]
    pins = [slug for slug in paper.meta.topics if slug in paper.rule_topics]
    by_rules = [slug for slug in paper.rule_topics if slug not in pins]
    out.append(f"  by the rules: {', '.join(by_rules) or 'none'}")
    if pins:
        out.append(f"  pinned by a record: {', '.join(pins)}")
    if paper.rule_topics:
        out.append("  sorted by the rules or a pin: no topic is ever added by similarity")
        if paper.id in learned.scores:
            out.append(f"  closest topics (model without this paper): {_scores(scores)}")
        return "\n".join(out) + "\n"
    out.append(f"  closest topics: {_scores(scores)}")
    if paper.learned_topics:
        out.append(f"  assigned by similarity: {_scores(paper.learned_topics)}")
    elif threshold is None:
        out.append(f"  unsorted: nothing is assigned by similarity ({learned.calibration.reason})")
    elif scores and scores[0][0] in off:
        out.append("  unsorted: its closest topic says learned: false in the taxonomy")
    else:
        out.append(f"  unsorted: no assignable topic reaches the threshold of {threshold:.2f}")
    return "\n".join(out) + "\n"


def _figures_line(label: str, f: Figures) -> str:
    return (
        f"  {label}: precision {_percent(f.precision)} ({f.correct} of {f.predictions}), "
        f"coverage {_percent(f.coverage)} of {f.papers} sorted papers"
    )


def format_eval(papers: Sequence[Paper], topics: Sequence[Topic]) -> str:
    """The learned assignment measured against the rules: the threshold, cross-validation by
    paper and by source file, per topic, and each source file held out (train on the others)."""
    base = without_learned(papers)
    learned = model(base, topics)
    threshold = learned.calibration.threshold
    total = max(len(papers), 1)
    unsorted = sum(1 for p in base if not p.topics)
    after = sum(1 for p in papers if not p.topics)
    out = [
        f"{len(papers)} papers: {unsorted} unsorted by the rules ({unsorted / total:.1%}), "
        f"{after} after the assignment by similarity ({after / total:.1%})",
        "",
        *_calibration_lines(learned),
    ]
    if threshold is None:
        return "\n".join(out) + "\n"
    vectors = eval_vectors(base)  # the same for every check below
    by_paper = cross_validate(base, topics, threshold, vectors=vectors)
    by_file = cross_validate(base, topics, threshold, by_file=True, vectors=vectors)
    out += [
        "",
        f"At {threshold:.2f}, train on four fifths of the sorted papers, predict the fifth:",
        _figures_line("folds of papers", by_paper),
        _figures_line("folds of source files", by_file),
        "",
        "Per topic (folds of papers): predictions, right, papers in the topic",
    ]
    for t in by_paper.topics:
        flag = "" if not t.predicted or t.correct >= TARGET_PRECISION * t.predicted else "  <"
        out.append(f"  {t.predicted:5} {t.correct:5} {t.members:6}  {t.slug}{flag}")
    out += [
        "  (< : under the target; 'learned: false' on the topic turns it off)",
        "",
        "Each source file held out (trained and calibrated on the papers of the others):",
    ]
    files = sorted({s.file for p in base for s in p.sources})
    for file in files:
        h = held_out(base, topics, file, vectors)
        f = h.figures
        out.append(
            f"  {_shown(file)}: {h.papers} papers, {h.unsorted} unsorted by the rules, "
            f"{h.learned} of them by similarity; sorted ones: precision {_percent(f.precision)} "
            f"({f.correct} of {f.predictions}), coverage {_percent(f.coverage)}"
        )
    return "\n".join(out) + "\n"
