"""``pixelproof predictions``: a pipeline decides a model's pending predictions in bulk without the app -
drop a COCO class the shelf project does not want, keep what scores above a cut, and a mask made from a
box takes the box's place (its id kept), as the Model panel's accept does."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pixelproof.cli import main
from pixelproof.core import masks
from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.edits.box_masks import FROM_BOX
from pixelproof.core.model import Annotation, ImageRecord

SRC = "model:yolo-onnx/yolo11n.onnx@8.4.190"


def make(tmp_path: Path) -> Path:
    p = new_project(["cup", "dining table"])
    p.add_image(ImageRecord(1, "shelf.jpg", 60, 40))
    p.add_image(ImageRecord(2, "shelf2.jpg", 60, 40))
    for aid, image, cat, score in [
        (1, 1, 1, 0.9),
        (2, 1, 1, 0.3),
        (3, 1, 2, 0.8),
        (4, 2, 2, 0.7),
        (5, 2, 1, 0.6),
    ]:
        p.add_annotation(
            Annotation(aid, image, cat, [1.0, 1.0, 10.0, 10.0], score=score, source=SRC, review="pending")
        )
    m = np.zeros((40, 60), bool)
    m[2:10, 2:10] = True
    p.add_annotation(
        Annotation(
            6, 1, 1, masks.bbox(m), segmentation=masks.encode(m), area=float(m.sum()), score=1.0,
            source="model:grabcut/builtin@1", review="pending", app_extra={FROM_BOX: 1},
        )
    )  # fmt: skip
    path = tmp_path / "shelf.json"
    save_project(p, path)
    return path


def reviews(path: Path) -> dict[int, tuple[str, str | None]]:
    return {a.id: (a.kind, a.review) for a in load_project(path).annotations.values()}


def test_reject_a_class_then_accept_above_a_score(tmp_path: Path, capsys) -> None:
    path = make(tmp_path)
    assert main(["predictions", str(path), "reject", "--category", "dining table"]) == 0
    assert (
        "2 predictions rejected (deleted) on 2 images; 4 predictions still pending in the project"
        in capsys.readouterr().out
    )
    assert set(reviews(path)) == {1, 2, 5, 6}
    assert main(["predictions", str(path), "accept", "--min-score", "0.5", "--images", "shelf.jpg"]) == 0
    out = capsys.readouterr().out
    assert (
        "2 predictions accepted on 1 image (1 mask made from boxes took the box's place, its id kept)" in out
    )
    # the mask replaced box 1 (same id), the 0.3 cup and the other image's cup stay pending
    assert reviews(path) == {1: ("mask", "accepted"), 2: ("box", "pending"), 5: ("box", "pending")}
    assert main(["predictions", str(path), "reject", "--below", "0.5", "-o", str(tmp_path / "out.json")]) == 0
    assert set(reviews(tmp_path / "out.json")) == {1, 5} and set(reviews(path)) == {1, 2, 5}
    assert main(["predictions", str(path), "accept", "--min-score", "0.95"]) == 0
    assert (
        "no pending prediction matches; nothing accepted; 2 predictions still pending in the project"
        in capsys.readouterr().out
    )


def test_a_category_the_project_lacks_is_refused_with_the_nearest_name(tmp_path: Path, capsys) -> None:
    path = make(tmp_path)
    before = path.read_bytes()
    assert main(["predictions", str(path), "reject", "--category", "dining tabel"]) == 2
    assert "no category 'dining tabel'; did you mean 'dining table'?" in capsys.readouterr().err
    assert main(["predictions", str(path), "accept", "--min-score", "60"]) == 2
    assert "--min-score 60.0: a score is between 0 and 1" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_the_project_is_named_as_typed_not_made_absolute(tmp_path: Path, capsys, monkeypatch) -> None:
    """README's `pixelproof predictions shelf.json reject ...` printed `/home/me/shelf.json: 2 predictions
    ...` where README (and prelabel, before it) says `shelf.json: ...`; set-split and taxonomy too."""
    make(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["predictions", "shelf.json", "reject", "--category", "dining table"]) == 0
    assert capsys.readouterr().out.startswith("shelf.json: 2 predictions rejected (deleted) on 2 images")
    assert main(["predictions", "shelf.json", "accept", "--min-score", "0.99", "-o", "out.json"]) == 0
    assert capsys.readouterr().out.startswith("out.json: 1 prediction accepted on 1 image")
    assert main(["set-split", "shelf.json", "val"]) == 0
    assert capsys.readouterr().out.startswith("shelf.json: 2 images set to val")
    assert main(["taxonomy", "rename", "shelf.json", "cup", "mug"]) == 0
    assert capsys.readouterr().out == "shelf.json: Rename class cup to mug\n"
    assert main(["taxonomy", "export", "shelf.json", "-o", "t.yaml"]) == 0
    assert main(["taxonomy", "apply", "t.yaml", "shelf.json", "-o", "b.json"]) == 0
    assert capsys.readouterr().out.endswith("b.json: Apply taxonomy; 0 categories added, 0 updated\n")
