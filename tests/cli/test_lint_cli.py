"""``pixelproof lint``: exit codes, summary, reports, predictions files, rules files, a real backend."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from PIL import Image
from skimage import data

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.lint.fixes import fingerprint
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.core.wording import plural


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def make(folder: Path, *anns: Annotation, picture: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    p = Project()
    if picture:
        Image.fromarray(data.astronaut()).save(folder / "a.png")
    p.add_image(ImageRecord(1, "a.png", 512, 512))
    p.add_category(Category(1, "person"))
    p.add_category(Category(2, "cat"))
    for a in anns:
        p.add_annotation(a)
    return save_project(p, folder / "project.json")


def box(aid: int, bbox: list[float], cid: int = 1) -> Annotation:
    return Annotation(aid, 1, cid, [float(v) for v in bbox], None, bbox[2] * bbox[3])


def test_clean_project_exits_0(capsys, tmp_path: Path) -> None:
    path = make(tmp_path, box(1, [10, 10, 50, 50]))
    code, out, err = run(capsys, "lint", path)
    assert code == 0, err
    assert "1 image, 1 object, no model: 0 problems with score >= 0.5" in out


def test_problems_exit_1_with_summary_and_reports(capsys, tmp_path: Path) -> None:
    path = make(
        tmp_path, box(1, [10, 10, 50, 50]), box(2, [10.5, 10, 50, 50]), box(3, [300, 300, 1, 1], cid=2)
    )
    before = path.read_bytes()
    j, c, h = tmp_path / "r.json", tmp_path / "r.csv", tmp_path / "r.html"
    code, out, err = run(capsys, "lint", path, "--json", j, "--csv", c, "--html", h)
    assert code == 1, err
    assert "2 problems" in out and "duplicate" in out and "tiny" in out and "cat 1" in out
    doc = json.loads(j.read_text())
    assert [p["kind"] for p in doc["problems"]] == ["duplicate", "tiny"]
    assert doc["problems"][0]["fix"] == {
        "action": "delete",
        "annotation_id": 2,
        "expects": fingerprint(load_project(path).annotations[2]),
    }
    assert doc["summary"]["by_kind"] == {"duplicate": 1, "tiny": 1} and doc["options"]["min_score"] == 0.5
    assert len(list(csv.DictReader(c.open(encoding="utf-8")))) == 2
    assert "duplicate" in h.read_text(encoding="utf-8")
    assert path.read_bytes() == before  # lint never writes the project
    code, out, _ = run(capsys, "lint", path, "--kinds", "tiny")
    assert code == 1 and "duplicate" not in out
    code, _, _ = run(capsys, "lint", path, "--min-score", "0.999")
    assert code == 0


@pytest.mark.parametrize(
    "argv",
    [
        ["--kinds", "nope"],
        ["--kinds", "tiny,wrong_class"],  # a model kind without a model found nothing and exited 0
        ["--kinds", ","],  # no kind: checked nothing and exited 0 (clean)
        ["--kinds", ""],  # an empty variable: all kinds, not what was typed
        ["--min-score", "2"],
        ["--confident", "-1"],
        ["--model", "x.onnx"],
        ["--backend", "yolo-onnx", "--predictions", "p.json"],
        ["--bogus"],
        ["--json", "{project}"],  # a report never replaces its input
        ["--csv", "{folder}/rules.yaml", "--rules", "{folder}/rules.yaml"],
    ],
)
def test_usage_errors_exit_2(capsys, tmp_path: Path, argv: list[str]) -> None:
    path = make(tmp_path, box(1, [10, 10, 50, 50]))
    (tmp_path / "rules.yaml").write_text("{}", encoding="utf-8")
    before = path.read_bytes()
    argv = [a.format(project=path, folder=tmp_path) for a in argv]
    with pytest.raises(SystemExit) as e:
        code = main(["lint", str(path), *argv])
        raise SystemExit(code)
    assert e.value.code == 2
    assert "error" in capsys.readouterr().err
    assert path.read_bytes() == before and (tmp_path / "rules.yaml").read_text() == "{}"


def test_unreadable_inputs_exit_3(capsys, tmp_path: Path) -> None:
    path = make(tmp_path, box(1, [10, 10, 50, 50]))
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    code, _, err = run(capsys, "lint", broken)
    assert code == 3 and "broken.json" in err
    code, _, err = run(capsys, "lint", path, "--predictions", broken)
    assert code == 3 and "not valid JSON" in err
    rules = tmp_path / "rules.yaml"
    rules.write_text("classes:\n  person:\n    min_area: lots\n", encoding="utf-8")
    code, _, err = run(capsys, "lint", path, "--rules", rules)
    assert code == 3 and "rules.classes.person.min_area" in err
    code, _, err = run(capsys, "lint", path, "--backend", "yolo-onnx", "--model", tmp_path / "none.onnx")
    assert code == 3 and "none.onnx" in err
    code, _, err = run(capsys, "lint", path, "--backend", "threshold", "--map", "obj=person")
    assert code == 3 and "--map obj=person: threshold/builtin has no class 'obj' (did you mean" in err
    project = json.loads(path.read_text())
    project["pixelproof"]["rules"] = {"classes": {"person": {"kinds": "box"}}}
    path.write_text(json.dumps(project), encoding="utf-8")
    code, _, err = run(capsys, "lint", path)
    assert code == 3 and "pixelproof.rules.classes.person.kinds" in err


def test_rules_file_and_project_rules(capsys, tmp_path: Path) -> None:
    path = make(tmp_path, box(1, [10, 10, 50, 50]), box(2, [100, 100, 60, 40], cid=2))
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"classes": {"cat": {"max_width": 50}}}), encoding="utf-8")
    code, out, err = run(capsys, "lint", path, "--rules", rules)
    assert code == 1 and "box_too_large" in out, err
    project = load_project(path)
    project.app["rules"] = {"classes": {"person": {"min_area": "1%"}}}
    save_project(project, path)
    code, out, _ = run(capsys, "lint", path)
    assert code == 1 and "tiny" in out and "box_too_large" not in out


def test_predictions_file_with_a_bad_entry(capsys, tmp_path: Path) -> None:
    path = make(tmp_path, box(1, [10, 10, 100, 100]))
    preds = tmp_path / "preds.json"
    preds.write_text(
        json.dumps(
            [
                {"image_id": 1, "category_id": 1, "bbox": [10, 10, 200, 200], "score": 0.97},
                {"image_id": 1, "category_id": 1, "bbox": [400, 400, 50, 50], "score": 0.99},
                {"image_id": 3, "category_id": 1, "bbox": [1, 1, 5, 5], "score": 0.99},
            ]
        ),
        encoding="utf-8",
    )
    j = tmp_path / "r.json"
    code, out, err = run(capsys, "lint", path, "--predictions", preds, "--json", j)
    assert code == 1
    assert "[2].image_id: image 3 does not exist" in err
    kinds = {p["kind"] for p in json.loads(j.read_text())["problems"]}
    assert kinds == {"partial_box", "missing_object"}
    assert "2 predictions" in out


def test_a_model_never_confident_is_said_with_the_option_to_lower(capsys, tmp_path: Path) -> None:
    """yolo11n's best scores stay under 0.95: missing_object and wrong_class found nothing, unsaid."""
    path = make(tmp_path, box(1, [10, 10, 100, 100]))
    preds = tmp_path / "preds.json"
    missed = {"image_id": 1, "category_id": 2, "bbox": [300, 300, 80, 80], "score": 0.93}
    preds.write_text(json.dumps([missed]), encoding="utf-8")
    code, out, err = run(capsys, "lint", path, "--predictions", preds)
    assert code == 0 and "missing_object" not in out
    assert "no prediction reaches the confident score 0.95 (the highest of 1 is 0.93)" in err
    assert "lower --confident (0.5 suits a small model such as yolo11n)" in err
    code, out, err = run(capsys, "lint", path, "--predictions", preds, "--confident", "0.5")
    assert code == 1 and "missing_object" in out and "confident score" not in err


def test_an_empty_results_file_is_said_not_linted_as_if_no_model_was_given(capsys, tmp_path: Path) -> None:
    """``[]`` (a model run on another split, or at too high a threshold) finds nothing with the model's
    checks: said once on stderr and in the JSON report's options, not left to a "0 predictions" count."""
    path = make(tmp_path, box(1, [10, 10, 100, 100]))
    preds = tmp_path / "preds.json"
    preds.write_text("[]", encoding="utf-8")
    j = tmp_path / "r.json"
    code, out, err = run(capsys, "lint", path, "--predictions", preds, "--json", j)
    assert code == 0 and "0 predictions" in out
    assert "the model gave no prediction on any image: missing_object and wrong_class can find nothing" in err
    assert json.loads(j.read_text())["options"]["unconfident"]["predictions"] == 0
    code, out, err = run(capsys, "lint", path)  # no model asked for: nothing to say
    assert code == 0 and "prediction" not in err


def test_pending_predictions_as_the_model(capsys, tmp_path: Path) -> None:
    pred = box(2, [300, 300, 80, 80])
    pred.score, pred.source, pred.review = 0.99, "model:yolo-onnx/x@1", "pending"
    path = make(tmp_path, box(1, [10, 10, 50, 50]), pred)
    code, out, _ = run(capsys, "lint", path)
    assert code == 0  # a pending prediction is not a label
    code, out, _ = run(capsys, "lint", path, "--predictions", "pending")
    assert code == 1 and "missing_object" in out


def test_backend_run_on_the_images(capsys, tmp_path: Path, shared_models: Path) -> None:
    pytest.importorskip("onnxruntime")
    model = shared_models / "yolo11n.onnx"
    if not model.is_file():
        pytest.skip(f"{model} not found")
    path = make(tmp_path, box(1, [13, 17, 100, 120]), picture=True)  # the astronaut, badly boxed
    j = tmp_path / "r.json"
    code, _, err = run(
        capsys, "lint", path, "--backend", "yolo-onnx", "--model", model, "--confident", "0.5", "--json", j
    )
    assert code == 1, err
    doc = json.loads(j.read_text())
    assert doc["options"]["backend"].startswith("model:yolo-onnx/yolo11n.onnx@")
    (problem,) = [p for p in doc["problems"] if p["annotation_id"] == 1]
    assert problem["kind"] == "partial_box" and problem["fix"]["action"] == "set_bbox"
    w, h = problem["fix"]["bbox"][2:]
    assert w > 300 and h > 450  # the model's box around the whole astronaut
    assert "ignored" in err  # classes the project lacks (the sports ball) are counted, not added
    assert len(load_project(path).annotations) == 1


def test_a_predictions_file_for_other_ids_is_refused_in_a_few_lines(capsys, tmp_path: Path) -> None:
    """Results written with other category ids (a detector's contiguous 0..79 for COCO's 1..90): every
    entry was left out with a warning of its own (thousands of lines) and lint went on with no model,
    exiting 0 as if clean. Now the warnings are capped and a file nothing of is usable exits 3."""
    path = make(tmp_path, box(1, [10, 10, 100, 100]))
    preds = tmp_path / "preds.json"
    entries = [{"image_id": 1, "category_id": 7, "bbox": [10, 10, 20, 20], "score": 0.9}] * 500
    preds.write_text(json.dumps(entries), encoding="utf-8")
    code, _, err = run(capsys, "lint", path, "--predictions", preds)
    assert code == 3
    assert len(err.splitlines()) <= 25
    assert "... and 480 more like these" in err
    assert "none of the 500 predictions" in err
    entries[0] = {"image_id": 1, "category_id": 1, "bbox": [10, 10, 100, 100], "score": 0.9}
    preds.write_text(json.dumps(entries), encoding="utf-8")
    code, out, err = run(capsys, "lint", path, "--predictions", preds)
    assert code == 0 and "1 predictions" in out and "... and 479 more like these" in err


def test_a_model_that_knows_none_of_the_classes_is_refused(capsys, tmp_path: Path, shared_models) -> None:
    """yolo11n on a project of other classes (and no --map): every prediction was ignored and lint went
    on with a model that saw nothing, exiting 0 as if the labels were right."""
    pytest.importorskip("onnxruntime")
    model = shared_models / "yolo11n.onnx"
    if not model.is_file():
        pytest.skip(f"{model} not found")
    path = make(tmp_path, box(1, [13, 17, 100, 120]), picture=True)
    project = load_project(path)
    for c in project.categories.values():
        c.name = {"person": "astronaut", "cat": "rocket"}[c.name]
    save_project(project, path)
    code, _, err = run(capsys, "lint", path, "--backend", "yolo-onnx", "--model", model, "--confident", "0.5")
    assert code == 3, err
    assert "none of the model's" in err and "--map" in err
    code, _, err = run(
        capsys, "lint", path, "--backend", "yolo-onnx", "--model", model, "--map", "person=astronaut"
    )
    assert code == 1, err  # mapped: the badly boxed astronaut is found


def test_pictures_find_the_same_picture_under_another_name(capsys, tmp_path: Path) -> None:
    """--pictures reads every picture: a copy under another name and a JPEG of it are listed (JSON says
    exact or near, and the other image), one unreadable file is said and left out, the exit code is 1."""
    path = make(tmp_path, box(1, [10, 10, 50, 50]), picture=True)
    p = load_project(path)
    Image.fromarray(data.astronaut()).save(tmp_path / "b.png")
    Image.fromarray(data.astronaut()).save(tmp_path / "c.jpg", quality=85)
    (tmp_path / "d.png").write_bytes(b"not a picture")
    for iid, name in ((2, "b.png"), (3, "c.jpg"), (4, "d.png")):
        p.add_image(ImageRecord(iid, name, 512, 512))
    p.add_annotation(Annotation(2, 2, 2, [10.0, 10.0, 50.0, 50.0], None, 2500.0))  # the copy: a cat
    save_project(p, path)
    code, out, err = run(capsys, "lint", path)  # without --pictures: no picture is read
    assert code == 0 and "duplicate_picture" not in out and "d.png" not in err
    j = tmp_path / "r.json"
    code, out, err = run(capsys, "lint", path, "--pictures", "--json", j)
    assert code == 1, err
    assert "d.png: " in err and "not compared" in err
    doc = json.loads(j.read_text())
    found = {q["image_id"]: q for q in doc["problems"] if q["kind"] == "duplicate_picture"}
    assert sorted(found) == [2, 3]
    assert found[2]["figures"] == {"other_image_id": 1, "distance": 0, "exact": 1}
    assert "labelled differently (cat 1 vs 0, person 0 vs 1)" in found[2]["message"]
    assert found[3]["figures"]["exact"] == 0 and found[3]["figures"]["other_image_id"] == 1
    assert found[2]["score"] > found[3]["score"]
    assert doc["options"]["pictures"]["read"] == 3
    assert doc["options"]["pictures"]["unreadable"][0]["file_name"] == "d.png"
    assert "duplicate_picture" in out
    code, out, err = run(capsys, "lint", path, "--pictures", "--kinds", "duplicate_picture", "--json", j)
    assert code == 1 and {q["kind"] for q in json.loads(j.read_text())["problems"]} == {"duplicate_picture"}


def test_the_picture_kind_without_pictures_is_a_usage_error(capsys, tmp_path: Path) -> None:
    path = make(tmp_path, box(1, [10, 10, 50, 50]), picture=True)
    code, _, err = run(capsys, "lint", path, "--kinds", "duplicate_picture")
    assert code == 2 and "--pictures (it reads every picture) is needed for duplicate_picture" in err
    code, _, err = run(capsys, "lint", path, "--kinds", "tiny,image_size_mismatch")
    assert code == 2 and "--pictures (it reads every picture) is needed for image_size_mismatch" in err


def test_pictures_with_kinds_that_do_not_use_them_is_a_usage_error(capsys, tmp_path: Path) -> None:
    """--pictures reads every picture for the picture kinds alone: with --kinds leaving them out nothing would
    use the hashes, so the run is refused before any picture is read (as --model without --backend)."""
    path = make(tmp_path, box(1, [10, 10, 50, 50]), picture=True)
    p = load_project(path)
    (tmp_path / "d.png").write_bytes(b"not a picture")  # read, it would be warned about
    p.add_image(ImageRecord(2, "d.png", 512, 512))
    save_project(p, path)
    j = tmp_path / "r.json"
    code, out, err = run(capsys, "lint", path, "--pictures", "--kinds", "duplicate,tiny", "--json", j)
    assert (
        code == 2 and "--pictures reads pictures for duplicate_picture and image_size_mismatch alone" in err
    )
    assert "not compared" not in err and not j.exists() and out == ""
    code, out, err = run(capsys, "lint", path, "--pictures", "--kinds", "tiny,duplicate_picture")
    assert code in (0, 1) and "d.png: " in err and "not compared" in err  # with it: read, as before
    code, out, err = run(capsys, "lint", path, "--pictures", "--kinds", "image_size_mismatch")
    assert code in (0, 1) and "not compared" in err  # either picture kind uses what is read


@pytest.mark.parametrize(
    ("option", "source"),
    [
        ("--backend", ["--backend", "yolo-onnx", "--model", "{folder}/absent.onnx"]),
        ("--backend", ["--backend", "threshold"]),
        ("--predictions", ["--predictions", "{folder}/absent.json"]),
        ("--predictions", ["--predictions", "pending"]),
    ],
)
def test_a_model_with_kinds_that_do_not_use_it_is_a_usage_error(
    capsys, tmp_path: Path, option: str, source: list[str]
) -> None:
    """A model's predictions serve the model kinds alone: with --kinds leaving them all out, --backend ran the
    model on every image (and --predictions read its file) for nothing. It is refused before anything is read
    or loaded, as --pictures without duplicate_picture: the absent model file or predictions file would
    otherwise be reported as unreadable (exit 3)."""
    path = make(tmp_path, box(1, [10, 10, 50, 50]), picture=True)
    argv = [a.format(folder=tmp_path) for a in source]
    j = tmp_path / "r.json"
    code, out, err = run(capsys, "lint", path, *argv, "--kinds", "duplicate,tiny", "--json", j)
    assert code == 2 and out == "" and not j.exists(), err
    assert f"{option} gives predictions to the model kinds alone" in err
    assert "missing_object" in err and "wrong_class" in err and "--kinds duplicate,tiny" in err


def test_a_model_with_a_model_kind_in_kinds_still_runs(capsys, tmp_path: Path) -> None:
    """The usage rule above leaves a --kinds naming one model kind alone: the model is used."""
    pred = box(2, [300, 300, 80, 80])
    pred.score, pred.source, pred.review = 0.99, "model:yolo-onnx/x@1", "pending"
    path = make(tmp_path, box(1, [10, 10, 50, 50]), pred)
    code, out, err = run(capsys, "lint", path, "--predictions", "pending", "--kinds", "tiny,missing_object")
    assert code == 1 and "missing_object" in out, err


def voc_project(folder: Path, labelme: Path) -> Path:
    """LabelMe's own VOC example (its pictures and boxes) with every VOC class name of its labels.txt."""
    import shutil

    from pixelproof.interop.labelme import read_labelme

    shutil.copytree(labelme / "bbox_detection" / "data_annotated", folder)
    project = read_labelme(folder).project
    names = (labelme / "bbox_detection" / "labels.txt").read_text().splitlines()
    for name in names[2:]:  # __ignore__ and _background_ are no classes
        if project.category_by_name(name) is None:
            project.add_category(Category(max(project.categories) + 1, name))
    return save_project(project, folder / "project.json")


def test_ignored_model_classes_are_named_with_their_counts(
    capsys, tmp_path: Path, shared_fixtures: Path, shared_models: Path
) -> None:
    """A VOC-named dataset linted with a COCO model: the warning said only "N prediction(s) of classes the
    project does not have were ignored (use --map)", leaving the user to guess what to map. It now names
    them, most frequent first, with the counts the model itself gives (run here on the same pictures)."""
    from collections import Counter

    from pixelproof.core.imageio import read_project_image
    from pixelproof.inference.registry import get_backend

    pytest.importorskip("onnxruntime")
    model = shared_models / "yolo11n.onnx"
    if not model.is_file():
        pytest.skip(f"{model} not found")
    path = voc_project(tmp_path / "voc", shared_fixtures / "labelme")
    project = load_project(path)
    backend = get_backend("yolo-onnx")
    backend.configure(model_path=str(model))
    known = {c.name for c in project.categories.values()}
    expected: Counter[str] = Counter()
    for image in project.images.values():
        preds = backend.predict(read_project_image(project, image))
        expected.update(p.category for p in preds if p.category not in known)
    assert expected, "the model sees nothing the VOC names lack: the test shows nothing"
    j = tmp_path / "r.json"
    code, _, err = run(capsys, "lint", path, "--backend", "yolo-onnx", "--model", model, "--json", j)
    assert code in (0, 1), err
    (line,) = [ln for ln in err.splitlines() if "classes the project does not have" in ln]
    listed = ", ".join(f"{name} {n}" for name, n in sorted(expected.items(), key=lambda kv: (-kv[1], kv[0])))
    assert (
        f"{plural(sum(expected.values()), 'prediction')} of classes the project does not have ignored" in line
    )
    assert listed in line and "--map" in line
    assert json.loads(j.read_text())["options"]["predictions_ignored_by_class"] == dict(expected)


@pytest.mark.parametrize("keep", [False, True])
def test_pending_predictions_of_a_prelabel_that_skipped_the_labelled_objects(
    capsys, tmp_path: Path, shared_fixtures: Path, shared_models: Path, keep: bool
) -> None:
    """`prelabel` skips by default the predictions repeating a label, so `lint --predictions pending`
    judged the labels against the leftovers alone. prelabel now records the skipping on its predictions,
    and lint says what it did not judge and how to (without skipping, nothing is said)."""
    pytest.importorskip("onnxruntime")
    model = shared_models / "yolo11n.onnx"
    if not model.is_file():
        pytest.skip(f"{model} not found")
    path = voc_project(tmp_path / "voc", shared_fixtures / "labelme")
    flags = ["--keep-overlapping"] if keep else []
    code, _, err = run(
        capsys, "prelabel", path, "--backend", "yolo-onnx", "--model", model, "--only-existing", *flags
    )
    assert code == 0, err
    pending = [a for a in load_project(path).annotations.values() if a.review == "pending"]
    assert pending and all(("skip_existing" in a.app_extra) is not keep for a in pending)
    j = tmp_path / "r.json"
    code, _, err = run(capsys, "lint", path, "--predictions", "pending", "--json", j)
    assert code in (0, 1), err
    doc = json.loads(j.read_text())
    said = "pre-labeled skipping those that repeat a label (IoU > 0.5)" in err
    assert said is not keep
    assert doc["options"]["predictions_skipped_overlapping"] == (None if keep else 0.5)
    assert (doc["options"]["images_skipped_overlapping"] > 0) is not keep  # those images' kinds left out
    if not keep:
        assert not [p for p in doc["problems"] if p["kind"] == "bad_location"]
    if not keep:
        assert "--backend NAME --model FILE" in err and "--keep-overlapping" in err


def test_a_predictions_file_over_a_megabyte_is_read(capsys, tmp_path: Path) -> None:
    """The project loader refuses a big file starting with ``[`` from its first bytes; that check was
    made for every JSON read, so a COCO results file over 1 MB (any real model's) could not be read."""
    path = make(tmp_path, box(1, [10, 10, 100, 100]))
    preds = tmp_path / "preds.json"
    far = {"image_id": 1, "category_id": 1, "bbox": [400, 400, 50, 50], "score": 0.1}
    near = {"image_id": 1, "category_id": 1, "bbox": [10, 10, 200, 200], "score": 0.97}
    text = json.dumps([near] + [far] * 20_000)
    assert len(text) > 1 << 20
    preds.write_text(text, encoding="utf-8")
    j = tmp_path / "r.json"
    code, _out, err = run(capsys, "lint", path, "--predictions", preds, "--json", j)
    assert code == 1, err
    assert {p["kind"] for p in json.loads(j.read_text())["problems"]} == {"partial_box"}
    with preds.open("wb") as f:
        f.truncate(4 << 20)  # zeros: refused from the first bytes, as a project file would be
    code, _out, err = run(capsys, "lint", path, "--predictions", preds)
    assert code == 3
    assert "not a JSON file: it starts with byte 0x00 at line 1 column 1, not with '{' or '['" in err


def test_pending_without_pending_predictions_says_so(capsys, tmp_path: Path) -> None:
    """`--predictions pending` on a project with none pending (never pre-labeled, or every prediction
    decided) says that, not "was the model run on these images", which names no model the user gave."""
    path = make(tmp_path, box(1, [10, 10, 50, 50]))
    code, _, err = run(capsys, "lint", path, "--predictions", "pending")
    assert code == 0, err
    assert (
        "the project has no pending model predictions: missing_object and wrong_class can find nothing" in err
    )
    assert "was it run on these images" not in err


def test_an_empty_class_is_said_for_the_project(capsys, tmp_path: Path) -> None:
    """A class no object has is a problem of no image: the terminal names "(project)", the JSON image null."""
    boxes = [box(k + 1, [40.0 * (k % 10), 40.0 * (k // 10), 30, 30]) for k in range(20)]
    path = make(tmp_path, *boxes)
    j = tmp_path / "r.json"
    code, out, err = run(capsys, "lint", path, "--json", j)
    assert code == 1, err
    assert "empty_class                  1  cat 1" in out
    assert "empty_class          (project): class cat has no objects in the project" in out
    (problem,) = json.loads(j.read_text())["problems"]
    assert (problem["kind"], problem["image_id"], problem["category"]) == ("empty_class", None, "cat")
