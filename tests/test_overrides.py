"""Reviewable dedupe overrides: strict parsing with file:line, and their effect on dedupe."""

from __future__ import annotations

from pathlib import Path

from generator.errors import Problem
from generator.inputs.overrides import (
    NO_OVERRIDES,
    Name,
    Overrides,
    load_overrides,
    parse_overrides,
)
from generator.model import Entry, Source
from generator.stages.dedupe import dedupe
from generator.text.folding import title_key

FILE = "overrides.yaml"

GOOD = """\
# reviewed by hand
merge:
  - ["Graph Mamba", "graph-state-space-models"]
  - [A, B, C]
keep_apart:
  - ["Hierarchical Transformers Generalize", "Hierarchical Transformers Generalise"]
"""


def problems_of(text: str) -> list[str]:
    _overrides, problems = parse_overrides(text, FILE)
    assert problems, "expected problems"
    return [str(p) for p in problems]


def test_a_good_file_parses_with_lines() -> None:
    overrides, problems = parse_overrides(GOOD, FILE)
    assert problems == []
    assert overrides.merge == (
        ("Graph Mamba", "graph-state-space-models"),
        ("A", "B", "C"),
    )
    assert overrides.keep_apart == (
        ("Hierarchical Transformers Generalize", "Hierarchical Transformers Generalise"),
    )
    first = overrides.merge[0][0]
    assert isinstance(first, Name)
    assert first.line == 3
    assert [getattr(n, "line", None) for n in overrides.merge[1]] == [4, 4, 4]
    assert getattr(overrides.keep_apart[0][1], "line", None) == 6
    assert overrides.file == FILE


def test_empty_file_or_null_lists_mean_no_overrides() -> None:
    for text in ("", "# nothing yet\n", "merge:\nkeep_apart:\n"):
        overrides, problems = parse_overrides(text, FILE)
        assert problems == []
        assert (overrides.merge, overrides.keep_apart) == ((), ())


def test_unknown_keys_and_wrong_types_are_problems_with_lines() -> None:
    assert problems_of("merge: []\nsplit: []\n") == [
        "overrides.yaml:2: unknown key 'split' (allowed: keep_apart, merge, redirects)"
    ]
    assert problems_of("- a\n- b\n") == [
        "overrides.yaml:1: the top level must be a mapping with the keys 'merge', "
        "'keep_apart' and/or 'redirects', got a list"
    ]
    assert problems_of("merge: [a, b]\n") == [
        "overrides.yaml:1: 'merge' #1 must be a list of at least 2 names, got a string",
        "overrides.yaml:1: 'merge' #2 must be a list of at least 2 names, got a string",
    ]
    assert problems_of("merge:\n  - [only one]\n") == [
        "overrides.yaml:2: 'merge' #1 must list at least 2 names, got 1"
    ]
    assert problems_of("keep_apart:\n  - [a, b]\n  - [a, b, c]\n") == [
        "overrides.yaml:3: 'keep_apart' #2 must list 2 names, got 3"
    ]
    assert problems_of("merge:\n  - [a, 3]\n") == [
        "overrides.yaml:2: 'merge' #1 item 2 must be a string, got an integer"
    ]
    assert problems_of("merge:\n  - [a, '  ']\n") == [
        "overrides.yaml:2: 'merge' #1 item 2 must not be empty"
    ]
    assert problems_of("keep_apart:\n  - [X, x]\n") == [
        "overrides.yaml:2: 'keep_apart' #1 names the same paper twice"
    ]
    assert problems_of("merge: [[a, b]]\nmerge: [[c, d]]\n") == [
        "overrides.yaml:2: duplicate key 'merge'"
    ]
    assert problems_of("keep_apart: {a: b}\n") == [
        "overrides.yaml:1: 'keep_apart' must be a list of lists of names, got a mapping"
    ]


def test_invalid_yaml_is_a_problem_with_a_line() -> None:
    (message,) = problems_of("merge:\n  - [a, b\n")
    assert message.startswith("overrides.yaml:3: invalid YAML")


def test_a_missing_file_means_no_overrides(tmp_path: Path) -> None:
    overrides, problems = load_overrides(tmp_path / "overrides.yaml", "data/overrides.yaml")
    assert problems == []
    assert overrides == Overrides(file="data/overrides.yaml")
    assert (overrides.merge, overrides.keep_apart) == ((), ())


def test_an_unreadable_file_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "overrides.yaml"
    path.write_bytes(b"merge: [[\xff, b]]\n")
    _overrides, problems = load_overrides(path, "data/overrides.yaml")
    assert [p.file for p in problems] == ["data/overrides.yaml"]
    assert "not valid UTF-8" in problems[0].message
    path.write_text(GOOD, encoding="utf-8")
    overrides, problems = load_overrides(path, "data/overrides.yaml")
    assert problems == []
    assert len(overrides.merge) == 2


# --- applying overrides in dedupe -----------------------------------------------------------

SHARED = "First sentence of it. Second sentence of it. Third sentence of it."


def entry(title: str, abstract: str, line: int) -> Entry:
    return Entry(title, abstract, Source("a.txt", line, None))


ENTRIES = [
    entry("Graph Mamba", "Mamba on graphs. It works well. We show it.", 1),
    entry("State Space Models for Graphs", "Graph SSMs. They scale. Code is out.", 3),
    entry("Hierarchical Transformers Generalize", SHARED, 5),
    entry("Hierarchical Transformers Generalise", SHARED + " More.", 7),
    entry("Unrelated Paper", "Nothing alike. At all. Really.", 9),
]
IDS = {
    "graph-state-space-models": title_key("State Space Models for Graphs"),
    "hier-transformers": title_key("Hierarchical Transformers Generalize"),
    "gone-paper": "somepaperthatisnolongerlisted",
}


def parsed(text: str) -> Overrides:
    overrides, problems = parse_overrides(text, FILE)
    assert problems == []
    return overrides


def titles(result_clusters: object) -> list[tuple[str, ...]]:
    return sorted(
        tuple(sorted((c.title, *c.aliases)))
        for c in result_clusters  # type: ignore[attr-defined]
    )


def test_without_overrides_the_typo_merges_and_the_retitle_does_not() -> None:
    result = dedupe(ENTRIES, NO_OVERRIDES, IDS)
    assert len(result.clusters) == 4
    assert result.problems == ()


def test_force_merge_by_title_and_by_id() -> None:
    overrides = parsed('merge:\n  - ["graph mamba", graph-state-space-models]\n')
    result = dedupe(ENTRIES, overrides, IDS)
    assert result.problems == ()
    assert len(result.clusters) == 3
    (group,) = [m for m in result.merges if "override" in m.kinds]
    assert {s.title for s in group.spellings} == {"Graph Mamba", "State Space Models for Graphs"}
    assert group.spellings[0].how == "canonical"
    assert group.spellings[1].how == "override"
    assert group.spellings[1].matched == group.spellings[0].title


def test_keep_apart_by_title_and_by_id_beats_fuzzy_similarity() -> None:
    for pair in (
        '["Hierarchical Transformers Generalize", "Hierarchical Transformers Generalise"]',
        '[hier-transformers, "Hierarchical Transformers Generalise"]',
    ):
        result = dedupe(ENTRIES, parsed(f"keep_apart:\n  - {pair}\n"), IDS)
        assert result.problems == ()
        assert len(result.clusters) == 5
        (miss,) = [m for m in result.kept_apart if m.reason == "keep-apart override"]
        assert {miss.title_a, miss.title_b} == {
            "Hierarchical Transformers Generalize",
            "Hierarchical Transformers Generalise",
        }


def test_keep_apart_also_blocks_a_chain_through_a_third_spelling() -> None:
    entries = [
        *ENTRIES,
        entry("Hierarchical Transformers Generalize", SHARED, 11),
        entry("Hierarchicl Transformers Generalise", SHARED, 13),
    ]
    overrides = parsed(
        'keep_apart:\n  - ["Hierarchical Transformers Generalize", '
        '"Hierarchical Transformers Generalise"]\n'
    )
    result = dedupe(entries, overrides, IDS)
    homes = {
        t: next(i for i, c in enumerate(result.clusters) if t in (c.title, *c.aliases))
        for t in ("Hierarchical Transformers Generalize", "Hierarchical Transformers Generalise")
    }
    assert len(set(homes.values())) == 2


def test_names_matching_no_paper_are_problems_at_their_lines() -> None:
    text = (
        "merge:\n"
        '  - ["Graph Mamba", "No Such Paper"]\n'
        "keep_apart:\n"
        "  - [gone-paper,\n"
        '     "Unrelated Paper"]\n'
    )
    result = dedupe(ENTRIES, parsed(text), IDS)
    assert result.problems == (
        Problem(
            FILE,
            2,
            "override names 'No Such Paper', which is neither a paper title in the listings "
            "nor a paper id",
        ),
        Problem(FILE, 4, "override names id 'gone-paper', whose paper is in no listing"),
    )
    assert len(result.clusters) == 4  # the broken merge is not applied


def test_contradicting_overrides_are_a_problem() -> None:
    text = (
        'merge:\n  - ["Graph Mamba", "Unrelated Paper"]\n'
        'keep_apart:\n  - ["Unrelated Paper", "graph mamba"]\n'
        "keep_apart_same: null\n"
    )
    overrides, problems = parse_overrides(text, FILE)
    assert [p.line for p in problems] == [5]
    result = dedupe(ENTRIES, overrides, IDS)
    assert [(p.line, "forced together" in p.message) for p in result.problems] == [(4, True)]
    same = parsed('keep_apart:\n  - ["Graph Mamba", "GRAPH-MAMBA"]\n')
    (problem,) = dedupe(ENTRIES, same, IDS).problems
    assert problem.line == 2
    assert "spellings of the same title" in problem.message


def test_redirects_are_parsed_with_lines_and_checked() -> None:
    text = "redirects:\n  old-id: new-id\n  other: [x]\n  old-id: again\n"
    overrides, problems = parse_overrides(text, "overrides.yaml")
    assert overrides.redirects == (("old-id", "new-id"),)
    assert overrides.redirects[0][1].line == 2
    assert [str(p) for p in problems] == [
        "overrides.yaml:3: 'redirects' ids must be strings, got a list",
        "overrides.yaml:4: 'redirects' lists 'old-id' twice",
    ]
