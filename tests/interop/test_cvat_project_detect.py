"""A project read from a CVAT export keeps the export's polylines, points and tags in its images' extras
under ``shapes``; saved, it is still a COCO project to ``convert`` (the format recognised from the file),
not a LabelMe file, and a LabelMe folder holding it does not count it among its LabelMe files."""

from __future__ import annotations

import json
from pathlib import Path

from pixelproof.core.coco import save_project
from pixelproof.interop.cvat import read_cvat
from pixelproof.interop.formats import detect_formats
from pixelproof.interop.labelme import labelme_files

XML = """<annotations><version>1.1</version>
<meta><task><labels><label><name>lane</name></label><label><name>car</name></label></labels></task></meta>
<image id="0" name="a.png" width="40" height="30">
  <box label="car" occluded="0" xtl="1" ytl="1" xbr="10" ybr="10" z_order="0"/>
  <polyline label="lane" occluded="0" points="0,0;20,20" z_order="0"/>
</image></annotations>"""


def cvat_project(tmp_path: Path) -> Path:
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "annotations.xml").write_text(XML, encoding="utf-8")
    project = read_cvat(tmp_path / "export").project
    target = tmp_path / "pics" / "project.json"
    target.parent.mkdir()
    save_project(project, target)
    assert b'"shapes"' in target.read_bytes()  # the polyline, kept in the image's extras
    return target


def test_a_project_from_cvat_is_recognised_as_coco(tmp_path: Path) -> None:
    target = cvat_project(tmp_path)
    assert [f.name for f in detect_formats(target)][:1] == ["coco"]
    assert "labelme" not in [f.name for f in detect_formats(target)]


def test_a_labelme_folder_does_not_count_a_project_from_cvat(tmp_path: Path) -> None:
    target = cvat_project(tmp_path)
    shape = {"label": "cat", "points": [[2, 2], [20, 15]], "shape_type": "rectangle"}
    doc = {"version": "5.4.1", "flags": {"images": True}, "shapes": [shape], "imagePath": "p.png"}
    (target.parent / "p.json").write_text(json.dumps(doc), encoding="utf-8")
    assert labelme_files(target.parent) == [target.parent / "p.json"]
    assert [f.name for f in detect_formats(target.parent / "p.json")] == ["labelme"]


def _coco_with_shapes_class(tmp_path: Path) -> Path:
    """A COCO file written in CVAT's key order (categories before images) whose classes sit under the
    supercategory "shapes": the word is a value there, not LabelMe's ``shapes`` list."""
    doc = {
        "licenses": [],
        "info": {"description": "shapes"},
        "categories": [{"id": 1, "name": "circle", "supercategory": "shapes"}],
        "images": [{"id": 1, "file_name": "a.png", "width": 40, "height": 30}],
        "annotations": [
            {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 1, 9, 9], "area": 81, "iscrowd": 0}
        ],
    }
    target = tmp_path / "instances.json"
    target.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return target


def test_a_class_named_shapes_before_the_images_is_still_coco(tmp_path: Path) -> None:
    target = _coco_with_shapes_class(tmp_path)
    assert [f.name for f in detect_formats(target)] == ["coco"]
    assert labelme_files(tmp_path) == []  # not counted as a LabelMe file of the folder


def test_convert_reads_it_without_from(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from pixelproof.cli import main

    target = _coco_with_shapes_class(tmp_path)
    assert main(["convert", str(target), str(tmp_path / "out.json"), "--to", "coco"]) == 0
    written = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert len(written["annotations"]) == 1
    assert "labelme" not in capsys.readouterr().err


def test_a_labelme_folder_is_recognised_from_its_first_files_only(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Recognising a folder of LabelMe files opens its first few, not each of them (every file's first
    4 KB were read to look at three: a folder of 100,000 LabelMe files read them all)."""
    import pixelproof.interop.coco_io as coco_io
    import pixelproof.interop.labelme as labelme

    shape = {"label": "cat", "points": [[2, 2], [20, 15]], "shape_type": "rectangle"}
    for i in range(50):
        doc = {"version": "5.4.1", "flags": {}, "shapes": [shape], "imagePath": f"p{i:02d}.png"}
        (tmp_path / f"p{i:02d}.json").write_text(json.dumps(doc), encoding="utf-8")
    opened: list[str] = []
    real = coco_io.top_level_keys

    def keys(path: Path):  # type: ignore[no-untyped-def]
        opened.append(path.name)
        return real(path)

    monkeypatch.setattr(coco_io, "top_level_keys", keys)
    assert labelme.looks_like_labelme(tmp_path)
    assert set(opened) == {"p00.json", "p01.json", "p02.json"}
