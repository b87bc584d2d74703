"""agreement said nothing when two raters, or a rater and the reference, gave one image two pixel
spacings (0.8 mm in one shard, 0.5 mm in the other), as qa now does: the honeypot scorecards' HD95 took
the reference's without a word, and an overlap image went to merge with two spacings unsaid. The lines are
qa's (``spacing_warning``), with the raters' names, on stderr and in the report's problems."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.split import image_key
from tests.cli.test_teams_cli import _setup
from tests.core.teams_data import mask_annotation


def label(shard_path: Path, reference, shift: int, spacing: dict[str, list[float]]) -> None:
    """Label every image of a shard (the reference's objects on honeypots, a block elsewhere), shifted by
    ``shift`` px; give the images whose file name ends with a key of ``spacing`` that pixel spacing."""
    shard = load_project(shard_path)
    ref_by_key = {image_key(reference, im): im for im in reference.images.values()}
    for im in shard.images.values():
        gold = ref_by_key.get(image_key(shard, im))
        masks = [a.mask(im.height, im.width) for a in reference.annotations_of(gold.id)] if gold else []
        if not masks:
            m = np.zeros((im.height, im.width), bool)
            m[10:30, 10:40] = True
            masks = [m]
        for m in masks:
            shard.add_annotation(
                mask_annotation(shard.next_annotation_id(), im.id, 1, np.roll(m, shift, axis=1))
            )
        for end, sp in spacing.items():
            if im.file_name.endswith(end):
                im.extra["pixel_spacing"] = sp
    save_project(shard)


def test_agreement_names_two_spacings_of_one_image(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project, ref_path = _setup(tmp_path)
    out = tmp_path / "shards"
    assert main(["split", str(project), "--annotators", "ann,bob", "--overlap", "0.3", "--honeypots",
                 str(ref_path), "--honeypot-fraction", "0.2", "-o", str(out)]) == 0  # fmt: skip
    manifest = json.loads((out / "lead-manifest.json").read_text())
    overlap = sorted(Path(k).name for k in manifest["overlap"])
    honeypot = Path(manifest["honeypots"]["images"][0]).name
    differ, rounded = overlap[0], overlap[1]
    reference = load_project(ref_path)
    for im in reference.images.values():
        if im.file_name.endswith(honeypot):
            im.extra["pixel_spacing"] = [0.8, 0.8]
    save_project(reference)
    reference = load_project(ref_path)
    label(out / "ann.json", reference, 0, {differ: [0.8, 0.8], rounded: [0.5, 0.5], honeypot: [0.8, 0.8]})
    label(
        out / "bob.json",
        reference,
        2,
        {differ: [0.5, 0.5], rounded: [0.5000000074505806] * 2, honeypot: [0.5, 0.5]},
    )
    report = tmp_path / "agreement.json"
    capsys.readouterr()
    code = main(["agreement", str(out / "ann.json"), str(out / "bob.json"), "--manifest",
                 str(out / "lead-manifest.json"), "--json", str(report)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0, err
    problems = json.loads(report.read_text())["problems"]
    overlap_line = next(p for p in problems if p.startswith("pixel_spacing differs: ann"))
    assert overlap_line.startswith("pixel_spacing differs: ann [0.8, 0.8] mm, bob [0.5, 0.5] mm on 1 image (")
    assert differ in overlap_line and rounded not in " ".join(problems)  # float32 rounding is no disagreement
    card_line = next(p for p in problems if p.startswith("pixel_spacing differs: reference"))
    assert card_line.startswith(
        "pixel_spacing differs: reference [0.8, 0.8] mm, bob [0.5, 0.5] mm on 1 image ("
    )
    assert honeypot in card_line and "ann [" not in card_line  # ann gave the reference's spacing
    assert overlap_line in err and card_line in err


def test_agreement_says_a_spacing_only_an_annotator_gives_and_prints_hd95_with_its_unit(  # type: ignore[no-untyped-def]
    tmp_path: Path, capsys
) -> None:
    """The reference has no pixel_spacing; ann gives its honeypots one: ann's HD95 is in ann's mm, which
    qa says (``one_sided_warning``) and the scorecards did not. The printed HD95 had no unit (mm for ann,
    px for bob here); it now has."""
    project, ref_path = _setup(tmp_path)
    out = tmp_path / "shards"
    assert main(["split", str(project), "--annotators", "ann,bob", "--overlap", "0.3", "--honeypots",
                 str(ref_path), "--honeypot-fraction", "0.2", "-o", str(out)]) == 0  # fmt: skip
    manifest = json.loads((out / "lead-manifest.json").read_text())
    honeypots = sorted(Path(k).name for k in manifest["honeypots"]["images"])
    reference = load_project(ref_path)
    label(out / "ann.json", reference, 2, {name: [0.5, 0.5] for name in honeypots})
    label(out / "bob.json", reference, 2, {})
    capsys.readouterr()
    code = main(["agreement", str(out / "ann.json"), str(out / "bob.json"), "--manifest",
                 str(out / "lead-manifest.json"), "--json", str(tmp_path / "a.json")])  # fmt: skip
    printed = capsys.readouterr()
    assert code == 0, printed.err
    line = next(p for p in json.loads((tmp_path / "a.json").read_text())["problems"] if "only in" in p)
    n = len(honeypots)
    assert line.startswith(f"pixel_spacing only in the labels of ann on {n} image{'s' * (n > 1)} (")
    assert all(name in line for name in honeypots)
    assert line.endswith("; the honeypot distances use ann's") and line in printed.err
    cards = {c["annotator"]: c for c in json.loads((tmp_path / "a.json").read_text())["honeypots"]}
    assert (cards["ann"]["unit"], cards["bob"]["unit"]) == ("mm", "px")
    assert f"HD95 {cards['ann']['hd95']:.3f} mm," in printed.out
    assert f"HD95 {cards['bob']['hd95']:.3f} px," in printed.out
