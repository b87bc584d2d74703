"""A Label Studio task several annotators labelled: with ``annotator_versions="each"`` every annotator's
version comes in tagged, as a merge of shards keeps an overlap image's, so ``agreement`` and ``consensus``
work on it; by default the most recent one, and the import says how to keep the others."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from pixelproof.cli import main
from pixelproof.core.agreement import raters_from_merged
from pixelproof.core.coco import load_project
from pixelproof.core.overlap_versions import versions_side_by_side
from pixelproof.interop.labelstudio import read_labelstudio

DATA = Path(__file__).resolve().parents[1] / "data" / "labelstudio"


def _fixture(tmp_path: Path) -> Path:
    """label-studio-converter's export: task 1 annotated by users 2 and 1, task 2 by user 1."""
    shutil.copy(DATA / "label_config.xml", tmp_path / "label_config.xml")
    return Path(shutil.copy(DATA / "data.json", tmp_path / "data.json"))


def _who(project) -> dict[str, list[str]]:
    """image file -> the annotator tags of its objects, sorted."""
    out: dict[str, list[str]] = {}
    for a in project.annotations.values():
        out.setdefault(project.images[a.image_id].file_name, []).append(str(a.app_extra.get("annotator")))
    return {k: sorted(v) for k, v in out.items()}


def test_each_annotators_version_is_kept_tagged(tmp_path: Path) -> None:
    project = read_labelstudio(_fixture(tmp_path), annotator_versions="each").project
    assert _who(project) == {"image1": ["user1", "user1", "user2", "user2"], "image2": ["None", "None"]}
    image1 = next(i for i in project.images.values() if i.file_name == "image1")
    assert versions_side_by_side(project) == {image1.id: ["user1", "user2"]}  # most recent first
    assert [r.name for r in raters_from_merged(project)] == ["user1", "user2"]
    assert project.app["image_status"][str(image1.id)] == "done"


def test_default_keeps_the_latest_and_says_how_to_keep_each(tmp_path: Path) -> None:
    result = read_labelstudio(_fixture(tmp_path))
    assert _who(result.project) == {"image1": ["None", "None"], "image2": ["None", "None"]}
    assert not versions_side_by_side(result.project)
    (line,) = [p for p in result.problems if "annotation 1 not imported" in p]
    assert "--annotator-versions each" in line


def _box(label: str, x: float, rid: str) -> dict:
    value = {"x": x, "y": 10, "width": 20, "height": 20, "rotation": 0, "rectanglelabels": [label]}
    return {"id": rid, "type": "rectanglelabels", "from_name": "label", "to_name": "image",
            "original_width": 200, "original_height": 100, "value": value}  # fmt: skip


def test_an_empty_version_is_a_rater_and_an_older_one_of_the_same_annotator_is_left_out(
    tmp_path: Path,
) -> None:
    choice = {"type": "choices", "from_name": "weather", "to_name": "image", "value": {"choices": ["Rainy"]}}
    task = {
        "id": 7,
        "data": {"image": "/data/upload/1/a.png"},
        "annotations": [
            {
                "id": 1,
                "completed_by": 1,
                "updated_at": "2026-01-01",
                "result": [_box("cat", 10, "a")],
                "parent_prediction": 9,
            },
            {"id": 2, "completed_by": 2, "updated_at": "2026-01-02", "result": []},
            {
                "id": 3,
                "completed_by": {"id": 3, "email": "eve@lab.org"},
                "updated_at": "2026-01-03",
                "result": [_box("cat", 12, "a"), choice],
            },
            {"id": 4, "completed_by": 1, "updated_at": "2025-12-01", "result": [_box("dog", 50, "b")]},
        ],
        "predictions": [{"id": 9, "model_version": "v1", "result": [_box("cat", 11, "p")]}],
    }
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps([task]))
    result = read_labelstudio(path, annotator_versions="each")
    project = result.project
    (image,) = project.images.values()
    assert versions_side_by_side(project) == {image.id: ["eve@lab.org", "user2", "user1"]}
    assert _who(project) == {"a.png": ["eve@lab.org", "user1"]}  # user1's older dog and prediction 9 not in
    assert [c.name for c in project.categories.values() if c.name == "dog"] == []
    assert any("annotation 4 not imported: an older version of user1's" in p for p in result.problems)
    assert image.extra["pixelproof"]["labelstudio"]["results"] == [choice]  # the most recent's choices


def test_convert_then_agreement_scores_the_annotators(tmp_path: Path, capsys) -> None:
    export = _fixture(tmp_path)
    out = tmp_path / "project.json"
    assert main(["convert", str(export), str(out), "--from", "labelstudio", "--to", "coco",
                 "--annotator-versions", "each"]) == 0  # fmt: skip
    assert list(versions_side_by_side(load_project(out)).values()) == [["user1", "user2"]]
    capsys.readouterr()
    assert main(["convert", str(out), str(tmp_path / "yolo"), "--to", "yolo"]) in (0, 3)  # one version each
    assert f"{out}: 1 image holds several annotators' versions side by side" in capsys.readouterr().err
    assert main(["agreement", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "raters: user1, user2" in printed and "user1 / user2" in printed


def test_versions_side_by_side_go_back_as_one_annotation_each(tmp_path: Path, capsys) -> None:
    """Written back to Label Studio, each annotator's version is an annotation of the task, as Label Studio
    holds them; before, every version's regions were one annotation, each object there once per annotator."""
    export = _fixture(tmp_path)
    project = tmp_path / "project.json"
    assert main(["convert", str(export), str(project), "--from", "labelstudio", "--to", "coco",
                 "--annotator-versions", "each"]) == 0  # fmt: skip
    capsys.readouterr()
    out = tmp_path / "out"
    assert main(["convert", str(project), str(out), "--from", "coco", "--to", "labelstudio"]) == 0
    err = capsys.readouterr().err
    assert "1 image holding annotators' versions side by side written with one annotation each" in err
    assert "every version there is written" not in err
    tasks = json.loads((out / "tasks.json").read_text())
    theirs = json.loads(export.read_text())
    for ours, task in zip(tasks, theirs, strict=True):
        got = sorted(sorted(r["value"]["x"] for r in a["result"]) for a in ours["annotations"])
        want = sorted(sorted(r["value"]["x"] for r in a["result"]) for a in task["annotations"])
        assert len(got) == len(want)
        assert all(np.allclose(g, w) for g, w in zip(got, want, strict=True))


def test_annotations_left_out_are_said_a_few_then_counted(tmp_path: Path, capsys) -> None:
    """An export of many tasks, each with a cancelled annotation beside the one kept, printed a line per
    annotation left out (120,000 lines for a large export): the first few are said, then one line counts
    the rest, naming the file; every one is still counted as skipped."""
    from PIL import Image

    Image.new("RGB", (40, 30)).save(tmp_path / "a.png")
    value = {"x": 10, "y": 10, "width": 20, "height": 20, "rectanglelabels": ["cat"]}
    box = {"type": "rectanglelabels", "original_width": 40, "original_height": 30, "value": value}
    kept, cancelled = {"result": [box]}, {"result": [], "was_cancelled": True}
    tasks = [
        {
            "id": k,
            "data": {"image": "a.png"},
            "annotations": [{"id": 2 * k, **kept}, {"id": 2 * k + 1, **cancelled}],
            "predictions": [{"result": [box]}],
        }
        for k in range(40)
    ]
    export = tmp_path / "export.json"
    export.write_text(json.dumps(tasks))
    result = read_labelstudio(export, import_predictions="unannotated")
    cancelled = [p for p in result.problems if "not imported: cancelled" in p]
    assert len(cancelled) == 5 and f"... and 35 more annotations not imported in {export}" in result.problems
    predictions = [p for p in result.problems if "not imported (the task is annotated)" in p]
    assert len(predictions) == 5 and any(
        p.startswith("... and 35 more annotated tasks' predictions") for p in result.problems
    )
    assert result.skipped["annotations"] == 40 and result.skipped["predictions"] == 40
    assert len(result.project.annotations) == 40
    out = tmp_path / "out.json"
    main(
        [
            "convert",
            str(export),
            str(out),
            "--from",
            "labelstudio",
            "--to",
            "coco",
            "--import-predictions",
            "unannotated",
        ]
    )
    err = capsys.readouterr().err
    assert err.count("not imported: cancelled") == 5 and "35 more annotations not imported" in err


def _crowded_task_project(tmp_path: Path, capsys) -> Path:  # type: ignore[no-untyped-def]
    """A project of two Label Studio tasks imported with each annotator's version: a.png by 4, b.png by 2."""
    from PIL import Image

    for name in ("a.png", "b.png"):
        Image.new("RGB", (200, 100)).save(tmp_path / name)
    tasks = [
        {
            "id": t,
            "data": {"image": name},
            "annotations": [
                {"id": 10 * t + k, "completed_by": k, "result": [_box("cat", 10 + k, f"r{k}")]}
                for k in range(n)
            ],
        }
        for t, (name, n) in enumerate([("a.png", 4), ("b.png", 2)])
    ]
    export = tmp_path / "tasks.json"
    export.write_text(json.dumps(tasks))
    out = tmp_path / "project.json"
    assert main(["convert", str(export), str(out), "--from", "labelstudio", "--to", "coco",
                 "--annotator-versions", "each"]) == 0  # fmt: skip
    capsys.readouterr()
    return out


def test_a_task_of_more_annotators_than_agreement_compares_is_skipped_by_name(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """A task 10,000 annotators labelled: agreement compares every two versions (50 million pairs) and ran
    for hours; 300 took minutes. An image of more than ``MAX_IMAGE_RATERS`` versions is left out, said with
    its count, and the others are scored."""
    from pixelproof.core import agreement

    monkeypatch.setattr(agreement, "MAX_IMAGE_RATERS", 3)
    out = _crowded_task_project(tmp_path, capsys)
    assert main(["agreement", str(out)]) == 0
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert (
        "a.png: 4 annotators' versions; agreement compares every two, at most 3 an image; image skipped"
        in (said)
    )
    assert "1 overlap image" in said and "user0 / user1" in said  # b.png still scored


def test_annotator_names_from_odd_completed_by_and_a_cancelled_flag_written_as_text() -> None:
    """A name given as text is a name (it became 'useruser1'), a 10 KB one is cut for the raters line, and
    ``was_cancelled: "false"`` from a script's export is no cancelled task (it was left out as one)."""
    from pixelproof.interop.labelstudio_annotators import NAME_CHARS, annotator_name, pick_annotations

    assert annotator_name({"completed_by": 7}) == "user7"
    assert annotator_name({"completed_by": " 12 "}) == "user12"
    assert annotator_name({"completed_by": "user1"}) == "user1"
    assert annotator_name({"completed_by": {"id": 3, "email": "a@b.org"}}) == "a@b.org"
    long = annotator_name({"completed_by": "x" * 10_000})
    assert long is not None and len(long) == NAME_CHARS and long.endswith("…")
    kept, others = pick_annotations(
        [
            {"id": 1, "completed_by": 1, "was_cancelled": "false", "result": []},
            {"id": 2, "completed_by": 2, "was_cancelled": "true", "result": []},
            {"id": 3, "completed_by": 3, "was_cancelled": True, "result": []},
        ],
        each=True,
    )
    assert [a["id"] for a, _ in kept] == [1]
    assert sorted(a["id"] for a, _ in others) == [2, 3]


def test_a_task_of_more_annotators_than_consensus_works_out_is_skipped_by_name(
    tmp_path: Path, capsys, monkeypatch
) -> None:
    """Consensus of a task 10,000 annotators labelled ran for minutes (300 took 19 s): an image of more than
    ``MAX_IMAGE_RATERS`` versions is left out, said with its count, and the others get their consensus."""
    from pixelproof.core import consensus

    monkeypatch.setattr(consensus, "MAX_IMAGE_RATERS", 3)
    out = _crowded_task_project(tmp_path, capsys)
    assert main(["consensus", str(out)]) == 0
    captured = capsys.readouterr()
    said = captured.out + captured.err
    assert "a.png: 4 annotators' versions, more than the 3 an image is worked out with; skipped" in said
    assert "on 1 image" in said  # b.png still worked out


def test_the_most_recent_annotators_choice_goes_back_in_their_annotation_not_one_of_its_own(
    tmp_path: Path,
) -> None:
    """Task 1 annotated by users 2 and 1, user 1's (the most recent) with a choice: written back, the task
    has two annotations again, the choice in user 1's with their boxes. Before, the choice was a third
    annotation of its own, which Label Studio shows as one more annotator who drew nothing."""
    export = _fixture(tmp_path)
    tasks = json.loads(export.read_text())
    choice = {"type": "choices", "from_name": "weather", "to_name": "image", "value": {"choices": ["Rainy"]}}
    tasks[0]["annotations"][1]["result"].append(choice)
    export.write_text(json.dumps(tasks))
    project = tmp_path / "project.json"
    assert main(["convert", str(export), str(project), "--from", "labelstudio", "--to", "coco",
                 "--annotator-versions", "each"]) == 0  # fmt: skip
    out = tmp_path / "out"
    assert main(["convert", str(project), str(out), "--from", "coco", "--to", "labelstudio"]) == 0
    written = json.loads((out / "tasks.json").read_text())[0]["annotations"]
    assert len(written) == 2
    with_choice = [a for a in written if any(r["type"] == "choices" for r in a["result"])]
    assert len(with_choice) == 1
    boxes = sorted(r["value"]["x"] for r in with_choice[0]["result"] if r["type"] == "rectanglelabels")
    user1 = sorted(r["value"]["x"] for r in tasks[0]["annotations"][1]["result"] if "x" in r["value"])
    assert np.allclose(boxes, user1)


def test_the_annotation_marked_ground_truth_is_the_one_kept_by_default(tmp_path: Path) -> None:
    """A reviewer marked task 1's older annotation (1, user 2) as Label Studio's ground truth: that one
    comes in, the newer one is named as left out. Before, the most recent always won, so the import kept
    the version the reviewer had not chosen."""
    export = _fixture(tmp_path)
    tasks = json.loads(export.read_text())
    tasks[0]["annotations"][0]["ground_truth"] = True
    export.write_text(json.dumps(tasks))
    result = read_labelstudio(export)
    image = next(im for im in result.project.images.values() if im.file_name == "image1")
    got = sorted(a.bbox[0] for a in result.project.annotations_of(image.id))
    pct = sorted(r["value"]["x"] for r in tasks[0]["annotations"][0]["result"])
    assert np.allclose(got, [x * image.width / 100 for x in pct])
    (line,) = [p for p in result.problems if "annotation 2 not imported" in p]
    assert "PixelProof keeps one, the ground truth (1)" in line


def test_the_versions_warning_names_label_studio_and_the_consensus_steps(tmp_path: Path, capsys) -> None:
    """Importing with --annotator-versions each warned 'a merged project before its consensus is accepted;
    ... accept a consensus first': no merge was made, and it did not say how. It now names where the
    versions came from and the two consensus steps."""
    export = _fixture(tmp_path)
    out = tmp_path / "project.json"
    assert main(["convert", str(export), str(out), "--from", "labelstudio", "--to", "coco",
                 "--annotator-versions", "each"]) == 0  # fmt: skip
    (line,) = [x for x in capsys.readouterr().err.splitlines() if "side by side" in x]
    assert (
        "1 image holds several annotators' versions side by side (each annotator's version from Label "
        "Studio, no consensus accepted yet); every version there is written (to write one version an image, "
        "work out its consensus and accept it first: pixelproof consensus PROJECT, then pixelproof consensus "
        "PROJECT --accept)"
    ) in line, line
    assert "merged" not in line
