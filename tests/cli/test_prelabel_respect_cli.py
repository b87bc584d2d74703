"""Pre-labeling that respects what is labeled (the demo's coins), single-class backends mapped to a
category, the mapping remembered per model, and detect-then-segment (``--from-boxes``) end to end."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pytest
from skimage import data

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.demo import install_demo
from pixelproof.core.edits.box_masks import FROM_BOX, accept_into_boxes
from pixelproof.core.masks import decode
from pixelproof.core.model import Annotation
from tests.cli.test_prelabel_cli import make_project, run


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return install_demo(tmp_path / "demo")


def coins_args(demo: Path) -> list:
    return ["prelabel", demo, "--backend", "threshold", "--images", "*coins.png", "--category", "coin",
            "--option", "background_radius=60"]  # fmt: skip


def test_labeled_coins_are_not_predicted_again(capsys, demo: Path) -> None:
    coins_id = next(i.id for i in load_project(demo).images.values() if i.file_name.endswith("coins.png"))
    before = load_project(demo).annotation_count(coins_id)
    code, out, err = run(capsys, *coins_args(demo), "-o", demo.parent / "skip.json")
    assert code == 0, err
    project = load_project(demo.parent / "skip.json")
    added = project.annotation_count(coins_id) - before
    skipped = int(out.split(" skipped")[0].rsplit(", ", 1)[1])
    assert skipped >= 18 and added <= 8  # 24 coins labeled: only what is missing or different is added
    assert project.category_by_name("object") is None  # the single class went to --category coin
    code, out, _ = run(capsys, *coins_args(demo), "--keep-overlapping", "-o", demo.parent / "all.json")
    assert code == 0 and "skipped" not in out
    assert load_project(demo.parent / "all.json").annotation_count(coins_id) - before == added + skipped


def test_unlabeled_only_and_category_errors(capsys, demo: Path) -> None:
    project = load_project(demo)
    empty = [i.id for i in project.images.values() if project.annotation_count(i.id) == 0]
    counts = {i: project.annotation_count(i) for i in project.images}
    code, _, err = run(
        capsys, "prelabel", demo, "--backend", "threshold", "--unlabeled-only", "--category", "cell"
    )
    assert code == 0, err
    after = load_project(demo)
    for i, n in counts.items():
        if i not in empty:
            assert after.annotation_count(i) == n  # labeled images untouched
    assert sum(after.annotation_count(i) for i in empty) > 0
    # again: every image has objects now, a run with nothing to do (exit 0, nothing written)
    saved = demo.read_bytes()
    code, out, err = run(
        capsys, "prelabel", demo, "--backend", "threshold", "--unlabeled-only", "--category", "cell"
    )
    assert code == 0 and f"{demo}: nothing to do: every image has objects" in out, err
    assert demo.read_bytes() == saved
    code, _, err = run(capsys, "prelabel", demo, "--backend", "threshold", "--category", "nope")
    assert code == 2 and "no such category" in err


def test_single_class_goes_to_the_only_category_and_the_mapping_is_remembered(capsys, tmp_path: Path) -> None:
    project_file = make_project(tmp_path / "p", {"coins.png": data.coins()}, ["coin"])
    code, _, err = run(
        capsys, "prelabel", project_file, "--backend", "threshold", "--option", "background_radius=60"
    )
    assert code == 0, err
    project = load_project(project_file)
    assert [c.name for c in project.categories.values()] == ["coin"] and len(project.annotations) >= 20
    assert project.app["model_mappings"] == {"threshold/builtin": {"object": "coin"}}
    # remembered: a later run maps the same way even where the default would not apply
    project.add_category(type(project.category(1))(2, "other"))
    save_project(project, project_file)
    code, _, err = run(capsys, "prelabel", project_file, "--backend", "threshold", "--keep-overlapping")
    assert code == 0, err
    names = {
        load_project(project_file).category(a.category_id).name
        for a in load_project(project_file).annotations.values()
    }
    assert names == {"coin"}


def test_detect_then_segment_from_yolo_boxes(capsys, tmp_path: Path, shared_models: Path) -> None:
    pytest.importorskip("onnxruntime")
    project_file = make_project(tmp_path / "p", {"coffee.png": data.coffee()}, [])
    code, _, err = run(capsys, "prelabel", project_file, "--backend", "yolo-onnx", "--model",
                       shared_models / "yolo11n.onnx", "--score-threshold", "0.5")  # fmt: skip
    assert code == 0, err
    boxes = {a.id: a for a in load_project(project_file).annotations.values()}
    assert boxes and all(a.kind == "box" for a in boxes.values())
    code, _, err = run(capsys, "prelabel", project_file, "--backend", "threshold", "--from-boxes")
    assert code == 1 and "--from-boxes needs an interactive backend" in err
    code, _, err = run(capsys, "prelabel", project_file, "--backend", "grabcut", "--from-boxes")
    assert code == 0, err
    project = load_project(project_file)
    masks_made = [a for a in project.annotations.values() if a.kind == "mask"]
    assert len(masks_made) == len(boxes)
    for m in masks_made:
        box = boxes[m.app_extra[FROM_BOX]]
        assert m.category_id == box.category_id and m.review == "pending"
        x, y = math.floor(box.bbox[0]), math.floor(box.bbox[1])
        w, h = math.ceil(box.bbox[0] + box.bbox[2]) - x, math.ceil(box.bbox[1] + box.bbox[3]) - y
        pixels = decode(m.segmentation).astype(bool)
        assert pixels[y : y + h, x : x + w].sum() == pixels.sum() > 0.3 * w * h
    # running again prompts no box twice
    code, out, err = run(capsys, "prelabel", project_file, "--backend", "grabcut", "--from-boxes")
    assert code == 0 and "nothing to do: every box already has a mask" in out, err
    # accepting turns each box into its mask, keeping the box's id and category
    edit = accept_into_boxes(project, [m.id for m in masks_made])
    edit.apply(project)
    assert set(project.annotations) == set(boxes)
    for a in project.annotations.values():
        assert a.kind == "mask" and a.category_id == boxes[a.id].category_id and a.review == "accepted"
    save_project(project, project_file)
    assert np.all([a.kind == "mask" for a in load_project(project_file).annotations.values()])


def test_when_every_box_fails_the_image_says_why(capsys, tmp_path: Path) -> None:
    """Every box refused by the backend (here: outside the picture) printed only "1/1 images
    pre-labeled, 0 annotations added"; the reason the backend gave is now the image's failure."""
    project_file = make_project(tmp_path / "p", {"coins.png": data.coins()}, ["coin"])
    project = load_project(project_file)
    for i, x in enumerate((1000.0, 1200.0), start=1):  # within 4 image sides, so a valid project
        project.add_annotation(Annotation(i, 1, 1, [x, 1000.0, 5.0, 5.0], None, 25.0))
    save_project(project, project_file)
    code, _, err = run(capsys, "prelabel", project_file, "--backend", "grabcut", "--from-boxes")
    assert code == 1
    assert (
        "coins.png: no box outlined: annotation 1 (coin): " in err
        and "outside the image" in err
        and "(and 1 more box)" in err
    )
    assert len(load_project(project_file).annotations) == 2


def disk_project(folder: Path) -> Path:
    """A 240x200 picture with one yellow disk (radius 40 at 100, 100) that grabcut outlines from its box."""
    image = np.full((200, 240, 3), (40, 120, 40), np.uint8)
    cv2.circle(image, (100, 100), 40, (230, 200, 30), -1)
    image = (image + np.random.default_rng(0).integers(0, 20, image.shape)).astype(np.uint8)
    project_file = make_project(folder, {"disk.png": image}, ["disk"])
    project = load_project(project_file)
    project.add_annotation(Annotation(1, 1, 1, [50.0, 50.0, 100.0, 100.0], None, 10000.0))  # the disk
    save_project(project, project_file)
    return project_file


def test_boxes_that_fail_among_good_ones_are_named_with_their_reason(capsys, tmp_path: Path) -> None:
    """Some boxes failing printed only a count; each is now named (image, annotation id, category,
    reason) on stderr, and the masks of the others are still written."""
    project_file = disk_project(tmp_path / "p")
    project = load_project(project_file)
    project.add_annotation(Annotation(2, 1, 1, [50.0, 50.0, 0.0, 20.0], None, 0.0))  # zero width
    project.add_annotation(Annotation(3, 1, 1, [250.0, 10.0, 20.0, 20.0], None, 400.0))  # right of it
    save_project(project, project_file)
    code, out, err = run(capsys, "prelabel", project_file, "--backend", "grabcut", "--from-boxes")
    assert code == 0, err
    assert "disk.png: annotation 2 (disk): the box is empty (0 x 20 px)" in err
    outside = "the box is outside the image (empty once clamped to 240x200)"
    assert f"disk.png: annotation 3 (disk): {outside}" in err
    assert "annotation 1 " not in err
    assert "1/1 images pre-labeled, 1 annotation added, 2 boxes not outlined" in out
    made = [a for a in load_project(project_file).annotations.values() if a.kind == "mask"]
    assert [m.app_extra[FROM_BOX] for m in made] == [1] and made[0].review == "pending"
    assert 0.9 * math.pi * 40**2 < made[0].area < 1.1 * math.pi * 40**2


def test_failed_boxes_past_twenty_are_counted(capsys, tmp_path: Path) -> None:
    project_file = disk_project(tmp_path / "p")
    project = load_project(project_file)
    for i in range(2, 27):  # 25 empty boxes
        project.add_annotation(Annotation(i, 1, 1, [10.0, 10.0, 0.0, 5.0], None, 0.0))
    save_project(project, project_file)
    code, out, err = run(capsys, "prelabel", project_file, "--backend", "grabcut", "--from-boxes")
    assert code == 0, err
    assert err.count(": the box is empty") == 20 and "annotation 21 (disk)" in err
    assert "annotation 22 (disk)" not in err and "... and 5 more boxes not outlined" in err
    assert "25 boxes not outlined" in out


def test_category_given_wins_over_the_remembered_mapping(capsys, tmp_path: Path) -> None:
    """``--category`` says where a single-class backend's objects go: a mapping remembered from an earlier
    run (object -> coin) must not send them elsewhere in silence; the new choice is remembered."""
    project_file = make_project(tmp_path / "p", {"coins.png": data.coins()}, ["coin", "cell"])
    args = ["prelabel", project_file, "--backend", "threshold", "--option", "background_radius=60"]
    code, _, err = run(capsys, *args, "--category", "coin")
    assert code == 0, err
    coins = len(load_project(project_file).annotations)
    assert coins >= 20
    code, _, err = run(capsys, *args, "--category", "cell", "--keep-overlapping")
    assert code == 0, err
    project = load_project(project_file)
    names = [project.category(a.category_id).name for a in project.annotations.values()]
    assert names.count("coin") == coins and names.count("cell") == coins
    assert project.app["model_mappings"] == {"threshold/builtin": {"object": "cell"}}
    code, _, err = run(capsys, *args, "--keep-overlapping")  # no --category: the remembered one
    assert code == 0, err
    project = load_project(project_file)
    assert len(project.annotations) == 3 * coins
    assert (
        sum(project.category(a.category_id).name == "cell" for a in project.annotations.values()) == 2 * coins
    )


def test_predictions_left_out_by_the_mapping_are_counted_in_the_summary(capsys, tmp_path: Path) -> None:
    """Before: a class mapped to nothing (``--map object=``) dropped every prediction and the summary said
    only "0 annotations added", as if the model had found nothing."""
    project_file = make_project(tmp_path / "p", {"coins.png": data.coins()}, ["coin"])
    args = ["prelabel", project_file, "--backend", "threshold", "--option", "background_radius=60"]
    code, out, err = run(capsys, *args, "--map", "object=", "-o", tmp_path / "none.json")
    assert code == 0, err
    assert "0 annotations added" in out
    left_out = int(out.split("added, ")[1].split()[0])
    code, out, err = run(capsys, *args, "-o", tmp_path / "all.json")
    assert code == 0, err
    assert left_out == len(load_project(tmp_path / "all.json").annotations) >= 20
    assert "left out" not in out


def test_unlabeled_only_takes_images_holding_only_void_regions(capsys, tmp_path: Path) -> None:
    """Before: an image whose only annotation was a void region (what importing a Cityscapes or KITTI map
    makes of its unlabelled background) counted as labeled, so `--unlabeled-only` skipped every image of
    such a dataset."""
    from pixelproof.core.model import Category

    coins = data.coins()
    project_file = make_project(tmp_path / "p", {"a.png": coins, "b.png": coins, "c.png": coins}, ["coin"])
    project = load_project(project_file)
    project.add_category(Category(2, "unlabeled", app_extra={"void": True}))
    ids = {Path(im.file_name).name: im.id for im in project.images.values()}
    project.add_annotation(Annotation(1, ids["a.png"], 2, [0.0, 0.0, 10.0, 10.0], None, 100.0))
    project.add_annotation(Annotation(2, ids["b.png"], 1, [5.0, 5.0, 20.0, 20.0], None, 400.0))
    save_project(project, project_file)
    code, _, err = run(capsys, "prelabel", project_file, "--backend", "threshold", "--unlabeled-only",
                       "--category", "coin", "--option", "background_radius=60")  # fmt: skip
    assert code == 0, err
    after = load_project(project_file)
    assert after.annotation_count(ids["a.png"]) > 1 and after.annotation_count(ids["c.png"]) > 0
    assert after.annotation_count(ids["b.png"]) == 1  # a real object: labeled, left alone


def test_another_model_called_best_onnx_does_not_take_the_first_ones_mapping(capsys, tmp_path: Path) -> None:
    """`--map dog=coin` was remembered for run1/best.onnx; run2/best.onnx (other weights, same file name)
    put its dogs in coin too, silently. Now it starts from no mapping: its dogs make a category `dog`."""
    pytest.importorskip("onnxruntime")
    from tests.inference.graphs import yolo_end2end

    for name in ("run1", "run2"):
        (tmp_path / name).mkdir()
    first = yolo_end2end(tmp_path / "run1" / "best.onnx", {0: "dog", 1: "cat"})
    second = yolo_end2end(tmp_path / "run2" / "best.onnx", {0: "dog", 1: "cat"}, 0.6)
    path = make_project(tmp_path / "p", {"coins.png": data.coins()}, ["coin", "cell"])
    args = ("prelabel", path, "--backend", "yolo-onnx", "--model")
    code, _, err = run(capsys, *args, first, "--map", "dog=coin")
    assert code == 0, err
    code, out, err = run(capsys, *args, second)
    assert code == 0, err
    project = load_project(path)
    assert [project.category(a.category_id).name for a in project.annotations.values()] == ["coin", "dog"]
    assert "new categories: dog" in out


def test_from_boxes_with_every_box_outlined_has_nothing_to_do(capsys, tmp_path: Path) -> None:
    """A second `--from-boxes` run over boxes that each have their mask exited 1, as a failure; nothing to
    do is no failure (as `add` of images all there already): said plainly, exit 0, the project as it was;
    with -o OUT, OUT is the project as it is (the next step of a pipeline finds it). A project without
    any box is still an error: the user pointed it at the wrong project."""
    bare = make_project(tmp_path / "bare", {"coins.png": data.coins()}, ["coin"])
    code, _, err = run(capsys, "prelabel", bare, "--backend", "grabcut", "--from-boxes")
    assert code == 1 and "no box annotations to outline" in err and "already has a mask" not in err
    path = disk_project(tmp_path / "p")
    args = ("prelabel", path, "--backend", "grabcut", "--from-boxes")
    code, _, err = run(capsys, *args)
    assert code == 0, err
    before = path.read_bytes()
    code, out, err = run(capsys, *args)
    assert code == 0 and f"{path}: nothing to do: every box already has a mask made from it" in out, err
    assert "error" not in err and path.read_bytes() == before
    copy = tmp_path / "p" / "copy.json"
    code, out, err = run(capsys, *args, "-o", copy)
    assert code == 0 and f"{copy}: nothing to do" in out, err
    assert load_project(copy).annotations.keys() == load_project(path).annotations.keys()


def test_boxes_that_give_no_mask_are_named_and_fail_no_image_even_on_a_rerun(capsys, tmp_path: Path) -> None:
    """A box on plain background gets an empty mask; rerunning tried it again, found nothing again and
    printed "0/1 images pre-labeled, 1 failed", exit 1, when nothing new was possible. The box is named
    (image, id), the image is pre-labeled and the exit status is 0, on the first run and the rerun."""
    project_file = disk_project(tmp_path / "p")
    project = load_project(project_file)
    project.add_annotation(Annotation(7, 1, 1, [165.0, 120.0, 60.0, 60.0], None, 3600.0))  # background only
    save_project(project, project_file)
    for first in (True, False):
        code, out, err = run(capsys, "prelabel", project_file, "--backend", "grabcut", "--from-boxes")
        assert code == 0, err
        assert "disk.png: annotation 7 (disk): mask empty (the backend found nothing in the box)" in err
        added = "1 annotation added" if first else "0 annotations added"
        assert f"1/1 images pre-labeled, {added}, 1 box gave no mask (redraw it or outline by hand)" in out
        assert "failed" not in out and "not outlined" not in out
