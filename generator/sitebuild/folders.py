"""Where a build may write, and how the built site takes the place of the last one.

A build replaces the whole site folder, so the folder must be one that holds nothing a user
could lose. Before any work, :func:`check_site_folder` refuses a site folder that is, contains
or lies inside the data folder or the docs folder, or that is or contains the project's own
folder (the configuration's); :func:`check_docs_folder` refuses a docs folder that is the data
folder or the project's folder, contains or lies inside the data folder, or is or lies inside
the site folder. Paths are compared after resolving symbolic links and ``..``.

An existing site folder is replaced only when it is empty or paperkb built it
(:func:`replaceable`): every site paperkb builds carries :data:`SITE_MARKER`, a small file
with exact content. A site built by a paperkb from before that marker counts as built when it
is clearly a MkDocs build of a paperkb knowledge base: it has MkDocs' ``sitemap.xml`` and the
generated ``papers.json`` and ``search/meta.js``, each of those two with paperkb's marker line
in its fixed place (the rule of :func:`generator.writers.docs.is_generated`). Anything else,
the hand-written pages of a docs folder, a project, a folder of someone's files, is refused
with exit code 2 and left as it is.

The site is built into ``.<name>.new-<pid>`` beside the target and put in its place by
:func:`swap_in` (two renames), so a failed or killed build leaves the last good site byte for
byte; the leftovers of a killed build are removed by the next one (:func:`remove_leftovers`).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from generator.errors import BuildError, UsageError
from generator.layout import MARKER_TOKEN, PAPERS_JSON, SEARCH_DIR
from generator.writers.docs import is_generated

#: The file that marks a folder as a site paperkb built, and its exact content.
SITE_MARKER = ".paperkb-site"
SITE_MARKER_TEXT = (
    f"{MARKER_TOKEN}: a site built by `paperkb build`; the next build replaces this folder\n"
)
#: What a site built before :data:`SITE_MARKER` existed holds: MkDocs' sitemap, and two files
#: paperkb generates, each carrying its marker line.
LEGACY_SITE_FILES = ("sitemap.xml",)
LEGACY_GENERATED_FILES = (PAPERS_JSON, f"{SEARCH_DIR}/meta.js")


def _real(path: Path) -> Path:
    """``path`` absolute, with symbolic links and ``..`` resolved (it need not exist)."""
    return path.expanduser().resolve()


def _overlap(a: Path, b: Path) -> str | None:
    """How real path ``a`` relates to real path ``b``: "is", "contains", "lies inside"."""
    if a == b:
        return "is"
    if b.is_relative_to(a):
        return "contains"
    if a.is_relative_to(b):
        return "lies inside"
    return None


def check_site_folder(site: Path, *, data: Path, docs: Path, root: Path) -> None:
    """Refuse (:class:`UsageError`) a site folder a build would replace to a user's loss."""
    real = _real(site)
    relation = _overlap(real, _real(root))
    if relation in ("is", "contains"):
        raise UsageError(
            f"--site {site}: the site folder {relation} the project's folder ({root}); a build "
            "replaces the whole site folder: choose a folder of its own, such as site/"
        )
    for name, other in (("data folder", data), ("docs folder", docs)):
        relation = _overlap(real, _real(other))
        if relation is not None:
            raise UsageError(
                f"--site {site}: the site folder {relation} the {name} ({other}); a build "
                "replaces the whole site folder: choose a folder outside it"
            )
    reason = unreplaceable(real)
    if reason is not None:
        raise UsageError(f"--site {site}: {reason}")


def check_docs_folder(docs: Path, *, data: Path, root: Path, site: Path) -> None:
    """Refuse (:class:`UsageError`) a docs folder where generated pages do not belong."""
    real = _real(docs)
    problem = None
    data_relation = _overlap(real, _real(data))
    if data_relation is not None:
        problem = f"the docs folder {data_relation} the data folder ({data})"
    elif real == _real(root):
        problem = f"the docs folder is the project's folder ({root})"
    elif _overlap(real, _real(site)) in ("is", "lies inside"):
        problem = f"the docs folder {_overlap(real, _real(site))} the site folder ({site})"
    if problem is not None:
        raise UsageError(
            f"--docs {docs}: {problem}; generated pages go into a folder of their own, such "
            "as docs/ beside the configuration"
        )


def is_built_site(folder: Path) -> bool:
    """Whether ``folder`` is a site paperkb built (its marker, or a site from before it)."""
    marker = folder / SITE_MARKER
    try:
        if marker.is_file() and not marker.is_symlink():
            return marker.read_text(encoding="utf-8") == SITE_MARKER_TEXT
    except (OSError, UnicodeDecodeError):
        return False
    return all((folder / rel).is_file() for rel in LEGACY_SITE_FILES) and all(
        is_generated(folder / rel) for rel in LEGACY_GENERATED_FILES
    )


def unreplaceable(site: Path) -> str | None:
    """Why a build must not replace ``site`` (a real path), or None when it may."""
    if not os.path.lexists(site):
        return None
    if not site.is_dir():
        return "it exists and is not a folder; a build would replace it: choose another path"
    if not any(site.iterdir()) or is_built_site(site):
        return None
    return (
        f"the folder exists, is not empty and is not a site paperkb built (no {SITE_MARKER} "
        "file in it); a build replaces the whole folder: choose another one, or move its "
        "files away first"
    )


def mark(staging: Path) -> None:
    """Mark a freshly built site as paperkb's."""
    (staging / SITE_MARKER).write_text(SITE_MARKER_TEXT, encoding="utf-8")


def staging_folder(site: Path) -> Path:
    """Where the build of ``site`` is made before it takes the site's place."""
    return site.with_name(f".{site.name}.new-{os.getpid()}")


def swap_in(staging: Path, site: Path) -> None:
    """Put the built ``staging`` folder in the place of ``site`` (two renames).

    The rule of :func:`unreplaceable` is asked again at the last moment: the folder may have
    changed while the site was being built.
    """
    reason = unreplaceable(site)
    if reason is not None:
        raise BuildError(f"the site was built but not put in place: {site}: {reason}")
    if not os.path.lexists(site):
        staging.rename(site)
        return
    old = site.with_name(f".{site.name}.old-{os.getpid()}")
    site.rename(old)
    staging.rename(site)
    shutil.rmtree(old, ignore_errors=True)


def remove_leftovers(site: Path) -> None:
    """Remove the half-built and swapped-out sites that a killed build left beside ``site``."""
    pattern = re.compile(rf"\.{re.escape(site.name)}\.(?:new|old)-[0-9]+")
    if not site.parent.is_dir():
        return
    for path in site.parent.iterdir():
        if pattern.fullmatch(path.name) and path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
