"""Label colours from a Label Studio config as its templates write them: ``rgba(255, 0, 0, 0.7)`` (CSS's
alpha as a fraction, which Pillow reads only as a whole number) kept the label's colour, not a palette one
in its place; written back to Label Studio as that colour."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from pixelproof.interop.labelstudio import read_labelstudio, write_labelstudio

CONFIG = """<View>
  <Image name="image" value="$image" zoom="true"/>
  <BrushLabels name="tag" toName="image">
    <Label value="Airplane" background="rgba(255, 0, 0, 0.7)"/>
    <Label value="Car" background="rgba(0,0,255,.7)"/>
    <Label value="Road" background="rgba(10%, 50%, 100%, 70%)"/>
    <Label value="Tree" background="rgba(218, 1, 238, 1)"/>
  </BrushLabels>
</View>"""


def test_rgba_colours_with_a_fractional_alpha_are_kept(tmp_path: Path) -> None:
    Image.new("RGB", (20, 10)).save(tmp_path / "a.png")
    (tmp_path / "label_config.xml").write_text(CONFIG)
    (tmp_path / "export.json").write_text(json.dumps([{"id": 1, "data": {"image": "a.png"}}]))
    project = read_labelstudio(tmp_path / "export.json").project
    colors = {c.name: c.color for c in project.categories.values()}
    assert colors == {"Airplane": "#ff0000", "Car": "#0000ff", "Road": "#1a80ff", "Tree": "#da01ee"}
    write_labelstudio(project, tmp_path / "out")
    config = (tmp_path / "out" / "label_config.xml").read_text()
    assert 'value="Airplane" background="#ff0000"' in config and 'value="Car" background="#0000ff"' in config
