"""hooks/compact_html.py: template indentation goes, pre/script/textarea content stays."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from conftest import ROOT


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "compact_html", ROOT / "hooks" / "compact_html.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_indentation_and_blank_lines_go_outside_pre_script_and_textarea() -> None:
    compact = load().compact
    html = (
        "<div>\n    <p>\n      text\n    </p>\n\n\n"
        "<pre><code>@misc{k,\n  title = {T}\n}</code></pre>\n  <script>\n  var a = 1;\n</script>"
        "\n   <TEXTAREA>\n  keep\n</TEXTAREA>\n</div>"
    )
    assert compact(html) == (
        "<div>\n<p>\ntext\n</p>\n"
        "<pre><code>@misc{k,\n  title = {T}\n}</code></pre>\n<script>\n  var a = 1;\n</script>"
        "\n<TEXTAREA>\n  keep\n</TEXTAREA>\n</div>"
    )


def test_compacting_is_idempotent_and_keeps_every_non_space_character() -> None:
    compact = load().compact
    html = "<ul>\n  <li>a b</li>\n\t<li>c</li>\n</ul>\n<pre>\n  x\n</pre>\n"
    once = compact(html)
    assert compact(once) == once
    assert "".join(once.split()) == "".join(html.split())
