"""``pixelproof agreement`` on shards ``pixelproof split`` made of LabelMe's own example data: a shard of
another split with the manifest."""

from __future__ import annotations

import json
from pathlib import Path

from pixelproof.cli import main
from pixelproof.core.coco import load_project
from tests.cli.test_teams_shards_cli import _split, project  # noqa: F401 (project: the fixture)


def test_agreement_refuses_a_shard_of_another_split_with_the_manifest(
    tmp_path: Path,
    project: Path,  # noqa: F811
    capsys,
) -> None:  # type: ignore[no-untyped-def]
    lead = _split(project, tmp_path / "shards", "--overlap", "0.5")
    other = _split(project, tmp_path / "shards7", "--overlap", "0.5", "--seed", "7")
    manifest = lead / "lead-manifest.json"
    ours = json.loads(manifest.read_text())["split"]
    theirs = load_project(other / "bob.json").app["shard"]["split"]
    assert ours != theirs
    out = tmp_path / "agreement.json"
    capsys.readouterr()
    code = main(["agreement", str(lead / "ann.json"), str(other / "bob.json"), "--manifest", str(manifest),
                 "--json", str(out)])  # fmt: skip
    # before: compared, bob's untouched copies of the manifest's overlap images counting as his ratings of
    # images that split never gave him (merge --manifest refuses the same shards)
    err = capsys.readouterr().err
    assert code == 1, err
    assert not out.exists()
    line = next(x for x in err.splitlines() if str(other / "bob.json") in x)
    assert theirs in line and ours in line and str(manifest) in line and "without a manifest" in line
    assert "Compare it with the manifest of its own split" in line  # agreement merges nothing
    # shards of the manifest's own split are still compared with it
    assert main(["agreement", str(lead / "ann.json"), str(lead / "bob.json"), "--manifest", str(manifest),
                 "--json", str(out)]) == 0  # fmt: skip
    assert json.loads(out.read_text())["images"] == len(json.loads(manifest.read_text())["overlap"])
