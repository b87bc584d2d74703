"""File > Import's report names the app's way to list every picture not the size it is declared, not a
command: past the first 100 such pictures the reader's line ended "`pixelproof validate --images` lists
them all", which an app user has no terminal for; the app lists them with Problems > Find Problems and
the Problems panel's Compare pictures."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from pixelproof.interop.declared_sizes import LISTED
from tests.ui.test_interop_dialogs import import_through_dialog, new_window


def _coco_with_resized_pictures(root: Path, n: int) -> Path:
    """A COCO file of ``n`` images declared 16x12 whose files are 8x6 (each resized by half)."""
    (root / "images").mkdir(parents=True)
    images = []
    for k in range(n):
        Image.new("RGB", (8, 6)).save(root / "images" / f"p{k}.png")
        images.append({"id": k + 1, "file_name": f"p{k}.png", "width": 16, "height": 12})
    coco = {"images": images, "annotations": [], "categories": [{"id": 1, "name": "cell"}]}
    path = root / "annotations.json"
    path.write_text(json.dumps(coco))
    return path


def test_the_import_report_names_find_problems_not_validate(qtbot, tmp_path: Path, no_prompts, errors):
    path = _coco_with_resized_pictures(tmp_path / "coco", LISTED + 2)
    win = new_window(qtbot)
    import_through_dialog(qtbot, win, "coco", path)
    qtbot.waitUntil(lambda: win.document is not None and win.interop.report is not None, timeout=20000)
    lines = "\n".join(win.interop.report.lines)
    assert "2 more images whose file is not the size" in lines, lines
    assert "--" not in lines and "pixelproof validate" not in lines, lines
    assert (
        "Problems > Find Problems with the Problems panel's Compare pictures checked lists them all" in lines
    )
    if win.document is not None:
        win.document.undo_stack.setClean()
