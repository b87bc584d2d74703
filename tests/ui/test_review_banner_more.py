"""The review banner kept only the first five QA warnings and dropped the rest unsaid: a seventh warning
(two pixel spacings for one image) was nowhere in the view. The banner shows five and "… and N more", and
its tooltip lists every warning. Real mouse moves and clicks."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.conftest import tooltip_of
from tests.ui.test_review import enter_review, open_window
from tests.ui.test_review_walkthrough import warned_demo

RESIZED = ("retina.jpg", "ihc.jpg", "coffee.jpg", "astronaut.jpg", "camera.png")


def many_warnings(tmp_path: Path) -> tuple[Path, list[str]]:
    """warned_demo with five reference images of another size (five 'image skipped' lines), images with
    and without a spacing, and chelsea.jpg given 0.8 mm in the reference, 0.5 mm in the candidate."""
    project = warned_demo(tmp_path)
    reference = project.parent / "reference.json"
    data = json.loads(reference.read_text())
    for im in data["images"]:
        name = Path(im["file_name"]).name
        if name in RESIZED[2:]:
            im["width"] += 10
        if name == "chelsea.jpg":
            im["pixel_spacing"] = [0.8, 0.8]
    reference.write_text(json.dumps(data))
    return project, [f"images/{name}" for name in RESIZED]


def test_every_qa_warning_is_in_the_banner_or_its_tooltip(qtbot, tmp_path, no_prompts) -> None:
    project, resized = many_warnings(tmp_path)
    win = open_window(qtbot, project)
    try:
        enter_review(qtbot, win)
        view = win.review.view
        problems = view.scored.result.problems
        assert len(problems) > 5 and any("pixel_spacing differs" in p for p in problems)
        banner = view.header.banner
        lines = banner.shown_text().splitlines()
        shown = [p for p in problems if p in lines]
        assert shown == problems[:5]  # the first five as they are, in order
        more = len(problems) - 5
        assert lines[-1].startswith(f"… and {more} more warning"), lines
        # the rest: hover the banner, its tooltip lists every warning
        tip = tooltip_of(qtbot, banner.label, banner.label.rect().center(), "pixel_spacing differs")
        assert all(p in tip for p in problems) and all(name in tip for name in resized)
        # folded: the first line and a count that includes the "and N more" line
        QTest.mouseClick(banner.toggle_button, Qt.MouseButton.LeftButton)
        assert banner.shown_text() == banner.text().splitlines()[0]
        assert f"{len(banner.text().splitlines()) - 1} more" in banner.toggle_button.text()
    finally:
        win.document.undo_stack.setClean()
        win.close()
