"""pixelproof qa's reports carry the reviewer's decisions whichever reports are asked for: the HTML page's
Review decisions section is the same with --html alone as with --json beside it."""

from __future__ import annotations

import re
from pathlib import Path

from pixelproof.cli import main
from tests.core.test_qa_decisions import decided_demo


def decisions_section(page: str) -> str:
    start = page.index("<h2>Review decisions</h2>")
    return page[start : page.index("<h2>", start + 1)]


def test_html_alone_lists_the_object_decisions_as_with_json(tmp_path: Path, capsys) -> None:
    project_file, *_ = decided_demo(tmp_path)
    ref = str(project_file.parent / "reference.json")
    alone, beside = tmp_path / "alone.html", tmp_path / "beside.html"
    assert main(["qa", ref, str(project_file), "--html", str(alone)]) == 0
    json_too = ["--json", str(tmp_path / "r.json")]
    assert main(["qa", ref, str(project_file), "--html", str(beside), *json_too]) == 0
    capsys.readouterr()
    section = decisions_section(alone.read_text())
    # before: the rows were dropped without --json: "Candidate objects scored: none." and no object listed
    assert section == decisions_section(beside.read_text())
    assert re.search(r"Candidate objects scored: \d+ accepted, \d+ rejected", section)
    assert "edge &amp; &lt;b&gt;rim&lt;/b&gt; missed" in section
