"""QA of a team's merged project (split -> label -> merge --into --manifest -> consensus), as a QA lead
walks it: each defect counts once, and the honeypots nobody labels in the project are no Dice 0.

Before, QA scored every annotator's version of an overlap image and the pending consensus objects too (an
image showed 1 match and 4 extra objects), and a honeypot image of the project, empty and To do there,
topped the worst list at Dice 0 against the reference it came from."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.consensus import accept_consensus, consensus_edit
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import Project
from pixelproof.core.overlap_versions import HONEYPOT_KEY, is_consensus, versions_side_by_side
from pixelproof.core.qa import QAOptions, run_qa
from pixelproof.core.split import copy_annotation, image_key, split_project
from tests.core.teams_data import box_annotation, make_project

OWN, OVER = 3, 4  # images one annotator labelled, overlap images (both did)


def team_round(tmp_path: Path) -> tuple[Project, Project, dict, list[str]]:
    """The gold reference, the project merged from ann's and bob's shards (both label every image as the
    gold has it, but for one object both miss on each overlap image), the manifest, and the file names of
    the overlap images. The project to label is the gold's 8 images, empty; 1 of them is a honeypot."""
    gold = make_project(tmp_path, 8, name="gold.json")
    save_project(gold)
    base = make_project(tmp_path, 8)
    for a in list(base.annotations):
        base.remove_annotation(a)
    save_project(base)
    split = split_project(base, ["ann", "bob"], overlap=0.5, seed=1, honeypots=gold, honeypot_fraction=0.1)
    assert len(split.honeypots) == 1 and len(split.overlap) == OVER
    (tmp_path / "shards").mkdir()
    shards = []
    for name, shard in split.shards.items():
        path = save_project(shard, tmp_path / "shards" / f"{name}.json")
        shard = load_project(path)
        gold_of = {image_key(gold, im): im.id for im in gold.images.values()}
        for im in shard.images.values():
            objects = gold.annotations_of(gold_of[image_key(shard, im)])
            if im.file_name.split("/")[-1] in {n.split("/")[-1] for n in split.overlap}:
                objects = objects[:1]  # both miss the second object: one defect
            for a in objects:
                shard.add_annotation(copy_annotation(a, id=shard.next_annotation_id(), image_id=im.id))
        save_project(shard)
        shards.append(Shard.of(shard, name))
    merged = merge_shards(shards, base=base, manifest=split.manifest).project
    merged.path = tmp_path / "merged.json"
    return gold, merged, split.manifest, sorted(split.overlap)


def _counts(result: object) -> tuple[int, int, int]:
    s = result.summary()  # type: ignore[attr-defined]
    return s["tp"], s["fp"], s["fn"]


def test_the_consensus_is_scored_on_overlap_images_so_a_defect_counts_once(tmp_path: Path) -> None:
    gold, merged, _, _ = team_round(tmp_path)
    assert len([i for i, who in versions_side_by_side(merged).items() if len(who) > 1]) == OVER
    edit, _ = consensus_edit(merged, "majority")
    edit.apply(merged)
    agreed = run_qa(gold, merged)
    # images of one annotator (2 objects each), overlap images (1 of 2 objects agreed): the one defect per
    # overlap image is one miss, and no copy is an extra object (before: 2 versions + consensus = 2 extra)
    assert _counts(agreed) == (OWN * 2 + OVER, 0, OVER)
    assert (
        f"{merged.path}: {OVER} images hold several annotators' versions side by side: their consensus "
        f"objects scored, the {OVER * 2} objects of the annotators' versions left out (--versions all scores "
        "every version)"
    ) in agreed.problems
    every = run_qa(gold, merged, QAOptions(versions="all"))
    assert _counts(every) == (OWN * 2 + OVER, OVER * 2, OVER)
    assert any("every version there is scored (--versions all)" in p for p in every.problems)
    # accepted: no versions are left, nothing to leave out, the same figures
    accept_consensus(merged).apply(merged)
    accepted = run_qa(gold, merged)
    assert _counts(accepted) == _counts(agreed)
    assert not any("side by side" in p for p in accepted.problems)


def test_an_overlap_image_without_a_consensus_yet_is_left_out_and_named(tmp_path: Path) -> None:
    gold, merged, _, overlap = team_round(tmp_path)
    result = run_qa(gold, merged)
    assert _counts(result) == (OWN * 2, 0, 0)  # the images of one annotator only
    names = ", ".join(
        merged.images[i].file_name for i in merged.images if merged.images[i].file_name in overlap
    )
    assert (
        f"{merged.path}: {OVER} images ({names}) hold several annotators' versions side by side and no "
        "consensus yet: not scored (pixelproof consensus on it gives what the team agreed; --versions all "
        "scores every version)"
    ) in result.problems
    assert {r.file_name for r in result.per_image}.isdisjoint(overlap)


def test_a_rejected_consensus_object_is_no_agreement(tmp_path: Path) -> None:
    gold, merged, _, _ = team_round(tmp_path)
    edit, _ = consensus_edit(merged, "majority")
    edit.apply(merged)
    one = next(a for a in merged.annotations.values() if is_consensus(a))
    one.review = "rejected"
    assert _counts(run_qa(gold, merged)) == (OWN * 2 + OVER - 1, 0, OVER + 1)


def test_the_honeypot_nobody_labels_in_the_project_is_left_out_and_said(tmp_path: Path) -> None:
    gold, merged, manifest, _ = team_round(tmp_path)
    [honeypot] = manifest["honeypots"]["images"]
    [image] = [im for im in merged.images.values() if im.file_name == honeypot]
    assert merged.app[HONEYPOT_KEY] == {str(image.id): manifest["split"]}
    assert not merged.annotations_of(image.id) and merged.image_status(image.id) != "done"
    result = run_qa(gold, merged)
    assert honeypot not in {r.file_name for r in result.per_image}  # before: the worst image, Dice 0
    assert (
        f"{merged.path}: 1 image ({honeypot}) is a honeypot of the split, labelled by every annotator in "
        "their shard and by no one in this project: not scored (agreement --manifest scores the annotators "
        "on them)"
    ) in result.problems
    # saved and read again, the mark stays; once the lead labels the image here, it is scored
    merged = load_project(save_project(merged))
    merged.add_annotation(box_annotation(merged.next_annotation_id(), image.id, 1, [1, 1, 5, 5]))
    assert honeypot in {r.file_name for r in run_qa(gold, merged).per_image}
