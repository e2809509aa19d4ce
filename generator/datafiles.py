"""The names of the knowledge base's files under ``data/``: one home for every one of them.

The input readers (:mod:`generator.inputs`), the run lock, the registry writer and the tools
(``fetch``, ``diff``) all name ``data/`` files through this module, never by their own
spelling. Paths are relative to the data directory, with ``/`` separators.
"""

from __future__ import annotations

import re

#: Listings are the ``*.txt`` files anywhere under the data directory.
LISTING_GLOB = "*.txt"
#: A listing saved as ``<YYYY-MM-DD>.txt`` (as the README asks) names its day.
DATED_LISTING = re.compile(r"(?:.*/)?(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})\.txt")
#: Records (Hub API JSON, hand-written YAML) live under this folder, at any depth.
RECORDS_DIR = "records"
API_SUFFIXES = (".json",)
YAML_SUFFIXES = (".yaml", ".yml")
#: Where ``paperkb fetch`` saves the Hub's days, one ``YYYY-MM-DD.json`` file each.
HUB_DIR = f"{RECORDS_DIR}/hub"
#: A day file of ``paperkb fetch``: its name is the day its papers were on Daily Papers.
HUB_DAY_FILE = re.compile(rf"{HUB_DIR}/(?P<day>[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}})\.json")
#: Papers found by ``paperkb fetch --resolve``, beside the day files.
RESOLVED_FILE = "resolved.json"
#: The topic taxonomy.
TAXONOMY_FILE = "topics.yaml"
#: The append-only registry of permanent paper ids.
REGISTRY_FILE = "permalinks.tsv"
#: Reviewed dedupe corrections and redirects.
OVERRIDES_FILE = "overrides.yaml"
#: The run lock, present while a run holds it (git-ignored, left out of the run fingerprint).
LOCK_FILE = ".paperkb.lock"
