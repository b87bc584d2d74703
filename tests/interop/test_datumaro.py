"""Datumaro JSON (CVAT's "Datumaro 1.0" export) read from Datumaro's own test datasets."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from pixelproof.interop.datumaro import read_datumaro
from pixelproof.interop.formats import detect_format

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "datumaro_dataset"


def test_diverse_export_objects_attributes_and_drawing_order() -> None:
    """train.json's item 100: a box with no label, a box with a score, a mask (RLE smaller than the
    image, so placed at its top-left corner), each kept with its attributes and z_order, in z order."""
    assert detect_format(DATA / "diverse").name == "datumaro"
    result = read_datumaro(DATA / "diverse")
    project = result.project
    image = next(im for im in project.images.values() if im.file_name == "images/train/100.jpg")
    assert project.image_path(image).is_file()
    assert (image.width, image.height) == (6, 10)  # Datumaro's size is [height, width]
    assert image.extra["pixelproof"]["split"] == "train"
    anns = project.annotations_of(image.id)
    assert [project.categories[a.category_id].name for a in anns] == ["Unclassified", "cat4", "cat3"]
    assert [a.app_extra["z_order"] for a in anns] == [0, 1, 2]
    assert anns[0].bbox == [5.0, 6.0, 7.0, 8.0] and anns[0].app_extra["group_id"] == 5
    assert anns[0].app_extra["attributes"] == {"a": 1.5, "b": "text"}
    assert anns[1].app_extra["attributes"] == {"score": 1.0}
    want = np.zeros((10, 6), bool)
    want[:2, :3] = True
    assert np.array_equal(anns[2].mask(10, 6), want)
    assert project.category_by_name("cat1").color == "#800000"  # the mask colour map's


def test_shapes_without_area_are_counted_named_and_kept() -> None:
    """captions, an image label and points that do not fit their label's points category are no objects:
    one line per file names each (a skeleton is: tests/interop/test_datumaro_keypoints.py)."""
    problems = read_datumaro(DATA / "diverse").problems
    line = next(p for p in problems if "enclose no area" in p)
    said = "2 caption annotations, 1 label annotation, 1 points annotation"
    assert f"train.json: kept in the image extras, not as objects (they enclose no area): {said} (" in line
    assert "items[0] ('100'): annotations[5]" in line
    # cat0's points category names 2 points, the annotation has 3: said, kept as before
    assert any(
        "annotations[5] (points, cat0): not read as keypoints: 3 points, not one per" in p for p in problems
    )


def test_items_without_size_and_bad_labels_are_reported(tmp_path: Path) -> None:
    problems = read_datumaro(DATA / "diverse").problems
    assert any(
        "val.json: items[0] ('2'): no image size and no image file found; skipped with its 2" in p
        for p in problems
    )
    doc = {
        "categories": {"label": {"labels": [{"name": "car", "parent": ""}]}},
        "items": [
            {
                "id": "a",
                "image": {"path": "a.png", "size": [4, 5]},
                "annotations": [
                    {"type": "bbox", "label_id": 3, "bbox": [0, 0, 1, 1]},
                    {"type": "polygon", "label_id": 0, "points": [0, 0, "x", 1]},
                    {
                        "type": "polygon",
                        "label_id": 0,
                        "points": [0, 0, 4, 0, 4, 3],
                        "attributes": {"occluded": True, "color": "red"},
                    },
                ],
            }
        ],
    }
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "default.json").write_text(json.dumps(doc))
    result = read_datumaro(tmp_path)
    assert (
        "annotations[0] (bbox): label_id 3 is not in the label list (1 labels); skipped" in result.problems[1]
    )
    assert "annotations[1] (polygon): points must be a list of finite numbers" in result.problems[2]
    (ann,) = result.project.annotations.values()
    assert ann.app_extra["occluded"] == 1 and ann.app_extra["attributes"] == {"color": "red"}


def test_a_kept_annotation_nested_too_deep_is_reported_not_kept(tmp_path: Path) -> None:
    """A kept shape must save again: one nested past the project's JSON depth limit is skipped, said."""
    deep: object = 1
    for _ in range(200):
        deep = [deep]
    doc = {
        "categories": {"label": {"labels": [{"name": "car", "parent": ""}]}},
        "items": [
            {
                "id": "a",
                "image": {"path": "a.png", "size": [4, 5]},
                "annotations": [
                    {"type": "points", "label_id": 0, "points": [1, 1], "attributes": {"d": deep}}
                ],
            }
        ],
    }
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "default.json").write_text(json.dumps(doc))
    result = read_datumaro(tmp_path)
    (image,) = result.project.images.values()
    assert "annotations" not in image.extra["pixelproof"]["datumaro"]
    assert result.skipped["invalid"] == 1
    assert any("annotations[0] (points)" in p for p in result.problems)


def test_the_default_subset_is_no_split() -> None:
    """annotations/default.json holds the items Datumaro (and CVAT's Datumaro export) put in no subset:
    they get no split, where train.json's stay train."""
    project = read_datumaro(DATA / "diverse").project
    by_name = {im.file_name: im.extra["pixelproof"] for im in project.images.values()}
    assert by_name["images/default/43.qq"]["datumaro"]["subset"] == "default"  # kept as read
    assert "split" not in by_name["images/default/43.qq"]
    assert by_name["images/train/100.jpg"]["split"] == "train"


def _grouped_polygons() -> list[dict]:
    """Polygons for train.json's item 100 as a CVAT project exports them to Datumaro (``occluded`` in
    the attributes, ``z_order`` 0, a ``group`` per object): two parts of ``cat1`` in group 3, a ``cat2``
    polygon in that group, an occluded ``cat1`` polygon in it, and an ungrouped ``cat1`` polygon."""
    shapes = [  # (id, label, group, occluded, points)
        (20, 1, 3, False, [0.0, 0.0, 2.0, 0.0, 2.0, 2.0]),
        (21, 1, 3, False, [3.0, 4.0, 5.0, 4.0, 5.0, 8.0]),
        (22, 2, 3, False, [0.0, 5.0, 2.0, 5.0, 2.0, 9.0]),
        (23, 1, 3, True, [1.0, 1.0, 4.0, 1.0, 4.0, 3.0]),
        (24, 1, 0, False, [0.0, 6.0, 3.0, 6.0, 3.0, 9.0]),
    ]
    return [
        {"id": i, "type": "polygon", "attributes": {"occluded": occ}, "group": g, "label_id": label,
         "points": pts, "z_order": 0}
        for i, label, g, occ, pts in shapes
    ]  # fmt: skip


def _cvat_points(flat: list[float]) -> str:
    return ";".join(f"{x},{y}" for x, y in zip(flat[::2], flat[1::2], strict=True))


def _polygon_objects(project) -> list[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    """(label, group, number of parts) of each polygon object, sorted."""
    return sorted(
        (project.categories[a.category_id].name, a.app_extra.get("group_id", 0), len(a.segmentation))
        for a in project.annotations.values()
        if a.kind == "polygon" and project.categories[a.category_id].name in ("cat1", "cat2")
    )


def test_polygons_of_one_label_in_one_group_are_one_object_as_the_cvat_reader_reads_them(
    tmp_path: Path,
) -> None:
    import shutil

    from pixelproof.interop.cvat import read_cvat

    src = tmp_path / "diverse"
    shutil.copytree(DATA / "diverse", src)
    train = src / "annotations" / "train.json"
    doc = json.loads(train.read_text())
    item = next(it for it in doc["items"] if it["id"] == "100")
    item["annotations"] = _grouped_polygons()
    train.write_text(json.dumps(doc))
    project = read_datumaro(src).project
    want = [("cat1", 0, 1), ("cat1", 3, 1), ("cat1", 3, 2), ("cat2", 3, 1)]
    assert _polygon_objects(project) == want
    joined = next(a for a in project.annotations.values() if len(a.segmentation or []) == 2)
    assert joined.app_extra["datumaro_id"] == 20 and joined.bbox == [0.0, 0.0, 5.0, 8.0]
    # the same shapes in CVAT's XML (group_id) read by the CVAT reader: the same objects
    names = ["cat0", "cat1", "cat2"]
    polygons = "".join(
        f'<polygon label="{names[a["label_id"]]}" occluded="{int(a["attributes"]["occluded"])}" z_order="0"'
        + (f' group_id="{a["group"]}"' if a["group"] else "")
        + f' points="{_cvat_points(a["points"])}"/>'
        for a in _grouped_polygons()
    )  # fmt: skip
    labels = "".join(f"<label><name>{n}</name></label>" for n in names)
    xml = tmp_path / "cvat" / "annotations.xml"
    xml.parent.mkdir()
    xml.write_text(
        f"<annotations><version>1.1</version><meta><task><labels>{labels}</labels></task></meta>"
        f'<image id="0" name="100.jpg" width="6" height="10">{polygons}</image></annotations>'
    )
    assert _polygon_objects(read_cvat(xml).project) == want


def test_label_zero_black_is_a_background_colour_only(tmp_path: Path) -> None:
    """Datumaro's colour map gives label 0 black whatever it is: the diverse export's ``cat0`` (a class
    with objects) takes its palette colour instead, so it is seen on the canvas; a label 0 named
    ``background`` keeps black; a label the map lacks has its palette colour."""
    import shutil

    from pixelproof.core.category_colors import default_color

    project = read_datumaro(DATA / "diverse").project
    assert project.category_by_name("cat0").color == default_color(1)
    assert project.category_by_name("cat1").color == "#800000"
    src = tmp_path / "diverse"
    shutil.copytree(DATA / "diverse", src)
    for file in (src / "annotations").glob("*.json"):
        doc = json.loads(file.read_text())
        doc["categories"]["label"]["labels"][0]["name"] = "Background"
        doc["categories"]["mask"]["colormap"] = doc["categories"]["mask"]["colormap"][:4]  # no cat4
        file.write_text(json.dumps(doc))
    project = read_datumaro(src).project
    assert project.category_by_name("Background").color == "#000000"
    assert project.category_by_name("cat4").color == default_color(5)


def test_items_of_one_id_in_a_subset_are_one_image_with_the_annotations_of_both(tmp_path: Path) -> None:
    """Two items of one id (two exports' items joined by hand) became two images of one file, exported as
    ``d.png`` and ``d_2.png``, without a word. Datumaro keeps only the last item of an id; here the
    annotations of both are kept on one image (each item's groups its own), said naming both items; an
    item of the same id naming another size stays an image of its own, said too."""

    def item(name: str, size: list[int], x: int) -> dict:
        polygon = {"type": "polygon", "label_id": 0, "group": 1, "points": [x, 0, x + 2, 0, x + 2, 2]}
        return {"id": name, "image": {"path": f"{name}.png", "size": size}, "annotations": [polygon]}

    doc = {
        "categories": {"label": {"labels": [{"name": "car", "parent": ""}]}},
        "items": [item("d", [4, 8], 0), item("e", [4, 8], 0), item("d", [4, 8], 4), item("e", [5, 8], 4)],
    }
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "default.json").write_text(json.dumps(doc))
    result = read_datumaro(tmp_path)
    file = tmp_path / "annotations" / "default.json"
    images = sorted((im.file_name, im.height) for im in result.project.images.values())
    assert images == [("images/default/d.png", 4), ("images/default/e.png", 4), ("images/default/e.png", 5)]
    (d,) = [im for im in result.project.images.values() if im.file_name.endswith("d.png")]
    objects = result.project.annotations_of(d.id)
    assert sorted(a.bbox[0] for a in objects) == [0.0, 4.0]  # two objects: group 1 of each item, not joined
    said = [p for p in result.problems if "the same id" in p]
    assert said[0] == (
        f"{file}: items[2] ('d'): the same id as items[0] in subset 'default' (Datumaro keeps only the "
        "last); one image images/default/d.png, with the annotations of both"
    )
    assert said[1].startswith(f"{file}: items[3] ('e'): the same id as items[1] in subset 'default'")
    assert "another size (8x5, not 8x4); imported as an image of its own" in said[1]
    assert len(said) == 2
