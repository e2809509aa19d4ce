"""Candidate pairs without comparing all pairs: nodes (one per exact title key), blocks on each
title's rarest tokens, and the pairs within a block whose title keys score high enough."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from itertools import combinations

from rapidfuzz import fuzz, process

from generator.model import Entry
from generator.stages.dedupe.features import Node, node_key, title_tokens, unescape
from generator.stages.dedupe.precedence import title_and_abstract
from generator.stages.dedupe.rules import (
    BLOCK_C_LOOP,
    BLOCK_PAIR_TOKENS,
    BLOCK_SINGLE_MAX_DF,
    BLOCK_SINGLE_TOKENS,
    NEAR_MISS_MIN_RATIO,
    SHORT_TITLE_TOKENS,
)


def make_nodes(entries: Sequence[Entry]) -> list[Node]:
    """One node per exact title key, in key order; its title and abstract by precedence."""
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        groups[node_key(entry.title)].append(entry)
    found: list[Node] = []
    for index, key in enumerate(sorted(groups)):
        members = groups[key]
        if len(members) == 1:
            title, abstract = members[0].title, members[0].abstract
            token_set = frozenset(title_tokens(unescape(title)))
        else:
            members.sort(key=lambda e: e.source)
            title, abstract = title_and_abstract(members)
            spellings = dict.fromkeys(e.title for e in members)
            token_set = frozenset(t for s in spellings for t in title_tokens(unescape(s)))
        plain = unescape(title)
        tokens = title_tokens(plain)
        found.append(
            Node(
                index,
                key,
                title,
                abstract,
                tokens,
                token_set,
                members,
                "".join(tokens) or key,
                plain,
            )
        )
    return found


def blocks(nodes: Sequence[Node]) -> list[list[int]]:
    """Candidate blocks (lists of node indices) from each title's rarest tokens."""
    df: Counter[str] = Counter()
    for node in nodes:
        df.update(node.token_set)
    # rank of each token by (document frequency, token): a C-level sort key below
    rank = {token: n for n, token in enumerate(sorted(df, key=lambda t: (df[t], t)))}
    # Block keys: a token pair is a tuple, a rare token a str, a short title's token ("s", t).
    found: dict[tuple[str, ...] | str, list[int]] = defaultdict(list)
    for node in nodes:
        rarest = sorted(node.token_set, key=rank.__getitem__)
        index = node.index
        for pair in combinations(sorted(rarest[:BLOCK_PAIR_TOKENS]), 2):
            found[pair].append(index)
        for token in rarest[:BLOCK_SINGLE_TOKENS]:
            if 1 < df[token] <= BLOCK_SINGLE_MAX_DF:
                found[token].append(index)
        if len(node.tokens) <= SHORT_TITLE_TOKENS:
            for token in sorted(node.token_set):
                found[("s", token)].append(index)
    return [members for members in found.values() if len(members) > 1]


def candidates(nodes: Sequence[Node]) -> dict[tuple[int, int], float]:
    """Node pairs in a common block whose title keys score at least NEAR_MISS_MIN_RATIO."""
    found: dict[tuple[int, int], float] = {}
    for members in blocks(nodes):
        keys = [nodes[i].match for i in members]
        size = len(members)
        for x in range(size - 1):
            if size - x > BLOCK_C_LOOP:
                hits = process.extract(
                    keys[x],
                    keys[x + 1 :],
                    scorer=fuzz.ratio,
                    score_cutoff=NEAR_MISS_MIN_RATIO,
                    limit=None,
                )
                scored = [(x + 1 + offset, score) for _, score, offset in hits]
            else:
                scored = []
                for y in range(x + 1, size):
                    score = fuzz.ratio(keys[x], keys[y], score_cutoff=NEAR_MISS_MIN_RATIO)
                    if score:
                        scored.append((y, score))
            for y, score in scored:
                i, j = members[x], members[y]
                found[(min(i, j), max(i, j))] = round(score, 1)
    return found
