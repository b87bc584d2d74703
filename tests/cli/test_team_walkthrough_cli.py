"""A QA lead's walk through the team workflow on the command line (split, merge --into --manifest,
agreement, consensus, qa), as README's "Working as a team" gives it: what each command prints."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.split import copy_annotation, image_key
from tests.core.teams_data import make_project, mask_annotation


def _team(tmp_path: Path) -> tuple[Path, Path, Path, dict]:
    """project.json (10 images to label, empty), gold.json (the same images labelled), shards/ from
    `split --honeypots gold.json`, ann's and bob's labelled as the gold has it, bob's objects on the
    overlap images moved 3 px; and the manifest."""
    gold = make_project(tmp_path, 10, name="gold.json")
    save_project(gold)
    base = make_project(tmp_path, 10)
    for a in list(base.annotations):
        base.remove_annotation(a)
    save_project(base)
    out = tmp_path / "shards"
    assert main(["split", str(base.path), "--annotators", "ann,bob", "--overlap", "0.5", "--honeypots",
                 str(gold.path), "--honeypot-fraction", "0.1", "-o", str(out)]) == 0  # fmt: skip
    manifest = json.loads((out / "lead-manifest.json").read_text())
    overlap = {str(tmp_path / n) for n in manifest["overlap"]}
    gold_of = {image_key(gold, im): im.id for im in gold.images.values()}
    for who in ("ann", "bob"):
        shard = load_project(out / f"{who}.json")
        for im in shard.images.values():
            for a in gold.annotations_of(gold_of[image_key(shard, im)]):
                b = copy_annotation(a, id=shard.next_annotation_id(), image_id=im.id)
                if who == "bob" and image_key(shard, im) in overlap:  # moved 3 px right
                    m = np.roll(a.mask(im.height, im.width), 3, axis=1)
                    b = mask_annotation(b.id, im.id, a.category_id, m)
                shard.add_annotation(b)
        save_project(shard)
    return base.path, gold.path, out, manifest  # type: ignore[return-value]


def test_agreement_prints_the_project_s_image_names_not_the_shard_s(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The shards sit in shards/, so they name an image ../images/img001.png; the merged project (and
    the lead) say images/img001.png. Before, agreement printed the shard's names."""
    _, _, out, manifest = _team(tmp_path)
    shards = [str(out / "ann.json"), str(out / "bob.json")]
    report = tmp_path / "agreement.json"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # with the manifest: named from the split project's folder, wherever run
    lead = str(out / "lead-manifest.json")
    assert main(["agreement", *shards, "--manifest", lead, "--json", str(report)]) == 0
    printed = capsys.readouterr().out
    assert "../images/" not in printed
    worst = [line.split()[0] for line in printed.splitlines() if "ann / bob        Dice" in line]
    assert sorted(worst) == sorted(manifest["overlap"])  # images/img00N.png, as the project names them
    assert sorted(
        r["file_name"] for r in json.loads(report.read_text())["per_image"] if r["category"]
    ) == sorted(n for n in manifest["overlap"] for _ in range(2))
    monkeypatch.chdir(tmp_path)  # without it: named from the current folder (the project's)
    assert main(["agreement", *shards]) == 0
    printed = capsys.readouterr().out
    assert sorted(
        line.split()[0] for line in printed.splitlines() if "ann / bob        Dice" in line
    ) == sorted(manifest["overlap"])


def test_consensus_says_each_count_once(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project, _, out, manifest = _team(tmp_path)
    merged = tmp_path / "merged.json"
    assert main(["merge", str(out / "ann.json"), str(out / "bob.json"), "--into", str(project), "--manifest",
                 str(out / "lead-manifest.json"), "-o", str(merged)]) == 0  # fmt: skip
    capsys.readouterr()
    assert main(["consensus", str(merged), "--method", "majority"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    n = len(manifest["overlap"])
    assert line.startswith(f"{merged}: {n * 2} pending consensus objects on {n} images (")
    said = line[len(str(merged)) :]
    assert "touched" not in said and said.count(str(n * 2)) == 1  # before: "...; 10 objects touched"
    assert main(["consensus", str(merged), "--accept"]) == 0
    # accepting: the images counted, the consensus objects accepted and the versions removed, each apart
    assert capsys.readouterr().out.splitlines()[0] == (
        f"{merged}: consensus accepted on {n} images; {n * 2} objects accepted, {n * 4} objects removed"
    )


def test_qa_of_the_merged_project_scores_what_the_team_agreed(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Against the gold: the overlap images by their consensus once worked out (no copy an extra object),
    the honeypot nobody labelled in the project left out, each said on stderr."""
    project, gold, out, manifest = _team(tmp_path)
    merged = tmp_path / "merged.json"
    assert main(["merge", str(out / "ann.json"), str(out / "bob.json"), "--into", str(project), "--manifest",
                 str(out / "lead-manifest.json"), "-o", str(merged)]) == 0  # fmt: skip
    assert main(["consensus", str(merged), "--method", "majority"]) == 0
    capsys.readouterr()
    report = tmp_path / "qa.json"
    assert main(["qa", str(gold), str(merged), "--json", str(report)]) == 0
    err = capsys.readouterr().err
    [honeypot] = manifest["honeypots"]["images"]
    assert f"{merged}: 1 image ({honeypot}) is a honeypot of the split" in err
    n = len(manifest["overlap"])
    assert f"{merged}: {n} images hold several annotators' versions side by side: their consensus" in err
    data = json.loads(report.read_text())
    assert data["options"]["versions"] == "agreed"
    assert honeypot not in {r["file_name"] for r in data["per_image"]}  # before: Dice 0, the worst image
    agreed = data["summary"]
    assert main(["qa", str(gold), str(merged), "--versions", "all", "--json", str(report)]) == 0
    every = json.loads(report.read_text())["summary"]
    assert every["fp"] - agreed["fp"] == n * 2 * 2  # every version and the consensus: 2 copies per object
    with pytest.raises(SystemExit):
        main(["qa", "--help"])
    assert "agreed|all" in capsys.readouterr().out
