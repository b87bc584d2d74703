"""Every object field a format does not give back is one its "lost on export" text (README's table) names.

The sample project's objects get a score, a review state, a note and a crowd flag, and a void region is
added; after a round trip through the format each one that did not come back must be named."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.core.model import Annotation, Category, Project
from pixelproof.interop.formats import readable

# field -> words of the lost-on-export text that name its loss
NAMES = {"score": "scores", "review": "review state", "note": "notes", "iscrowd": "crowd", "void": "void"}
CASES = [
    ("coco", {}),
    ("coco-panoptic", {}),
    ("labelme", {}),
    ("yolo", {"task": "detect"}),
    ("yolo", {"task": "segment"}),
    ("voc", {}),
    ("cityscapes", {}),
    ("kitti", {"task": "detect"}),
    ("kitti", {"task": "segment"}),
    ("openimages", {}),
    ("cvat", {}),
    ("labelstudio", {}),
    ("mvtec", {}),
    ("masks", {"mode": "instance"}),
    ("geojson", {}),
]


def _fields(project: Project, a: Annotation) -> dict:
    return {"score": a.score, "review": a.review, "note": a.note, "iscrowd": a.iscrowd}


@pytest.mark.parametrize(("name", "options"), CASES, ids=[f"{n}-{'-'.join(o.values())}" for n, o in CASES])
def test_each_field_lost_is_named_in_lost_on_export(
    name: str, options: dict, sample_project: Project, tmp_path: Path
) -> None:
    fmt = next(f for f in readable() if f.name == name)
    # one object keeps its box far from the others, so no format loses it to an overlap
    a = next(a for a in sample_project.annotations.values() if a.kind == "box")
    a.score, a.review, a.note, a.iscrowd = 0.5, "accepted", "a note", 1
    void = sample_project.add_category(
        Category(sample_project.next_category_id(), "ignore region", app_extra={"void": True})
    )
    image = sample_project.images[a.image_id]
    sample_project.add_annotation(
        Annotation(sample_project.next_annotation_id(), image.id, void.id, [60.0, 40.0, 5.0, 5.0], None, 25.0)
    )
    out = tmp_path / "out" / ("project.json" if fmt.output_is_file else "")
    fmt.write(sample_project, out, **options)
    back = fmt.read(out).project
    want = _fields(sample_project, a)
    got = [_fields(back, b) for b in back.annotations.values() if b.image_id and not back.is_void(b)]
    lost = {k for k, v in want.items() if all(g[k] != v for g in got)}
    if not any(back.is_void(b) for b in back.annotations.values()):
        lost.add("void")
    unnamed = {k for k in lost if NAMES[k] not in fmt.lost_on_export}
    assert not unnamed, f"{name} loses {sorted(unnamed)} without naming it: {fmt.lost_on_export!r}"
