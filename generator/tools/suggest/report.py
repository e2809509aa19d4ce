"""The report of ``paperkb topics --suggest``: plain text for a terminal, then a YAML snippet."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import yaml

from generator.tools.suggest.records import FIT, MIN_NEW_TOPIC, NEIGHBOURS, Extension, Suggestions


def _yaml_scalar(text: str) -> str:
    """``text`` as a YAML flow scalar that reads back as the same string.

    Plain when that round-trips (``magic state``); double-quoted otherwise, e.g. for words YAML
    reads as booleans, nulls or numbers (``yes``, ``on``, ``null``, ``1e5``).
    """
    try:
        if yaml.safe_load(f"[{text}]") == [text]:
            return text
    except (yaml.YAMLError, ValueError):  # PyYAML raises ValueError on e.g. ``0b_``
        pass
    return json.dumps(text, ensure_ascii=False)


def _flow(items: Iterable[str]) -> str:
    return "[" + ", ".join(_yaml_scalar(item) for item in items) + "]"


def yaml_snippet(s: Suggestions) -> str:
    """The proposed rules as YAML with two keys.

    ``extend`` maps the slug of an existing topic to the phrases to append to its ``match``
    lists (``title``, ``abstract``); ``new_topics`` holds complete topic entries to paste under
    ``topics:``. ``yaml.safe_load`` reads it back to exactly the phrases proposed.
    """
    extend = [e for e in s.extensions if not e.new_topic]
    new = [e for e in s.extensions if e.new_topic]
    lines = [
        "# Review every phrase before pasting: the counts above say what each one catches.",
        "# extend: append each list to the same list under that topic's 'match:'.",
        "# new_topics: paste the items under 'topics:', then write their descriptions.",
        "extend:" + ("" if extend else " {}"),
    ]
    for e in extend:
        lines.append(f"  {_yaml_scalar(e.topic.slug)}:")
        if e.title:
            lines.append(f"    title: {_flow(e.title)}")
        lines.append(f"    abstract: {_flow(e.abstract)}")
    lines.append("new_topics:" + ("" if new else " []"))
    for e in new:
        lines += [
            f"  - name: {json.dumps(e.topic.name, ensure_ascii=False)}",
            f"    description: {json.dumps(e.topic.description, ensure_ascii=False)}",
            f"    slug: {e.topic.slug}",
            "    match:",
        ]
        if e.title:
            lines.append(f"      title: {_flow(e.title)}")
        lines.append(f"      abstract: {_flow(e.abstract)}")
    return "\n".join(lines) + "\n"


def _shown(text: str) -> str:
    """Data text as a terminal line: control characters (an escape sequence in a title, say)
    become U+FFFD. The pipeline's normalize stage drops them already; this does not rely on it."""
    return "".join(char if char.isprintable() else "\ufffd" for char in text)


def _some(ids: Sequence[str], limit: int = 3) -> str:
    more = f" (+{len(ids) - limit} more)" if len(ids) > limit else ""
    return ", ".join(ids[:limit]) + more


def _candidate_lines(s: Suggestions) -> list[str]:
    """Each unsorted paper's candidate topics, and what is proposed for it: a new topic is
    named only when one that holds the paper is printed below."""
    in_new = {pid: e.topic.slug for e in s.extensions if e.new_topic for pid in e.unsorted}
    out = [
        "",
        "Candidate topics, best first. score: cosine to the topic's centroid; votes: summed",
        f"similarity of the {NEIGHBOURS} nearest sorted papers in the topic; below each: the "
        "topic's closest papers.",
    ]
    for u in s.unsorted:
        out += ["", f"* {_shown(u.title)}", f"  {_shown(u.id)}"]
        if not u.candidates:
            out.append("  no candidate: it shares no term with any sorted paper")
        elif not u.fits and u.id in in_new:
            out.append(
                f"  no topic fits (best score under {FIT}): it is in the new topic "
                f"{in_new[u.id]} proposed below"
            )
        elif not u.fits:
            out.append(
                f"  no topic fits (best score under {FIT}), and no new topic is proposed for it: "
                f"no group of {MIN_NEW_TOPIC} unsorted papers with it shares distinctive terms "
                "that make a clean rule"
            )
        for c in u.candidates:
            out.append(f"  - {c.slug} ({_shown(c.name)}): score {c.score:.2f}, votes {c.votes:.2f}")
            out += [f"      {n.similarity:.2f}  {_shown(n.title)}" for n in c.neighbours]
    return out


def _extension_lines(e: Extension) -> list[str]:
    """One topic's proposal: what its phrases do together, then each phrase."""
    name = _shown(e.topic.name)
    label = f"new topic {e.topic.slug} ({name})" if e.new_topic else f"{e.topic.slug} ({name})"
    out = [
        "",
        f"  {label}: together sort {len(e.unsorted)}, also catch {len(e.caught)} sorted",
        f"    {'its papers' if e.new_topic else 'sorts'}: {_shown(_some(e.unsorted, 6))}",
    ]
    width = max(len(p.phrase) for p in e.proposals)
    pad = f"    {'':{width}}  {'':14}  "
    for p in e.proposals:
        where = "title+abstract" if p.in_title else "abstract"
        used = (
            f"used by {len(p.support)} of the group"
            if e.new_topic
            else f"in the topic: {len(p.support)} of the {p.holders} sorted papers holding it"
        )
        sorts = f"sorts {len(p.unsorted)}" if p.unsorted else "sorts 0 alone"
        out.append(
            f"    {_shown(p.phrase):{width}}  {where:14}  {sorts}, also catches "
            f"{len(p.caught)} sorted; {used}"
        )
        if p.unsorted:
            out.append(f"{pad}sorts: {_shown(_some(p.unsorted))}")
        if p.caught:
            out.append(f"{pad}also: {_shown(_some(p.caught))}")
        if p.support:
            out.append(f"{pad}used by: {_shown(_some(p.support))}")
    return out


def format_suggestions(s: Suggestions) -> str:
    """A plain-text report for a terminal, ending with :func:`yaml_snippet`.

    Text from the data (titles, topic names) is printed as plain text: the report is never HTML.
    """
    out = [f"{len(s.unsorted)} of {s.papers} papers are unsorted by the rules."]
    if not s.unsorted:
        return "\n".join([*out, "Nothing to suggest: every paper matches a topic."]) + "\n"
    out += _candidate_lines(s)
    out += [
        "",
        "Proposed phrases, per topic: extending a topic comes first; a new topic only for a",
        f"group of {MIN_NEW_TOPIC} or more unsorted papers sharing distinctive terms. sorts: "
        "unsorted papers",
        "it would sort; also catches: sorted papers it would add to the topic (what pasting it",
        "does, tried on every paper; never one of a topic unrelated to it); used by: the",
        "evidence, papers of the topic (or of the new topic's group) that hold the phrase.",
    ]
    if not s.extensions:
        out.append("  none: no term that a fitting topic's papers use would sort an unsorted paper")
    for e in s.extensions:
        out += _extension_lines(e)
    left = sorted({u.id for u in s.unsorted} - set(s.sorts))
    out += [
        "",
        f"Pasting all of it sorts {len(s.sorts)} of the {len(s.unsorted)} unsorted papers and "
        f"adds a topic to {len(s.moves)} sorted {'paper' if len(s.moves) == 1 else 'papers'}.",
    ]
    if left:
        out += [
            f"{len(left)} stay unsorted: no phrase with that evidence sorts them (pin them with",
            "a record's topics: list, or leave them unsorted):",
            *[f"  {_shown(pid)}" for pid in left],
        ]
    out += ["", "YAML for data/topics.yaml:", "", yaml_snippet(s).rstrip("\n")]
    return "\n".join(out) + "\n"
