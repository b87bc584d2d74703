"""Small valid project documents that tests then break in one place."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core import masks

H, W = 40, 60


def valid_doc() -> dict[str, Any]:
    """Two images, two categories, a polygon, an RLE mask and a box-only annotation."""
    m = np.zeros((H, W), dtype=bool)
    m[5:15, 10:30] = True
    return copy.deepcopy(
        {
            "images": [
                {"id": 1, "file_name": "a.png", "width": W, "height": H},
                {"id": 2, "file_name": "b.png", "width": W, "height": H},
            ],
            "categories": [{"id": 1, "name": "cat"}, {"id": 2, "name": "dog"}],
            "annotations": [
                {
                    "id": 1,
                    "image_id": 1,
                    "category_id": 1,
                    "bbox": [1.0, 1.0, 10.0, 10.0],
                    "area": 100.0,
                    "iscrowd": 0,
                    "segmentation": [[1.0, 1.0, 11.0, 1.0, 11.0, 11.0, 1.0, 11.0]],
                },
                {
                    "id": 2,
                    "image_id": 1,
                    "category_id": 2,
                    "bbox": masks.bbox(m),
                    "area": 200.0,
                    "iscrowd": 0,
                    "segmentation": masks.encode(m),
                },
                {"id": 3, "image_id": 2, "category_id": 1, "bbox": [2, 3, 4, 5], "area": 20, "iscrowd": 0},
            ],
        }
    )


def write(path: Path, doc: Any) -> Path:
    """Python's json, so NaN / Infinity come out as the literals other tools write."""
    path.write_text(json.dumps(doc))
    return path
