"""Read structured records: the Hub's daily papers API JSON and hand-written YAML records.

Listings (:mod:`generator.inputs.listings`) only know a title and an abstract. Records under
``data/records/`` know more (:class:`generator.model.Metadata`): the arXiv id, authors, the
publication date, upvotes, and a curator's topics and note. They become :class:`Entry` values
like a listing's, so deduplication (:mod:`generator.stages.dedupe`) merges them with listing
entries and picks each field by :data:`generator.model.PRECEDENCE`.

Each kind has its module: the Hub's JSON (:mod:`generator.inputs.hubjson`, read with the
locating decoder of :mod:`generator.inputs.jsondoc`), hand-written YAML
(:mod:`generator.inputs.yamlrecords`); the rules their fields share are in
:mod:`generator.inputs.fields`. A record with any problem is left out and the problem reported
as an error (with the data-relative file and the line); every problem in every file is
collected, nothing here raises on bad input. Titles and abstracts are returned as written: the
normalize stage cleans them like a listing's.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from generator.datafiles import API_SUFFIXES, RECORDS_DIR, YAML_SUFFIXES, data_files
from generator.errors import Problem
from generator.inputs.hubjson import parse_api_json
from generator.inputs.listings import read_input
from generator.inputs.yamlrecords import parse_yaml_records
from generator.model import Entry


def record_paths(data_dir: Path) -> list[Path]:
    """Every record file under ``data_dir/records``, sorted by data-relative POSIX path."""
    folder = data_dir / RECORDS_DIR
    if not folder.is_dir():
        return []
    suffixes = API_SUFFIXES + YAML_SUFFIXES
    return data_files(folder, lambda name: name.lower().endswith(suffixes))


def read_records(
    data_dir: Path, topics: Collection[str] | None = None
) -> tuple[list[Entry], list[Problem]]:
    """Read and parse every record file; no ``records`` folder means no records, not a problem.

    Decoding is :func:`generator.inputs.listings.decode`'s (strict UTF-8, BOM allowed, CRLF
    accepted).
    ``topics``: the taxonomy's slugs, which pinned topics must be (unchecked when ``None``).
    """
    entries: list[Entry] = []
    problems: list[Problem] = []
    for path in record_paths(data_dir):
        name, text, read_problems = read_input(data_dir, path, "the record file")
        problems += read_problems
        if text is None:
            continue
        if path.suffix.lower() in API_SUFFIXES:
            found, parse_problems = parse_api_json(text, name)
        else:
            found, parse_problems = parse_yaml_records(text, name, topics)
        entries += found
        problems += parse_problems
    return entries, problems
