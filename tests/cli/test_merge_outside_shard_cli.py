"""What `pixelproof merge` says of an image labelled outside its shard, and of an image edited in two
shards: conflicts, never counted among the split's overlap images."""

from __future__ import annotations

import json
from pathlib import Path

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import ImageRecord
from pixelproof.core.split import subset
from tests.core.teams_data import box_annotation, make_project


def test_merge_counts_the_splits_overlap_images_and_names_an_outsiders_edit(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project = make_project(tmp_path, 20)
    save_project(project)
    shards = tmp_path / "shards"
    assert (
        main(["split", str(project.path), "--annotators", "ann,bob", "--overlap", "0.2", "-o", str(shards)])
        == 0
    )
    overlap = json.loads((shards / "lead-manifest.json").read_text())["overlap"]
    ann, bob = load_project(shards / "ann.json"), load_project(shards / "bob.json")
    theirs = next(im for im in ann.images.values() if im.file_name not in overlap)
    bob.add_image(ImageRecord(bob.next_image_id(), theirs.file_name, theirs.width, theirs.height))
    bob.add_annotation(box_annotation(bob.next_annotation_id(), max(bob.images), 1, [3, 3, 7, 7]))
    save_project(bob)
    capsys.readouterr()
    out, report = tmp_path / "merged.json", tmp_path / "report.json"
    code = main(
        ["merge", str(shards / "ann.json"), str(shards / "bob.json"), "-o", str(out), "--report", str(report)]
    )
    err = capsys.readouterr().err
    assert code == 3
    assert f"conflict [edited_outside_shard] {theirs.file_name}: edited in bob's shard" in err
    text = json.loads(report.read_text())
    assert text["stats"]["overlap_images"] == len(overlap) == 4
    assert [d["shard"] for d in text["left_out_objects"]] == ["bob"]


def test_merge_summary_says_an_image_edited_in_two_shards_apart_from_overlap_images(
    tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    base = make_project(tmp_path, 6)
    save_project(base)
    one, two = subset(base, [1, 2, 3]), subset(base, [3, 4, 5, 6])
    one.app["shard"], two.app["shard"] = {"annotator": "ann"}, {"annotator": "bob"}
    one.add_annotation(box_annotation(100, 3, 1, [1, 1, 5, 5]))
    two.add_annotation(box_annotation(200, 3, 2, [30, 30, 5, 5]))
    save_project(one, tmp_path / "ann.json")
    save_project(two, tmp_path / "bob.json")
    capsys.readouterr()
    code = main(
        ["merge", str(tmp_path / "ann.json"), str(tmp_path / "bob.json"), "--into", str(base.path),
         "-o", str(tmp_path / "merged.json"), "--report", str(tmp_path / "r.json")]
    )  # fmt: skip
    assert code == 3
    printed = capsys.readouterr().out
    assert (
        "0 overlap images kept side by side, 1 image edited in two shards (not an overlap image) kept side "
        "by side, a conflict, 0 honeypots left out, 1 conflict"
    ) in printed
