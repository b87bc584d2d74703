"""A big PNG shows while it decodes (issue 20): strips arrive as previews drawn on the placeholder, the top
of the picture first, then the whole image replaces them, pixel-exact. The thresholds are lowered so a
small PNG takes the same path as an 8000x8000 one."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPointF

from pixelproof.core.coco import new_project, save_project
from pixelproof.core.model import ImageRecord
from pixelproof.ui import workers

H, W = 240, 200


@pytest.fixture
def tall_png_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, np.ndarray]:
    monkeypatch.setattr(workers, "PROGRESSIVE_MIN_PIXELS", 1)
    monkeypatch.setattr(workers, "PREVIEW_MAX_SIDE", 100)  # previews at 1/3 of the size
    monkeypatch.setattr(workers, "PREVIEW_EVERY_S", 0.0)  # one preview per strip
    monkeypatch.setattr(workers, "STRIP_ROWS", 30)  # 8 strips
    rgb = np.zeros((H, W, 3), np.uint8)
    rgb[: H // 2] = (200, 40, 40)  # red top half, blue bottom half
    rgb[H // 2 :] = (30, 60, 220)
    cv2.imwrite(str(tmp_path / "tall.png"), rgb[:, :, ::-1])
    project = new_project(["thing"])
    project.add_image(ImageRecord(1, "tall.png", W, H))
    path = tmp_path / "project.json"
    save_project(project, path)
    return path, rgb


def _color_at(canvas, x: float, y: float) -> tuple[int, int, int]:
    grab = canvas.viewport().grab().toImage()
    v = canvas.viewportTransform().map(QPointF(x, y))
    c = grab.pixelColor(math.floor(v.x()), math.floor(v.y()))
    return c.red(), c.green(), c.blue()


def test_a_big_png_shows_its_top_before_the_whole_image(qtbot, tall_png_project) -> None:
    from pixelproof.ui.app import create_app
    from pixelproof.ui.canvas.view import CanvasView
    from pixelproof.ui.document import Document

    path, rgb = tall_png_project
    create_app()
    canvas = CanvasView()
    qtbot.addWidget(canvas)
    canvas.resize(500, 500)
    canvas.show()
    seen: list[dict] = []

    def on_preview(image_id: object, preview: workers.Preview) -> None:  # after the canvas drew it
        if canvas.image_item is None:
            seen.append(
                {
                    "rows": preview.rows * preview.scale,
                    "top": _color_at(canvas, W / 2, 5),
                    "bottom": _color_at(canvas, W / 2, H - 5),
                }
            )

    canvas.loader.preview.connect(on_preview)
    doc = Document.open(path)
    canvas.set_document(doc)
    doc.set_current_image(1)
    qtbot.waitUntil(lambda: canvas.image_item is not None, timeout=10_000)
    # previews came before the whole image, the first with only the top decoded
    assert len(seen) >= 2, seen
    first = seen[0]
    assert first["rows"] < H
    assert max(abs(a - b) for a, b in zip(first["top"], (200, 40, 40), strict=True)) <= 3
    assert first["bottom"] == (60, 60, 60)  # still the placeholder's grey
    assert [s["rows"] for s in seen] == sorted(s["rows"] for s in seen)
    # the whole image replaces the previews, pixel for pixel
    assert canvas.placeholder is None
    np.testing.assert_array_equal(canvas.loaded.raw, rgb)
    assert _color_at(canvas, W / 2, H - 5) == (30, 60, 220)


@pytest.mark.parametrize("apply_exif", [True, False])
def test_a_big_jpeg_previews_at_an_eighth_before_the_whole_decode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, apply_exif: bool
) -> None:
    """A JPEG has no strips: one preview decoded at 1/8 by its DCT comes first, turned as the whole image
    is (EXIF orientation 6: a quarter turn, sides swapped) and looking like it."""
    from PIL import Image

    monkeypatch.setattr(workers, "PROGRESSIVE_MIN_PIXELS", 1)
    rgb = np.zeros((H, W, 3), np.uint8)
    rgb[: H // 2] = (200, 40, 40)
    rgb[H // 2 :] = (30, 60, 220)
    path = tmp_path / "turned.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(rgb).save(path, quality=95, exif=exif)
    events: list[object] = []
    loaded = workers.load_image(path, events.append, apply_exif=apply_exif)
    assert len(events) == 1
    preview = events[0]
    assert isinstance(preview, workers.Preview) and preview.scale == 8
    whole = loaded.raw
    assert whole.shape[:2] == ((W, H) if apply_exif else (H, W))
    assert preview.pixels.shape == (math.ceil(whole.shape[0] / 8), math.ceil(whole.shape[1] / 8), 3)
    assert preview.rows == preview.pixels.shape[0]
    shrunk = cv2.resize(whole, preview.pixels.shape[1::-1], interpolation=cv2.INTER_AREA)
    assert np.abs(shrunk.astype(int) - preview.pixels).mean() < 12


def test_a_small_jpeg_or_no_listener_gets_no_preview(tmp_path: Path) -> None:
    path = tmp_path / "small.jpg"
    cv2.imwrite(str(path), np.full((64, 48, 3), 128, np.uint8))
    events: list[object] = []
    assert workers.load_image(path, events.append).raw.shape == (64, 48, 3)
    assert events == []
