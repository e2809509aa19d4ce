"""Compare two builds of the site file by file; list every difference (scripts/compare-engines).

    python scripts/compare_sites.py SITE_A SITE_B

A page's ``<meta name="generator">`` names the engine that built it and is compared without its
value; everything else must be the same bytes. Exit code 1 when anything else differs or a file
is in one site only.
"""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')
SHOWN_FILES = 20
SHOWN_LINES = 12


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _lines(data: bytes) -> list[str]:
    # Pages are compacted onto few lines: break at tags so that a diff shows where they differ.
    return data.decode("utf-8", "replace").replace("><", ">\n<").splitlines()


def compare(a: Path, b: Path) -> int:
    left, right = files(a), files(b)
    only = sorted(set(left) ^ set(right))
    both = sorted(set(left) & set(right))
    tag_only = [rel for rel in both if left[rel] != right[rel]]
    differ = [
        rel for rel in tag_only if GENERATOR.sub(b"", left[rel]) != GENERATOR.sub(b"", right[rel])
    ]
    print(
        f"{len(both)} files in both sites: {len(both) - len(tag_only)} identical, "
        f"{len(tag_only) - len(differ)} differing only in the generator meta tag, "
        f"{len(differ)} differing otherwise; {len(only)} in one site only"
    )
    for rel in only:
        print(f"  only in {a if rel in left else b}: {rel}")
    for rel in differ[:SHOWN_FILES]:
        print(f"  differs: {rel}")
        diff = difflib.unified_diff(_lines(left[rel]), _lines(right[rel]), lineterm="", n=0)
        for line in list(diff)[2 : 2 + SHOWN_LINES]:
            print(f"    {line[:200]}")
    if len(differ) > SHOWN_FILES:
        print(f"  ... and {len(differ) - SHOWN_FILES} more")
    return 1 if only or differ else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(compare(Path(sys.argv[1]), Path(sys.argv[2])))
