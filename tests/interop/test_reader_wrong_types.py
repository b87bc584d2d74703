"""Hostile values in the less-travelled readers' files (a number where a list is, a run count of 1e308, a
class table's cell that is no number, ...): each is one message naming its file and place, the rest of the
dataset still imports, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from pixelproof.interop.datumaro import read_datumaro


def _datumaro(tmp_path: Path, doc: dict) -> Path:
    (tmp_path / "images" / "default").mkdir(parents=True)
    Image.new("RGB", (20, 10)).save(tmp_path / "images" / "default" / "a.png")
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "default.json").write_text(json.dumps(doc))
    return tmp_path


def test_datumaro_values_of_the_wrong_type_are_skipped_with_their_place(tmp_path: Path) -> None:
    """``annotations: 5``, ``labels: 7``, ``colormap: 5`` and RLE counts of 1e308 each stopped the whole
    import with a TypeError or OverflowError."""
    box = {"type": "bbox", "label_id": 0, "bbox": [1, 1, 2, 2]}
    huge = {"type": "mask", "label_id": 0, "rle": {"size": [10, 20], "counts": [1e308, 5]}}
    doc = {
        "categories": {"label": {"labels": [{"name": "cat"}]}, "mask": {"colormap": 5}},
        "items": [
            {"id": "a", "image": {"path": "a.png", "size": [10, 20]}, "annotations": 5},
            {"id": "b", "image": {"path": "a.png", "size": [10, 20]}, "annotations": [huge, box]},
        ],
    }
    result = read_datumaro(_datumaro(tmp_path, doc))
    said = "\n".join(result.problems)
    assert "default.json: items[0] ('a'): annotations is 5, not a list; skipped" in said
    assert "default.json: items[1] ('b'): annotations[0] (mask):" in said
    assert [a.bbox for a in result.project.annotations.values()] == [[1.0, 1.0, 2.0, 2.0]]
    doc["categories"] = {"label": {"labels": 7}}
    assert read_datumaro(_datumaro(tmp_path / "2", doc)).project.images  # no labels, items still read
