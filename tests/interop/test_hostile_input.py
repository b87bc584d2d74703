"""Hostile datasets (issue 11): images outside the dataset are never copied (item 7); bad numbers, types
and YAML bombs are reported with file/line/field and the rest still imports (item 12); YOLO relative
paths and relocatable data.yaml (item 17); the validation share (item 18)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from pixelproof.cli import main
from pixelproof.core import limits
from pixelproof.core.coco import load_project, project_from_dict
from pixelproof.core.coco_dump import project_to_dict
from pixelproof.interop import read_coco, read_labelme, read_voc, read_yolo, write_labelme, write_yolo
from tests.interop.test_bad_input import _image, _labelme, _poly


@pytest.fixture(autouse=True)
def outside_root_refused():
    limits.set_outside_root_allowed(False)
    yield
    limits.set_outside_root_allowed(False)


def _reloads(project) -> None:  # type: ignore[no-untyped-def]
    """What a reader built must load again as a project (no NaN, no wrong types)."""
    project_from_dict(json.loads(json.dumps(project_to_dict(project), allow_nan=False)))


# -- item 7: containment --------------------------------------------------------------------------


def test_images_outside_the_dataset_are_never_copied(tmp_path: Path, capsys) -> None:
    private = tmp_path / "private"
    _image(private / "holiday.png")
    (private / "notes.png").write_text("root:x:0:0:root:/root:/bin/bash\n")  # not an image at all
    src = tmp_path / "lm"
    src.mkdir()
    _image(src / "own.png")
    _labelme(src / "own.json", "own.png", [_poly("cat")])
    _labelme(src / "escape.json", "../private/holiday.png", [_poly("cat")])
    _labelme(src / "absolute.json", str(private / "notes.png"), [_poly("cat")])
    out = tmp_path / "out"
    assert main(["convert", str(src), str(out), "--from", "labelme", "--to", "yolo", "--images", "copy"]) == 0
    err = capsys.readouterr().err
    assert "holiday.png: outside the dataset folder" in err and "--allow-outside-root" in err
    copied = sorted(p.name for p in (out / "images" / "train").iterdir())
    assert copied == ["own.png"]
    assert len(list((out / "labels" / "train").iterdir())) == 3  # the labels are still written
    # explicitly allowed: the outside image is copied, the text file still is not (not an image)
    out2 = tmp_path / "out2"
    argv = ["convert", str(src), str(out2), "--from", "labelme", "--to", "yolo", "--images", "copy"]
    assert main([*argv, "--allow-outside-root"]) == 0
    err = capsys.readouterr().err
    assert sorted(p.name for p in (out2 / "images" / "train").iterdir()) == ["holiday.png", "own.png"]
    assert "notes.png: not a readable image" in err and "not copied or linked" in err


def test_linked_exports_reimport_inside_their_folder(tmp_path: Path) -> None:
    src = tmp_path / "lm"
    _image(src / "a.png")
    _labelme(src / "a.json", "a.png", [_poly("cat")])
    project = read_labelme(src).project
    out = tmp_path / "linked"
    write_labelme(project, out, images="link")
    again = read_labelme(out).project
    image = next(iter(again.images.values()))
    assert "outside_root" not in image.extra.get("pixelproof", {})
    kept = tmp_path / "kept"
    write_labelme(project, kept, images="keep")  # refers to ../lm/a.png: flagged, not refused
    flagged = next(iter(read_labelme(kept).project.images.values()))
    assert flagged.extra["pixelproof"]["outside_root"] is True
    assert len(read_labelme(kept).project.annotations) == 1


def test_coco_root_is_the_parent_of_annotations(tmp_path: Path) -> None:
    ds = tmp_path / "coco"
    _image(ds / "val2017" / "a.png")
    _image(tmp_path / "elsewhere.png")
    doc = {
        "images": [
            {"id": 1, "file_name": "../val2017/a.png", "width": 40, "height": 30},
            {"id": 2, "file_name": str(tmp_path / "elsewhere.png"), "width": 40, "height": 30},
        ],
        "annotations": [],
        "categories": [{"id": 1, "name": "cat"}],
    }
    (ds / "annotations").mkdir()
    (ds / "annotations" / "instances.json").write_text(json.dumps(doc))
    project = read_coco(ds / "annotations" / "instances.json").project
    flags = {
        im.id: im.extra.get("pixelproof", {}).get("outside_root", False) for im in project.images.values()
    }
    assert flags == {1: False, 2: True}


# -- item 12: numbers, types, bombs --------------------------------------------------------------


def test_labelme_bad_fields_are_reported_and_the_rest_imports(tmp_path: Path) -> None:
    _image(tmp_path / "a.png")
    shapes = [
        _poly("ok"),
        {**_poly("grouped"), "group_id": [1, 2]},
        {"label": "huge", "points": [[0, 0], [1e308, 1e308]], "shape_type": "rectangle"},
        {"label": "far", "points": [[0, 0], [1e9, 5], [3, 7]], "shape_type": "polygon"},
        {**_poly("typed"), "pixelproof": {"score": "high", "review": "maybe"}},
        {"label": "nan", "points": [[0, 0], [float("nan"), 5], [3, 7]], "shape_type": "polygon"},
    ]
    _labelme(tmp_path / "a.json", "a.png", shapes)
    doc = json.loads((tmp_path / "a.json").read_text().replace("NaN", "0"))
    doc["shapes"][5]["points"][1][0] = "x"
    (tmp_path / "a.json").write_text(json.dumps(doc))
    for name, data in (("num.json", 42), ("b64.json", "!!! not base64 !!!")):
        d = {"shapes": [], "imagePath": f"{name}.png", "imageData": data}  # no size: needs the data
        (tmp_path / name).write_text(json.dumps(d))
    result = read_labelme(tmp_path)
    text = "\n".join(result.problems)
    assert "shapes[1].group_id: expected a number" in text
    assert "shapes[2] (huge)" in text and "too far outside the image" in text
    assert "shapes[3] (far)" in text and "x = 1000000000.0" in text
    assert "shapes[4] (typed)" in text and "score" in text
    assert "shapes[5]" in text and "'points' must be" in text
    assert "num.json: imageData: expected base64 text" in text and "b64.json: no imageWidth" in text
    [kept] = result.project.annotations.values()
    assert result.project.categories[kept.category_id].name == "ok"
    _reloads(result.project)


def test_labelme_image_data_bomb_is_refused(tmp_path: Path) -> None:
    import base64

    from tests.bombs import png_bomb

    d = {"shapes": [], "imagePath": "x.png", "imageData": base64.b64encode(png_bomb(40000, 40000)).decode()}
    (tmp_path / "x.json").write_text(json.dumps(d))
    result = read_labelme(tmp_path, extract_images=tmp_path / "out")
    assert any("40000 x 40000" in p and "268,435,456" in p for p in result.problems)
    assert result.project.images == {}


def test_labelme_image_paths_no_file_can_have_skip_one_file_not_the_import(tmp_path: Path) -> None:
    """With --extract-images, an ``imagePath`` holding NUL (``open`` raised ValueError) or a name too long
    for the file system (OSError) aborted the whole import ("error: <folder>: embedded null byte"); now
    each is one message naming its JSON, and the other files import."""
    import base64
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30)).save(buf, "PNG")
    data = base64.b64encode(buf.getvalue()).decode()
    names = {"nul": "a\0b.png", "long": "x" * 300 + ".png", "good": "good.png"}
    for stem, image_path in names.items():
        d = {"shapes": [_poly("cat")], "imagePath": image_path, "imageData": data}
        (tmp_path / f"{stem}.json").write_text(json.dumps(d))
    out = tmp_path / "out"
    result = read_labelme(tmp_path, extract_images=out)
    assert result.problems == [
        f"{tmp_path / 'long.json'}: embedded image {names['long']} cannot be written to {out} "
        f"([Errno 36] File name too long: '{out / names['long']}'); not extracted",
        f"{tmp_path / 'nul.json'}: imagePath 'a\\x00b.png': file name holds a NUL character, which no file "
        "name can; skipped",
    ]
    assert sorted(p.name for p in out.iterdir()) == ["good.png"]
    assert sorted(i.file_name for i in result.project.images.values()) == ["out/good.png", names["long"]]


def _yolo(folder: Path, lines: dict[str, str], yaml_text: str | None = None) -> Path:
    for stem, text in lines.items():
        _image(folder / "images" / "train" / f"{stem}.png")
        (folder / "labels" / "train").mkdir(parents=True, exist_ok=True)
        (folder / "labels" / "train" / f"{stem}.txt").write_text(text)
    (folder / "data.yaml").write_text(
        yaml_text or "train: images/train\nval: images/train\nnames: [cat, dog]\n"
    )
    return folder


def test_a_yolo_label_file_that_is_a_fifo_or_folder_is_named_not_taken_as_background(tmp_path: Path) -> None:
    """A FIFO or a folder where a label file is: the image was kept "without a label file" as
    background and marked Done, as if checked and empty; now it is named and the image stays To do."""
    import os

    src = _yolo(tmp_path / "y", {"a": "0 0.5 0.5 0.2 0.2\n"})
    for stem in ("b", "c"):
        _image(src / "images" / "train" / f"{stem}.png")
    os.mkfifo(src / "labels" / "train" / "b.txt")
    (src / "labels" / "train" / "c.txt").mkdir()
    result = read_yolo(src)
    assert result.problems == [
        f"{src / 'labels' / 'train' / n}: not a regular file (a FIFO, device, socket, folder or broken "
        "link); its image is imported without labels, not marked Done"
        for n in ("b.txt", "c.txt")
    ]
    assert result.unrecorded == []
    assert len(result.project.images) == 3 and len(result.project.annotations) == 1


def test_yolo_nan_inf_and_huge_classes(tmp_path: Path) -> None:
    src = _yolo(
        tmp_path / "y",
        {
            "a": "inf 0.5 0.5 0.2 0.2\nnan 0.5 0.5 0.2 0.2\n1e300 0.5 0.5 0.2 0.2\n0 0.5 nan 0.2 0.2\n"
            "0 0.1 0.1 0.5 nan 0.9 0.9\n1 0.5 0.5 0.2 0.2\n",
            "b": "0 0.1 0.1 0.5 0.5 0.9 0.1 inf 0.3\n",
        },
    )
    result = read_yolo(src)
    text = "\n".join(result.problems)
    assert "a.txt:1: class must be" not in text  # inf is caught as not finite first
    for line in (1, 2, 4, 5):
        assert f"a.txt:{line}: expected finite numbers" in text
    assert "a.txt:3: class must be a non-negative integer" in text
    assert "b.txt:1: expected finite numbers" in text
    assert len(result.project.annotations) == 1 and result.skipped["lines"] == 6
    _reloads(result.project)


def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=False)
    )
    src = _yolo(tmp_path / "y", {"a": "0 0.5 0.5 0.2 0.2\n"}, bomb + "names: *i\ntrain: images/train\n")
    (src / "classes.txt").write_text("cat\n")
    result = read_yolo(src)
    assert any("aliases" in p for p in result.problems)
    assert [c.name for c in result.project.categories.values()] == ["cat"]  # fell back to classes.txt
    (src / "data.yaml").write_text("names: [cat, [nested]]\ntrain: images/train\n")
    result = read_yolo(src)
    assert any("names[1]: expected a class name" in p for p in result.problems)
    (src / "data.yaml").write_text("nc: 1000000000000\ntrain: images/train\n")
    assert any("nc: expected 0..100000" in p for p in read_yolo(src).problems)


def test_yolo_split_folder_outside_the_dataset_is_not_walked(tmp_path: Path) -> None:
    """``path: /`` with ``train: .`` used to walk (and read the size of every image on) the whole file
    system; a split folder outside the dataset is now skipped with a message, unless allowed."""
    outside = tmp_path / "elsewhere"
    _image(outside / "stray.png")
    src = _yolo(tmp_path / "y", {"a": "0 0.5 0.5 0.2 0.2\n"}, f"path: {outside}\ntrain: .\nnames: [cat]\n")
    result = read_yolo(src)
    assert any(f"train: {outside} is outside the dataset folder" in p for p in result.problems)
    assert not result.project.images  # nothing from outside, and nothing walked there
    limits.set_outside_root_allowed(True)
    try:
        names = [im.file_name for im in read_yolo(src).project.images.values()]
    finally:
        limits.set_outside_root_allowed(False)
    assert len(names) == 1 and names[0].endswith("stray.png")


def test_voc_nan_inf_and_odd_flags(tmp_path: Path) -> None:
    (tmp_path / "Annotations").mkdir()
    _image(tmp_path / "JPEGImages" / "a.jpg")

    def xml(name: str, size: tuple[str, str], boxes: list[tuple[str, ...]], difficult: str = "0") -> None:
        objs = "".join(
            f"<object><name>cat</name><difficult>{difficult}</difficult><bndbox><xmin>{b[0]}</xmin>"
            f"<ymin>{b[1]}</ymin><xmax>{b[2]}</xmax><ymax>{b[3]}</ymax></bndbox></object>"
            for b in boxes
        )
        (tmp_path / "Annotations" / f"{name}.xml").write_text(
            f"<annotation><filename>a.jpg</filename><size><width>{size[0]}</width>"
            f"<height>{size[1]}</height></size>{objs}</annotation>"
        )

    xml("nan_box", ("40", "30"), [("nan", "1", "5", "5"), ("1", "1", "inf", "5"), ("2", "2", "9", "9")], "x")
    xml("inf_size", ("inf", "nan"), [("1", "1", "5", "5")])  # falls back to the image's size
    xml("huge", ("3000000000", "30"), [("1", "1", "5", "5")])
    xml("far", ("40", "30"), [("1", "1", "1e12", "5")], "9" * 5000)
    result = read_voc(tmp_path)
    text = "\n".join(result.problems)
    assert "nan_box.xml: object 1: needs <name> and <bndbox>" in text
    assert "nan_box.xml: object 2: needs <name> and <bndbox>" in text
    assert "huge.xml: <size>" in text and "per side" in text
    assert "far.xml: object 1" in text and "too far outside" in text
    anns = list(result.project.annotations.values())
    assert len(anns) == 2  # nan_box's third box and inf_size's box
    assert {a.app_extra.get("difficult") for a in anns} == {"x", 0}
    _reloads(result.project)


# -- item 17: relative paths, relocatable data.yaml ------------------------------------------------


def test_yolo_round_trip_with_relative_paths_and_a_moved_dataset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    src = _yolo(tmp_path / "y", {"a": "0 0.5 0.5 0.2 0.2\n", "b": "1 0.5 0.5 0.4 0.4\n"})
    monkeypatch.chdir(tmp_path)
    assert main(["convert", "y", "out_yolo", "--from", "yolo", "--to", "yolo"]) == 0
    data = yaml.safe_load((tmp_path / "out_yolo" / "data.yaml").read_text())
    assert "path" not in data  # Ultralytics takes the root from the YAML's own folder
    capsys.readouterr()
    assert main(["convert", "out_yolo", "back.json", "--from", "yolo", "--to", "coco"]) == 0
    captured = capsys.readouterr()
    assert "orphan" not in captured.err and "no image for this label file" not in captured.err
    assert len(load_project(tmp_path / "back.json").annotations) == 2
    shutil.move(tmp_path / "out_yolo", tmp_path / "moved")
    assert len(read_yolo(tmp_path / "moved").project.annotations) == 2
    assert src.is_dir()


# -- item 18: the validation share --------------------------------------------------------------


@pytest.mark.parametrize("fraction", ["2", "-1", "1", "nan"])
def test_val_fraction_out_of_range_is_refused(tmp_path: Path, fraction: str, capsys) -> None:
    src = _yolo(tmp_path / "y", {"a": "0 0.5 0.5 0.2 0.2\n"})
    argv = ["convert", str(src), str(tmp_path / "o"), "--from", "yolo", "--to", "yolo", "--val-fraction"]
    with pytest.raises(SystemExit) as info:
        main([*argv, fraction])
    assert info.value.code == 2
    assert not (tmp_path / "o").exists()
    project = read_yolo(src).project
    for value in (2.0, -1.0, 1.0, float("nan")):
        with pytest.raises(ValueError, match="val_fraction"):
            write_yolo(project, tmp_path / "w", val_fraction=value)


def test_every_split_in_val_still_writes_a_train_entry(tmp_path: Path) -> None:
    src = _yolo(tmp_path / "y", {"a": "0 0.5 0.5 0.2 0.2\n"})
    project = read_yolo(src).project
    for image in project.images.values():
        image.extra["pixelproof"] = {"split": "val"}
    warnings = write_yolo(project, tmp_path / "o")
    data = yaml.safe_load((tmp_path / "o" / "data.yaml").read_text())
    assert data["train"] == "images/val" and data["val"] == "images/val"
    assert any("no training split" in w for w in warnings)


LONG = "a" * 300  # no file system holds a 300-byte name: checking it raised ENAMETOOLONG


def _long_names(root: Path, fmt: str) -> None:
    """A dataset of two images whose files name the second one with 300 bytes."""
    _image(root / "ok.png", 10, 10)
    if fmt == "labelme":
        for name in ("ok", LONG):
            box = {"label": "c", "points": [[1, 1], [4, 4]], "shape_type": "rectangle", "flags": {}}
            doc = {"version": "5", "flags": {}, "imagePath": f"{name}.png", "imageData": None,
                   "imageHeight": 10, "imageWidth": 10, "shapes": [box]}  # fmt: skip
            (root / f"{name[:20]}.json").write_text(json.dumps(doc))
    elif fmt == "voc":
        (root / "Annotations").mkdir()
        for name in ("ok", LONG):
            (root / "Annotations" / f"{name[:20]}.xml").write_text(
                f"<annotation><filename>{name}.png</filename><size><width>10</width><height>10</height>"
                "</size><object><name>c</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>5</xmax>"
                "<ymax>5</ymax></bndbox></object></annotation>"
            )
    elif fmt == "cvat":
        images = "".join(
            f'<image id="{k}" name="{name}.png" width="10" height="10">'
            '<box label="c" xtl="1" ytl="1" xbr="4" ybr="4" occluded="0"/></image>'
            for k, name in enumerate(("ok", LONG))
        )
        (root / "annotations.xml").write_text(f"<annotations><version>1.1</version>{images}</annotations>")
    elif fmt == "yolo":
        (root / "labels").mkdir()
        (root / "images").mkdir()
        shutil.move(root / "ok.png", root / "images" / "ok.png")
        (root / "labels" / "ok.txt").write_text("0 0.5 0.5 0.2 0.2\n")
        (root / "train.txt").write_text(f"images/ok.png\nimages/{LONG}.png\n")
        (root / "data.yaml").write_text(f"path: {LONG}\ntrain: train.txt\nval: {LONG}\nnames: [c]\n")
    elif fmt == "openimages":
        (root / "annotations").mkdir()
        (root / "masks" / "train").mkdir(parents=True)
        (root / "images" / "train").mkdir(parents=True)
        shutil.move(root / "ok.png", root / "images" / "train" / "ok.png")
        (root / "annotations" / "class-descriptions.csv").write_text("/m/a,Apple\n")
        (root / "annotations" / "train-annotations-object-segmentation.csv").write_text(
            "MaskPath,ImageID,LabelName,BoxID,BoxXMin,BoxXMax,BoxYMin,BoxYMax,PredictedIoU,Clicks\n"
            f"{LONG}.png,ok,/m/a,b,0,1,0,1,,\n"
        )
        (root / "annotations" / "train-annotations-bbox.csv").write_text(
            "ImageID,Source,LabelName,Confidence,XMin,XMax,YMin,YMax,IsOccluded,IsTruncated,IsGroupOf,"
            "IsDepiction,IsInside\nok,x,/m/a,1,0.1,0.5,0.1,0.5,0,0,0,0,0\n"
            f"{LONG},x,/m/a,1,0.1,0.5,0.1,0.5,0,0,0,0,0\n"
        )


@pytest.mark.parametrize("fmt", ["labelme", "voc", "cvat", "yolo", "openimages"])
def test_a_name_too_long_for_any_file_system_is_reported_not_fatal(tmp_path: Path, fmt: str, capsys) -> None:
    """A 300-byte image name inside a dataset's own files stopped the whole import with ENAMETOOLONG;
    now that image or row is reported (naming where it is) and the rest imports."""
    root = tmp_path / "ds"
    root.mkdir()
    _long_names(root, fmt)
    code = main(["convert", str(root), str(tmp_path / "out.json"), "--from", fmt, "--to", "coco"])
    err = capsys.readouterr().err
    assert code in (0, 3), err
    assert "pixelproof: error" not in err and "Errno 36" not in err, err  # not fatal, said in words
    project = load_project(tmp_path / "out.json")
    assert any(im.file_name.endswith("ok.png") for im in project.images.values())
    assert project.annotations, err


def test_an_image_name_with_nul_is_reported_and_the_import_loads(tmp_path: Path, capsys) -> None:
    """A LabelMe ``imagePath`` holding NUL was imported as it was: the saved project then named a file no
    file system can hold (every export copying images failed whole); now that image is reported, skipped."""
    root = tmp_path / "ds"
    _image(root / "ok.png")
    _labelme(root / "ok.json", "ok.png", [_poly("cat")])
    _labelme(root / "nul.json", "n\0ul.png", [_poly("dog")])
    code = main(["convert", str(root), str(tmp_path / "out.json"), "--from", "labelme", "--to", "coco"])
    err = capsys.readouterr().err
    assert code == 3, err
    assert "nul.json" in err and "NUL character" in err
    project = load_project(tmp_path / "out.json")
    assert [im.file_name for im in project.images.values()] == ["ds/ok.png"]
