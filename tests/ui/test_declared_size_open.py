"""Opening a project whose image file is not the size the project declares (resized after labelling) works as
before: the picture is shown, a status line gives both sizes, and the objects stay in the project's frame
(imports and ``validate --images`` report such files; opening them is unchanged)."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation
from tests.ui.conftest import make_project, open_main_window, wait_loaded


def test_a_resized_file_opens_with_its_objects_in_the_declared_frame(qtbot, tmp_path: Path) -> None:
    path = make_project(tmp_path, n_images=1, size=(60, 80))  # the file is 80x60
    project = load_project(path)
    image = project.images[1]
    image.width, image.height = 40, 30  # as labelled, before the images were resized 2x
    poly = [[4.0, 4.0, 20.0, 4.0, 20.0, 16.0, 4.0, 16.0]]
    project.add_annotation(Annotation(1, 1, 1, [4.0, 4.0, 16.0, 12.0], poly, 192.0))
    save_project(project, path)
    win = open_main_window(qtbot)
    messages: list[str] = []
    win.canvas.message.connect(messages.append)
    assert win.open_path(path)
    wait_loaded(qtbot, win)
    assert (win.canvas.loaded.width, win.canvas.loaded.height) == (80, 60)
    assert any("is 80x60 px but the project says 40x30" in m for m in messages), messages
    assert win.canvas.image_size() == (30, 40)
    r = win.canvas.box_layer.boxes[1].outline().boundingRect()  # the layer draws the polygon
    assert (round(r.center().x()), round(r.center().y())) == (12, 10)  # where the project has it
    assert win.document.project.images[1].width == 40  # opening changed nothing
