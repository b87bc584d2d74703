"""The review's Images table and the Problems panel over MVTec AD's layout, where every defect folder numbers
its images from ``000.png``: both listed ``000.png`` several times over, which no reviewer could tell apart.
They now name each image as the Images panel and the status bar do (``Document.shown_file_name``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import Annotation, ImageRecord
from tests.ui.test_problems_panel import find
from tests.ui.test_review import enter_review

pytestmark = pytest.mark.gui

NAMES = [
    "plate/test/contamination/000.png",
    "plate/test/dent/000.png",
    "plate/test/dent/001.png",
    "plate/test/good/000.png",
    "plate/train/good/000.png",
]
SHOWN = ["contamination/000.png", "dent/000.png", "dent/001.png", "test/good/000.png", "train/good/000.png"]


def _box(aid: int, image_id: int, x: float) -> Annotation:
    return Annotation(aid, image_id, 1, [x, 4.0, 8.0, 6.0], None, 48.0)


@pytest.fixture
def project_file(tmp_path: Path) -> Path:
    """(Overrides conftest's.) The layout above, its own reference; each defect image holds a box and its
    duplicate (a problem on every defect image)."""
    project = new_project(["plate/dent"])
    for i, name in enumerate(NAMES, 1):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        Image.new("L", (32, 24), 40 * i).save(tmp_path / name)
        project.add_image(ImageRecord(i, name, 32, 24))
    for image_id in (1, 2, 3):
        project.add_annotation(_box(2 * image_id - 1, image_id, 4.0))
        project.add_annotation(_box(2 * image_id, image_id, 4.0))
    save_project(project, tmp_path / "ref.json")
    project.reference = "ref.json"
    save_project(project, tmp_path / "p.json")
    return tmp_path / "p.json"


def test_review_images_table_tells_numbered_files_apart(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    enter_review(qtbot, window)
    model = window.review.view.images.image_model
    shown = sorted(model.index(r, 0).data() for r in range(model.rowCount()))
    assert shown == SHOWN
    for r in range(model.rowCount()):  # each row names its own image, as the Images panel does
        image_id = model.index(r, 0).data(Qt.ItemDataRole.UserRole)
        assert model.index(r, 0).data() == window.document.shown_file_name(image_id)
    view = window.review.view
    view.select_image(2)
    qtbot.waitUntil(lambda: "Objects of dent/000.png<" in view.object_title.text(), timeout=10000)


def test_problems_table_tells_numbered_files_apart(qtbot, problems_window) -> None:  # type: ignore[no-untyped-def]
    panel = find(qtbot, problems_window)
    images = {panel.proxy.index(r, 3).data() for r in range(panel.proxy.rowCount())}
    assert images == {"contamination/000.png", "dent/000.png", "dent/001.png"}
