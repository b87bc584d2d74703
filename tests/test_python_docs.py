"""docs/python.md shows how to script PixelProof; its ```python blocks run here, in order, as one session on
a copy of the demo project, so a renamed function or a changed result breaks this test, not a user's
notebook."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "python.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def test_the_python_guide_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 6, "docs/python.md lost its examples"
    monkeypatch.chdir(tmp_path)  # its paths are relative: the demo copy and the exports land here
    session: dict = {}
    for n, code in enumerate(blocks, 1):
        exec(compile(code, f"docs/python.md block {n}", "exec"), session)
    # what the examples claim happened did happen
    from pixelproof.core.coco import load_project

    saved = load_project(tmp_path / "pixelproof-demo" / "project.json")
    assert saved.category(saved.annotation(session["coins"][0].id).category_id).name == "cell"
    assert (tmp_path / "pixelproof-demo" / "project.json.bak").is_file()
    assert (tmp_path / "qa.json").is_file() and (tmp_path / "qa.csv").is_file()
    assert len(session["back"].project.images) == len(saved.images)
    assert 0 < session["overall"]["dice"] <= 1


def test_the_documented_imports_load_no_qt_or_onnxruntime() -> None:
    """The guide promises a notebook without Qt: the modules it imports must not pull it in."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import pixelproof.core.coco, pixelproof.core.demo, pixelproof.core.qa, pixelproof.core.lint\n"
        "import pixelproof.core.edits, pixelproof.core.report, pixelproof.interop, pixelproof.core.imageio\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'onnxruntime'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
