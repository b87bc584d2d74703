"""The format declarations (interop/formats.py) and what is generated from them."""

from __future__ import annotations

import inspect
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import build_parser, main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Category, Project
from pixelproof.interop.formats import (
    EXPORT_OPTIONS,
    FORMATS,
    Format,
    Option,
    all_options,
    detect_format,
    register,
)
from tests.interop.conftest import _add


def test_every_declared_option_is_a_keyword_of_its_function_with_that_default() -> None:
    for fmt, direction, opt in all_options():
        func = fmt.reader if direction == "read" else fmt.writer
        if opt in EXPORT_OPTIONS:  # every writer's, taken by Format.write itself
            func = Format.write
        params = inspect.signature(func).parameters
        assert opt.name in params, (fmt.name, direction, opt.name)
        assert params[opt.name].kind is inspect.Parameter.KEYWORD_ONLY
        assert params[opt.name].default == opt.default, (fmt.name, direction, opt.name)
        if opt.type == "choice":
            assert opt.default in opt.choices


def test_one_option_name_means_one_type_everywhere() -> None:
    types = defaultdict(set)
    for _, _, opt in all_options():
        types[opt.name].add(opt.type)
    assert {name: t for name, t in types.items() if len(t) > 1} == {}


def test_convert_flags_are_generated_from_the_declarations() -> None:
    convert = build_parser("convert")._subparsers._group_actions[0].choices["convert"]
    flags = {a.option_strings[0]: a for a in convert._actions if a.option_strings}
    for _, _, opt in all_options():
        assert opt.flag in flags
    assert set(convert._option_string_actions["--from"].choices) == {
        f.name for f in FORMATS.values() if f.reader
    }
    assert set(convert._option_string_actions["--to"].choices) == {
        f.name for f in FORMATS.values() if f.writer
    }
    # one flag for options of the same name, its help naming each format that takes it
    assert "labelme input" in flags["--extract-images"].help
    assert "masks input" in flags["--mode"].help and "masks output" in flags["--mode"].help


def test_registering_a_format_reaches_convert(tmp_path: Path) -> None:
    seen = {}

    def read_dummy(path, *, on_problem=None, progress=None, dummy_level: int = 1):
        from pixelproof.interop._util import ImportResult, folder_project

        seen["level"] = dummy_level
        return ImportResult(folder_project(Path(path)))

    fmt = Format("dummy", "Dummy", read_dummy, None, (Option("dummy_level", "int", "a level", 1, minimum=0),))
    register(fmt)
    try:
        with pytest.raises(ValueError, match="already registered"):
            register(Format("dummy", "Other", read_dummy, None))
        src = tmp_path / "in"  # the output may not lie inside the input (issue 11)
        src.mkdir()
        assert main(["convert", str(src), str(tmp_path / "o.json"), "--from", "dummy", "--to", "coco",
                     "--dummy-level", "3"]) == 1  # fmt: skip
        assert seen == {"level": 3}
        with pytest.raises(SystemExit):  # below the declared minimum: a usage error
            main(["convert", str(src), str(tmp_path / "o.json"), "--from", "dummy", "--to", "coco",
                  "--dummy-level", "-1"])  # fmt: skip
    finally:
        FORMATS._formats.pop("dummy")


def test_read_only_format_refuses_to_write(tmp_path: Path) -> None:
    fmt = Format("ro", "Read only", lambda p: None, None)
    with pytest.raises(ValueError, match="read-only"):
        fmt.write(Project(), tmp_path)


def test_convert_extract_images_flag_reaches_the_labelme_reader(tmp_path: Path, capsys) -> None:
    import base64
    import io

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buf, format="PNG")
    src = tmp_path / "lm"
    src.mkdir()
    doc = {
        "shapes": [{"label": "cat", "points": [[1, 1], [9, 1], [9, 9]], "shape_type": "polygon"}],
        "imagePath": "x.png",
        "imageData": base64.b64encode(buf.getvalue()).decode(),
        "imageHeight": 30,
        "imageWidth": 40,
    }
    (src / "x.json").write_text(json.dumps(doc))
    out = tmp_path / "p.json"
    args = ["convert", str(src), str(out), "--from", "labelme", "--to", "coco"]
    assert main([*args, "--extract-images", str(tmp_path / "ex")]) == 0
    assert (tmp_path / "ex" / "x.png").is_file()
    assert main([*args, "--one-based", "no"]) == 0
    assert "--one-based does not apply to labelme input or coco output; ignored" in capsys.readouterr().err


def test_convert_rejects_a_choice_the_target_format_does_not_take(sample_project, tmp_path: Path, capsys):
    src = tmp_path / "src" / "project.json"
    # --images keep is valid for coco but YOLO needs its own images/ folder
    assert (
        main(["convert", str(src), str(tmp_path / "y"), "--from", "coco", "--to", "yolo", "--images", "keep"])
        == 2
    )
    assert "--images: yolo output takes copy, link, not 'keep'" in capsys.readouterr().err


def _scores(path: Path) -> dict:
    data = json.loads(path.read_text())
    dice = [r["dice"] for r in data["per_image"] if r["dice"] is not None]
    return {"dice": dice, "objects": [r["status"] for r in data["per_object"]], "data": data}


@pytest.mark.parametrize("mode", ["instance", "semantic"])
def test_what_convert_to_masks_writes_qa_reads_back_with_dice_one(
    sample_project: Project, tmp_path: Path, mode: str, capsys
) -> None:
    project_file = tmp_path / "src" / "project.json"
    out = tmp_path / f"m_{mode}"
    assert (
        main(["convert", str(project_file), str(out), "--from", "coco", "--to", "masks", "--mode", mode]) == 0
    )
    report = tmp_path / "r.json"
    assert main(["qa", str(out), str(project_file), "--json", str(report)]) == 0
    got = _scores(report)
    # 3 classes in a, 2 in b: each Dice 1.0 (traffic light in b is n/a, both empty)
    assert len(got["dice"]) == 5 and all(d == 1.0 for d in got["dice"])
    assert got["data"]["summary"]["images"] == 2
    assert got["data"]["reference_kind"] == ("semantic masks" if mode == "semantic" else "instance masks")
    if mode == "instance":
        assert got["objects"] == ["match"] * 5


def test_void_regions_round_trip_through_masks_and_are_left_out_of_qa(
    sample_project: Project, tmp_path: Path
) -> None:
    """A void category's objects become 255 in masks, come back as void, and QA ignores their pixels."""
    project = load_project(tmp_path / "src" / "project.json")
    void = project.add_category(Category(9, "__ignore__", app_extra={"void": True}))
    image = project.images[1]
    band = np.zeros((60, 80), bool)
    band[0:2, :] = True
    _add(project, image, void.id, mask=band)
    save_project(project, tmp_path / "src" / "project.json")
    assert project.object_count(1) == 3 and project.annotation_count(1) == 4
    out = tmp_path / "m"
    assert (
        main(["convert", str(tmp_path / "src" / "project.json"), str(out), "--from", "coco", "--to", "masks"])
        == 0
    )
    written = np.asarray(Image.open(out / "masks" / "a.png"))
    assert (written[0:2, 30:] == 255).all()  # outside the box object at the top left
    assert "__ignore__" not in (out / "classes.txt").read_text()
    # the candidate draws an extra object inside the void band only: not scored, Dice stays 1
    cand = load_project(tmp_path / "src" / "project.json")
    strip = np.zeros((60, 80), bool)
    strip[0:2, 60:70] = True
    _add(cand, cand.images[1], 1, mask=strip)
    save_project(cand, tmp_path / "cand.json")
    report = tmp_path / "r.json"
    # cand.json sits beside src/, so its image names differ: pairing falls back to the stem
    assert main(["qa", str(out), str(tmp_path / "cand.json"), "--json", str(report)]) == 0
    got = _scores(report)
    assert all(d == 1.0 for d in got["dice"]) and len(got["dice"]) == 5
    assert got["objects"] == ["match"] * 5  # wholly inside void: not scored, neither FP nor pixels
    assert got["data"]["summary"]["fp_px"] == 0


def test_detect_format_recognises_each_layout(sample_project: Project, tmp_path: Path) -> None:
    from pixelproof.interop import write_labelme, write_masks, write_voc, write_yolo

    assert detect_format(tmp_path / "src" / "project.json").name == "coco"
    write_labelme(sample_project, tmp_path / "lm")
    write_masks(sample_project, tmp_path / "masks")
    write_voc(sample_project, tmp_path / "voc")
    write_yolo(sample_project, tmp_path / "yolo")
    for name in ("lm", "masks", "voc", "yolo"):
        assert detect_format(tmp_path / name).name == {"lm": "labelme"}.get(name, name)
    assert detect_format(tmp_path / "lm" / "a.json").name == "labelme"
    (tmp_path / "nothing").mkdir()
    assert detect_format(tmp_path / "nothing") is None


def test_qa_reference_in_another_format_and_undetectable_reference(
    sample_project: Project, tmp_path: Path, capsys
) -> None:
    from pixelproof.interop import write_labelme

    project_file = tmp_path / "src" / "project.json"
    write_labelme(sample_project, tmp_path / "lm")
    report = tmp_path / "r.json"
    for extra in ([], ["--ref-format", "labelme"]):
        assert main(["qa", str(tmp_path / "lm"), str(project_file), "--json", str(report), *extra]) == 0
        data = json.loads(report.read_text())
        assert data["reference_kind"] == "labelme"
        assert [r["status"] for r in data["per_object"]] == ["match"] * 5
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "notes.txt").write_text("hello")
    assert main(["qa", str(tmp_path / "odd"), str(project_file)]) == 1
    assert "not recognised as any readable format" in capsys.readouterr().err


def _readme_rows() -> dict[str, list[str]]:
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    rows = {}
    for line in readme.splitlines():
        m = re.match(r"\| `([a-z-]+)`( \(read only\))? \|", line)
        if m:
            rows[m.group(1)] = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
    return rows


def test_readme_format_table_has_every_format_and_its_declared_losses() -> None:
    """README's "lost on export" column is the declaration's ``lost_on_export`` (one text, two places)."""
    rows = _readme_rows()
    builtin = {
        n
        for n, f in FORMATS.items()
        if f.reader is not None and f.reader.__module__.startswith("pixelproof.")
    }
    assert builtin <= rows.keys()
    for name in builtin:
        assert rows[name][-1] == FORMATS[name].lost_on_export, name
        assert rows[name][2].startswith("— (") == (FORMATS[name].writer is None)
