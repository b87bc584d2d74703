"""README's advice for the threshold backend on tiled slides holds: each tile's own Otsu level splits a
tile at the tissue's edge into tissue and glass (the tissue one object), while the example's one level for
the whole slide (``--option threshold=VALUE --option polarity=dark``) picks out the nuclei in every tile."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.cli import main

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
NUCLEI = [(y, x) for y in range(24, 256, 48) for x in range(152, 256, 48)]  # 5 x 3 in the tissue


def _slide(folder: Path) -> Path:
    """Glass (240) on the left, tissue (170) from x=128, dark nuclei (60, 12 px) in the tissue."""
    img = np.full((256, 256, 3), 240, np.uint8)
    img[:, 128:] = 170
    for y, x in NUCLEI:
        img[y - 6 : y + 6, x - 6 : x + 6] = 60
    folder.mkdir()
    Image.fromarray(img).save(folder / "slide.png")
    return folder


def _objects(tmp_path: Path, name: str, options: list[str]) -> list[list[float]]:
    project = tmp_path / f"{name}.json"
    assert main(["new", str(_slide(tmp_path / name)), "-o", str(project), "--categories", "nucleus"]) == 0
    args = ["prelabel", str(project), "--backend", "threshold", "--tile", "96", "--overlap", "0.25"]
    assert main([*args, *options]) == 0
    return [a["bbox"] for a in json.loads(project.read_text())["annotations"]]


def test_readme_whole_slide_level_finds_the_nuclei_where_per_tile_otsu_takes_the_tissue(
    tmp_path: Path,
) -> None:
    example = re.search(r"^    pixelproof prelabel \S+ --backend threshold --tile \d+ (.*)$", README, re.M)
    assert example, "README shows the threshold backend on tiles with one level"
    options = example.group(1).split()
    assert options[::2] == ["--option"] * (len(options) // 2) and "polarity=dark" in options
    per_tile = _objects(tmp_path, "otsu", [])
    assert any(w * h > 40 * 40 for _, _, w, h in per_tile)  # tissue taken as an object at its edge
    fixed = _objects(tmp_path, "fixed", options)
    assert sorted((round(y + h / 2), round(x + w / 2)) for x, y, w, h in fixed) == sorted(NUCLEI)
