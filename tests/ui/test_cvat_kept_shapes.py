"""A CVAT team's polylines, points and tags are no objects in PixelProof: kept in the image extras and
written back on export to CVAT. They must be seen in the app, on the image they belong to (the lanes and
the image's tag were nowhere to be seen: the categories read 0 objects)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from pixelproof.core.coco import save_project
from pixelproof.interop.cvat import read_cvat
from tests.ui.conftest import open_main_window, wait_loaded

XML = """<annotations><version>1.1</version>
<meta><task><labels><label><name>car</name></label><label><name>lane</name></label>
<label><name>sign</name><attributes><attribute><name>kind</name><input_type>text</input_type>
<default_value></default_value><values></values></attribute></attributes></label>
<label><name>rainy</name></label></labels></task></meta>
<image id="0" name="a.png" width="200" height="100">
  <box label="car" occluded="0" xtl="10" ytl="10" xbr="50" ybr="40" z_order="0"/>
  <polyline label="lane" occluded="0" points="0,90;100,60;200,90" z_order="0"/>
  <points label="sign" occluded="0" points="150,20" z_order="0">
    <attribute name="kind">stop</attribute></points>
  <tag label="rainy" source="manual"/>
</image>
<image id="1" name="b.png" width="200" height="100">
  <box label="car" occluded="0" xtl="10" ytl="10" xbr="50" ybr="40" z_order="0"/>
</image></annotations>"""


def test_an_images_kept_cvat_shapes_show_in_properties_for_that_image_only(
    qtbot, tmp_path: Path, no_prompts
) -> None:
    for name in ("a.png", "b.png"):
        Image.new("RGB", (200, 100), (90, 90, 90)).save(tmp_path / name)
    (tmp_path / "annotations.xml").write_text(XML)
    save_project(read_cvat(tmp_path / "annotations.xml").project, tmp_path / "project.json")

    window = open_main_window(qtbot, tmp_path / "project.json")
    props = window.panels["propertiesDock"]
    qtbot.waitUntil(lambda: props.image_results.isVisible(), timeout=10000)
    lines = props.image_results.text().splitlines()
    assert lines[0].startswith("CVAT, this image")
    assert lines[1:] == ["polyline lane", "points sign (kind=stop)", "tag rainy"]

    QTest.keyClick(window, Qt.Key.Key_D)  # the next image has none
    wait_loaded(qtbot, window)
    assert window.document.current_image_id == 2
    qtbot.waitUntil(lambda: not props.image_results.isVisible(), timeout=10000)
