"""Trying phrases: classify the papers that hold a phrase again, with the phrase added to a
topic's rule, by :func:`generator.stages.classify.classify` itself. What a trial says is
therefore exactly what pasting the phrase does, exclude phrases and ``min_abstract_hits``
included, not an estimate."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from generator.inputs.taxonomy import DEFAULT_MIN_ABSTRACT_HITS
from generator.model import Paper, Rule, Topic
from generator.stages.classify import classify
from generator.tools.suggest.records import Extension, Proposal, rounded
from generator.tools.suggest.terms import same

#: The rule of a proposed new topic before its phrases are added: the loader's default.
NEW_RULE = Rule(min_abstract_hits=DEFAULT_MIN_ABSTRACT_HITS)


@dataclass(frozen=True, slots=True)
class Trial:
    """A phrase to try in a target topic (existing slug, or ``None`` for a topic of its own)."""

    phrase: str
    in_title: bool
    target: str | None
    weight: float
    titled: bool


def adds(rule: Rule, phrase: str, in_title: bool) -> bool:
    """Whether adding ``phrase`` to the abstract (and title) lists of ``rule`` adds anything."""
    seen = same(phrase)
    missing_abstract = seen not in {same(p) for p in rule.abstract}
    missing_title = seen not in {same(p) for p in rule.title}
    return missing_abstract or (in_title and missing_title)


def rule_with(rule: Rule, title: Sequence[str], abstract: Sequence[str]) -> Rule:
    """``rule`` with phrases appended to its lists (phrases already there are not repeated)."""

    def extend(current: tuple[str, ...], extra: Sequence[str]) -> tuple[str, ...]:
        seen = {same(p) for p in current}
        added = [p for p in dict.fromkeys(extra) if same(p) not in seen]
        return current + tuple(added)

    return Rule(
        title=extend(rule.title, title),
        abstract=extend(rule.abstract, abstract),
        exclude=rule.exclude,
        min_abstract_hits=rule.min_abstract_hits,
    )


def with_rule(topic: Topic, rule: Rule) -> Topic:
    return dataclasses.replace(topic, rule=rule)


def try_phrases(
    papers: Sequence[Paper],
    topics: Sequence[Topic],
    trials: Sequence[Trial],
    users: dict[str, list[int]],
) -> list[Proposal]:
    """Each trial's topic, classified with its phrase added, on the papers that can change.

    Those are the papers holding the phrase and not in the topic yet. The variants of one
    phrase in one topic (abstract, title and abstract) share one classify call, so its papers
    are read once.
    """
    rules = {t.slug: t.rule for t in topics}
    by_target: dict[tuple[str, str], list[Trial]] = defaultdict(list)
    for trial in trials:
        by_target[(trial.phrase, trial.target or "")].append(trial)
    proposals = []
    for phrase, slug in sorted(by_target):
        variants = by_target[(phrase, slug)]
        target = variants[0].target
        base = rules[target] if target is not None else NEW_RULE
        holders = users[phrase]
        rows = [r for r in holders if target not in papers[r].topics]
        support = tuple(sorted(papers[r].id for r in holders if target in papers[r].topics))
        held = sum(1 for r in holders if papers[r].topics)
        probes = [
            Topic(
                slug=f"~v{n}",
                name=f"v{n}",
                description="-",
                rule=rule_with(base, (phrase,) if trial.in_title else (), (phrase,)),
            )
            for n, trial in enumerate(variants)
        ]
        found = members([papers[r] for r in rows], probes)
        for n, trial in enumerate(variants):
            unsorted, caught = split(papers, [rows[i] for i in found[f"~v{n}"]], target)
            proposals.append(
                Proposal(
                    phrase=phrase,
                    in_title=trial.in_title,
                    topic=target or "",
                    new_topic=target is None,
                    unsorted=unsorted,
                    caught=caught,
                    weight=rounded(trial.weight),
                    titled=trial.titled,
                    support=support,
                    holders=held,
                )
            )
    return proposals


def users(papers: Sequence[Paper], phrases: Iterable[str]) -> dict[str, list[int]]:
    """Phrase -> indexes of the papers that hold it in the title or the abstract.

    One classify pass with a topic per phrase: each phrase belongs to one topic only, so this
    costs what classifying with the real taxonomy costs. Adding a phrase to a rule can only
    change the papers that hold it, so trials look at these papers and no others; otherwise a
    trial would rescan the corpus, or one pass would count every phrase of a target topic once
    per trial copy of it.
    """
    distinct = sorted(set(phrases))
    probes = [
        Topic(slug=f"~p{n}", name=f"p{n}", description="-", rule=Rule((p,), (p,), (), 1))
        for n, p in enumerate(distinct)
    ]
    found = members(papers, probes)
    return {p: found[f"~p{n}"] for n, p in enumerate(distinct)}


def matching(papers: Sequence[Paper], rows: Sequence[int], rule: Rule) -> list[int]:
    """Those of ``rows`` that a topic with ``rule`` takes, as :func:`classify` decides."""
    probe = Topic(slug="~probe", name="probe", description="-", rule=rule)
    return [rows[i] for i in members([papers[r] for r in rows], [probe])["~probe"]]


def members(papers: Sequence[Paper], topics: Sequence[Topic]) -> dict[str, list[int]]:
    """Slug -> indexes of the papers ``topics`` put in it (one classify pass).

    The probe topics of this module have slugs starting with ``~``, which no taxonomy slug can:
    classify adds a curator's pins (``Paper.meta.topics``) by slug, and none may land in one.
    """
    found: dict[str, list[int]] = {t.slug: [] for t in topics}
    if not topics or not papers:
        return found
    for index, paper in enumerate(classify(papers, topics)):
        for slug in paper.topics:
            found[slug].append(index)
    return found


def split(
    papers: Sequence[Paper], rows: Sequence[int], target: str | None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Ids of the unsorted papers among ``rows``, and of the sorted ones not yet in ``target``."""
    unsorted = tuple(papers[r].id for r in rows if not papers[r].topics)
    caught = tuple(
        papers[r].id for r in rows if papers[r].topics and target not in papers[r].topics
    )
    return unsorted, caught


def related_topics(papers: Sequence[Paper]) -> dict[str, frozenset[str]]:
    """Slug -> the topics related to it: itself and every topic that shares a sorted paper
    with it. A phrase proposed for a topic may catch sorted papers of these only."""
    related: dict[str, set[str]] = defaultdict(set)
    for paper in papers:
        for slug in paper.topics:
            related[slug].update(paper.topics)
    return {slug: frozenset(others) for slug, others in related.items()}


def strays(
    topics: Mapping[str, tuple[str, ...]], caught: Sequence[str], allowed: frozenset[str]
) -> tuple[str, ...]:
    """Those of the ``caught`` sorted papers (ids; ``topics`` maps ids to their topics) that are
    in none of the ``allowed`` topics: papers of unrelated topics, which no proposal may catch."""
    return tuple(pid for pid in caught if not allowed.intersection(topics.get(pid, ())))


def pasted(
    papers: Sequence[Paper], topics: Sequence[Topic], extensions: Sequence[Extension]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What pasting every proposal at once does, by :func:`classify` on every paper: the
    unsorted papers it sorts, and the sorted papers whose topics change (they gain one)."""
    if not extensions:
        return (), ()
    changed = {e.topic.slug: e.topic for e in extensions if not e.new_topic}
    taxonomy = [changed.get(t.slug, t) for t in topics] + [
        e.topic for e in extensions if e.new_topic
    ]
    after = classify(papers, taxonomy)
    sorts = tuple(a.id for a, b in zip(after, papers, strict=True) if a.topics and not b.topics)
    moves = tuple(
        a.id for a, b in zip(after, papers, strict=True) if b.topics and a.topics != b.topics
    )
    return sorts, moves
