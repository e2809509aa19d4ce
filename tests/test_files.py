"""Generated files made on demand (generator.render.files): a Mapping of text, bytes chunk by
chunk."""

from __future__ import annotations

from pathlib import Path

from generator.layout import MARKER
from generator.render.files import Deferred, Files, deferred, encoded
from generator.writers.docs import write_docs


def test_deferred_content_is_made_each_time_it_is_read_and_not_before() -> None:
    calls: list[str] = []

    def page(name: str) -> str:
        calls.append(name)
        return f"{MARKER}# {name}\n"

    files = Files({"b.md": deferred(page, "B"), "a.md": "plain"})
    assert calls == []
    assert list(files) == ["a.md", "b.md"]  # path order
    assert len(files) == 2 and "b.md" in files and "c.md" not in files
    assert files["b.md"] == f"{MARKER}# B\n"
    assert files["b.md"] == f"{MARKER}# B\n"
    assert calls == ["B", "B"]
    assert files == {"a.md": "plain", "b.md": f"{MARKER}# B\n"}


def test_chunks_are_encoded_one_by_one_to_the_same_bytes_as_the_text() -> None:
    chunks = ["{\n", ' "name":"Zoë 🤗",\n', ' "n":1\n}\n']
    files = Files({"x.json": Deferred(lambda: iter(chunks))})
    assert files["x.json"] == "".join(chunks)
    assert files.encoded("x.json") == "".join(chunks).encode("utf-8")
    assert encoded(files, "x.json") == encoded({"x.json": "".join(chunks)}, "x.json")


def test_union_keeps_contents_deferred_and_the_right_side_wins() -> None:
    made: list[int] = []

    def page() -> str:
        made.append(1)
        return "left"

    left = Files({"a.md": deferred(page), "b.md": "b"})
    both = left | {"a.md": "right", "c.md": "c"}
    assert made == []
    assert dict(both) == {"a.md": "right", "b.md": "b", "c.md": "c"}
    assert isinstance(both.contents()["b.md"], str)
    assert isinstance((left | {}).contents()["a.md"], Deferred)


def test_the_writer_makes_each_page_once_and_writes_the_same_bytes(tmp_path: Path) -> None:
    made: list[str] = []

    def page(name: str) -> str:
        made.append(name)
        return f"{MARKER}# {name} é\n"

    files = Files({f"papers/{n}.md": deferred(page, n) for n in ("x", "y")})
    report = write_docs(tmp_path, files)
    assert report.written == ("papers/x.md", "papers/y.md")
    assert sorted(made) == ["x", "y"]
    assert (tmp_path / "papers" / "x.md").read_bytes() == f"{MARKER}# x é\n".encode()
    assert report.make_seconds >= 0.0
    again = write_docs(tmp_path, files)
    assert again.written == () and again.unchanged == report.written
    assert again == write_docs(tmp_path, files)  # timings are not compared
