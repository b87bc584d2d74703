"""``pixelproof agreement --manifest`` of a split made without honeypots (the manifest lists none)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from tests.core.teams_data import make_project, mask_annotation


def test_agreement_with_the_manifest_of_a_split_without_honeypots(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The manifest is also how the figures leave honeypots out; a split without --honeypots has none to
    score, so there are no scorecards to make (the command failed after comparing everything: "honeypot
    scorecards need the reference project", exit 1, no report)."""
    project = make_project(tmp_path, 10)
    save_project(project)
    out = tmp_path / "shards"
    assert (
        main(["split", str(project.path), "--annotators", "ann,bob", "--overlap", "0.3", "-o", str(out)]) == 0
    )
    lead = out / "lead-manifest.json"
    manifest = json.loads(lead.read_text())
    assert manifest["honeypots"]["images"] == [] and manifest["overlap"]
    for who, shift in (("ann", 0), ("bob", 2)):
        shard = load_project(out / f"{who}.json")
        for im in shard.images.values():
            m = np.zeros((im.height, im.width), bool)
            m[10:30, 10 + shift : 40 + shift] = True
            shard.add_annotation(mask_annotation(shard.next_annotation_id(), im.id, 1, m))
        save_project(shard)
    shards = [str(out / "ann.json"), str(out / "bob.json")]
    with_manifest, without = tmp_path / "a.json", tmp_path / "b.json"
    capsys.readouterr()
    assert main(["agreement", *shards, "--manifest", str(lead), "--json", str(with_manifest)]) == 0, (
        capsys.readouterr().err
    )
    assert main(["agreement", *shards, "--json", str(without)]) == 0
    a, b = json.loads(with_manifest.read_text()), json.loads(without.read_text())
    assert a["images"] == len(manifest["overlap"]) and a["summary"] == b["summary"]
    assert not a.get("honeypots")
