"""Lint on a slide says an area in µm² or mm² beside its pixels when the image's pixel size is known
('area 12546485 px' alone told a pathologist nothing: how large is that on the glass?)."""

from __future__ import annotations

import numpy as np

from pixelproof.core import masks
from pixelproof.core.lint import lint_project, parse_rules
from pixelproof.core.model import Annotation, Category, ImageRecord, Project

W, H = 4000, 3000


def nuclei(spacing: list[float] | None) -> Project:
    """24 nuclei of 12 x 10 px, one region of 1000 x 800 px drawn as a nucleus, two nuclei overlapping."""
    p = Project()
    p.add_category(Category(1, "nucleus"))
    extra = {"pixel_spacing": spacing} if spacing else {}
    p.add_image(ImageRecord(1, "slide.tif", W, H, extra=extra))
    boxes = [[40.0 + 30 * k, 40.0, 12.0 + k % 3, 10.0] for k in range(24)]
    boxes.append([1000.0, 1000.0, 1000.0, 800.0])
    for aid, (x, y, w, h) in enumerate(boxes, start=1):
        ring = [x, y, x + w, y, x + w, y + h, x, y + h]
        p.add_annotation(Annotation(aid, 1, 1, [x, y, w, h], [ring], w * h))
    for aid, x in ((30, 3000), (31, 3010)):  # two masks sharing 5 x 10 px
        m = np.zeros((H, W), bool)
        m[2000:2010, x : x + 15] = True
        p.add_annotation(Annotation(aid, 1, 1, masks.bbox(m), masks.encode(m), float(m.sum())))
    return p


def messages(p: Project, rules: dict | None = None) -> dict[str, str]:
    return {x.kind: x.message for x in lint_project(p, parse_rules(rules)).problems}


def test_areas_on_a_slide_are_said_in_square_micrometres_or_millimetres_too() -> None:
    said = messages(
        nuclei([0.00025, 0.00025]), {"default": {"max_area": 100000, "min_area": 130, "countable": True}}
    )
    # 0.25 µm a pixel: 800,000 px are 0.05 mm² (50,000 µm²), a 12 x 10 nucleus 7.5 µm²
    assert "nucleus area 800,000 px (50,000 µm²) is " in said["size_outlier"]
    assert "the class median 130 px (8.1 µm²) (robust z" in said["size_outlier"]
    assert said["box_too_large"].endswith(
        "above the class maximum: area 800000 > 100000 px (pixels of its shape); area 50,000 µm² > 6,250 µm²"
    )
    assert "area 120 < 130 px (pixels of its shape); area 7.5 µm² < 8.1 µm²" in said["tiny"]
    assert "by 50 px (3.1 µm²)" in said["unseparated_overlap"]
    big = messages(nuclei([0.002, 0.002]))  # 2 µm a pixel: the region is 3.2 mm²
    assert "nucleus area 800,000 px (3.20 mm²) is " in big["size_outlier"]


def test_without_a_pixel_size_areas_stay_in_pixels() -> None:
    said = messages(nuclei(None), {"default": {"max_area": 100000, "countable": True}})
    assert "nucleus area 800,000 px is " in said["size_outlier"]
    assert said["box_too_large"].endswith("area 800000 > 100000 px (pixels of its shape)")
    assert "by 50 px" in said["unseparated_overlap"] and "µm" not in " ".join(said.values())
