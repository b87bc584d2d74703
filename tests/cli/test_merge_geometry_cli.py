"""`pixelproof merge` kept the base's pixel spacing (or the first shard's) without a word when a shard gave
an image another one (0.5 mm where the lead's project says 0.8 mm): the warning (qa's wording) is on
stderr and in --report's geometry_differs; the merged project keeps the base's spacing."""

from __future__ import annotations

import json
from pathlib import Path

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from tests.cli.test_teams_cli import _setup


def test_merge_says_which_spacing_it_kept_when_a_shard_gives_another(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project, _ = _setup(tmp_path)
    base = load_project(project)
    for im in base.images.values():
        im.extra["pixel_spacing"] = [0.8, 0.8]
    save_project(base)
    out = tmp_path / "shards"
    assert main(["split", str(project), "--annotators", "ann,bob", "--overlap", "0.2", "-o", str(out)]) == 0
    manifest = json.loads((out / "lead-manifest.json").read_text())
    shared = {Path(k).name for k in manifest["overlap"]}
    bob = load_project(out / "bob.json")
    mine = next(im for im in bob.images.values() if Path(im.file_name).name not in shared)
    mine.extra["pixel_spacing"] = [0.5, 0.5]
    save_project(bob)
    merged, report = tmp_path / "merged.json", tmp_path / "report.json"
    capsys.readouterr()
    shards = [str(out / "ann.json"), str(out / "bob.json")]
    code = main(["merge", *shards, "--into", str(project), "--manifest", str(out / "lead-manifest.json"),
                 "-o", str(merged), "--report", str(report)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0, err
    done = load_project(merged)
    name = next(
        im.file_name for im in done.images.values() if Path(im.file_name).name == Path(mine.file_name).name
    )
    assert done.image_by_file_name(name).extra["pixel_spacing"] == [0.8, 0.8]  # the base's
    line = (
        f"pixel_spacing differs: base [0.8, 0.8] mm, bob [0.5, 0.5] mm on 1 image ({name}); "
        "the merged project keeps the base's"
    )
    assert f"pixelproof: warning: {line}" in err.splitlines()
    rows = json.loads(report.read_text())["geometry_differs"]
    assert rows == [
        {"file_name": name, "key": "pixel_spacing", "kept": [0.8, 0.8], "kept_from": "base",
         "from_base": True, "shard": "bob", "value": [0.5, 0.5]}
    ]  # fmt: skip
