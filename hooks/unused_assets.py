"""MkDocs hook: leave out the theme files this site never loads.

paperkb has no search plugin (its own prebuilt index replaces Material's lunr search), so
Material's search worker and the lunr language files (about 1.2 MB) are never requested, and
source maps (about 1.1 MB) are only fetched by a browser's developer tools. MkDocs copies every
theme file into the site regardless; this hook drops those from the build's file list, which
at 1,000 papers is 2 KB per paper of a site that must fit GitHub Pages' 1 GB.

Plain MkDocs hook (``hooks:`` in mkdocs.yml); a site built without it is only bigger.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: Site paths (POSIX) of theme files to leave out: folders end in "/".
UNUSED_FOLDERS = ("assets/javascripts/lunr/", "assets/javascripts/workers/")
UNUSED_SUFFIXES = (".map",)

#: Keeps no state across pages (it runs once, on the file list): paperkb's parallel build may
#: split the pages across processes.
PARALLEL_SAFE = True


def unused(path: str) -> bool:
    """Whether the theme file at site path ``path`` is one this site never loads."""
    return path.startswith(UNUSED_FOLDERS) or path.endswith(UNUSED_SUFFIXES)


def on_files(files: Any, config: Any) -> Any:
    for file in list(files):
        if not file.is_documentation_page() and unused(file.dest_uri) and _from_theme(file, config):
            files.remove(file)
    return files


def _from_theme(file: Any, config: Any) -> bool:
    """Whether ``file`` comes from the theme, not from docs/ (hand-written files stay)."""
    if not file.abs_src_path:
        return False
    return not Path(file.abs_src_path).resolve().is_relative_to(Path(config["docs_dir"]).resolve())
