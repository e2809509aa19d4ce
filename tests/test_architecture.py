"""The package's layering, read from the source: no module imports upward or across stages.

Every module under ``generator/`` is parsed (never imported) and its imports of ``generator``
modules, at any depth of the file, make the graph. Each module has a layer (:data:`LAYERS`);
a module may import its own layer or lower ones only, a stage never imports another stage,
and the graph has no cycles.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

import pytest

import generator

PACKAGE = Path(generator.__file__).resolve().parent

#: Layers, lowest first: a module's layer is that of the longest prefix listed.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("generator", "generator.errors", "generator.layout", "generator.datafiles", "generator.text"),
    ("generator.model", "generator.account"),
    ("generator.inputs",),
    ("generator.stages",),
    ("generator.corpus",),
    ("generator.render",),
    ("generator.runtime",),
    ("generator.writers",),
    ("generator.sitebuild",),
    ("generator.pipeline",),
    ("generator.tools",),
    ("generator.cli", "generator.__main__"),
)


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(tree: ast.Module, name: str, is_package: bool, modules: set[str]) -> set[str]:
    """The ``generator`` modules that ``tree`` (module ``name``) imports, at any depth."""
    found: set[str] = set()
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            # ``from generator.render import pages`` imports the module generator.render.pages
            submodules = {f"{target}.{a.name}" for a in node.names} & modules
            found |= submodules or {target}
    return {t for t in found if t in modules and t != name}


def graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the generator modules it imports."""
    trees = {}
    for path in sorted(root.rglob("*.py")):
        name = module_name(path, root)
        trees[name] = (ast.parse(path.read_text(encoding="utf-8")), path.name == "__init__.py")
    modules = set(trees)
    return {
        name: imports(tree, name, is_package, modules) for name, (tree, is_package) in trees.items()
    }


def layer(name: str) -> int:
    best, level = -1, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best:
                best, level = len(prefix), index
    if level < 0:
        raise AssertionError(f"{name} has no layer in LAYERS")
    return level


def stage_of(name: str) -> str | None:
    """The stage a module belongs to (a stage may be a package: ``stages.dedupe.rules``)."""
    parts = name.split(".")
    return parts[2] if len(parts) > 2 and parts[1] == "stages" else None


def violations(edges: Mapping[str, set[str]]) -> list[str]:
    found = []
    for source, targets in sorted(edges.items()):
        for target in sorted(targets):
            if target == "generator" and source != "generator":
                continue  # the package itself: __version__ only
            if layer(target) > layer(source):
                found.append(f"{source} imports {target}, a higher layer")
            if stage_of(source) and stage_of(target) and stage_of(source) != stage_of(target):
                found.append(f"{source} imports {target}: stages never import each other")
    return found


def cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                found.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


def test_every_module_has_a_layer() -> None:
    for name in graph():
        layer(name)


def test_no_module_imports_upward_or_across_stages() -> None:
    assert violations(graph()) == []


def test_the_import_graph_has_no_cycles() -> None:
    assert cycles(graph()) == []


def test_the_check_catches_a_stage_importing_a_stage_and_an_upward_import(
    tmp_path: Path,
) -> None:
    root = tmp_path / "generator"
    for rel, text in {
        "__init__.py": "",
        "model.py": "from generator.render import pages\n",
        "stages/__init__.py": "",
        "stages/dedupe/__init__.py": "from generator.stages.dedupe.rules import LIMIT\n",
        "stages/dedupe/rules.py": "LIMIT = 2\n",
        "stages/permalinks.py": "def f():\n    from generator.stages.dedupe import rules\n",
        "render/__init__.py": "",
        "render/pages.py": "from . import search\n",
        "render/search.py": "from generator.render import pages as render\n",
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    edges = graph(root)
    assert violations(edges) == [
        "generator.model imports generator.render.pages, a higher layer",
        "generator.stages.permalinks imports generator.stages.dedupe.rules: "
        "stages never import each other",
    ]
    assert cycles(edges) == [
        ["generator.render.pages", "generator.render.search", "generator.render.pages"]
    ]


#: What the site build may import: it reads docs/ and writes the site, never the pages' makers.
SITEBUILD_MAY_IMPORT = (
    "generator.errors",
    "generator.layout",
    "generator.datafiles",
    "generator.runtime",
    "generator.writers",
    "generator.sitebuild",
)


def test_the_site_build_imports_no_stage_renderer_or_pipeline() -> None:
    edges = graph()
    for source, targets in edges.items():
        if source.startswith("generator.sitebuild"):
            for target in targets:
                assert target.startswith(SITEBUILD_MAY_IMPORT), f"{source} imports {target}"


@pytest.mark.parametrize(
    "package", ["inputs", "text", "stages", "render", "runtime", "writers", "sitebuild", "tools"]
)
def test_every_subpackage_is_a_package(package: str) -> None:
    assert (PACKAGE / package / "__init__.py").is_file()
