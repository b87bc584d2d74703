"""``pixelproof renumber``, ``split`` and ``merge`` on a project holding the record of the app's last
"Pre-label all" (``pixelproof.prelabel_run``): renumber takes it (it refused the key) with its ids
following their images; shards hold none; a merge into the base keeps the base's and says a shard's is
left out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.edits.prelabel_run import plan_run
from tests.core.teams_data import make_project

RUN = {"run": "r1", "inputs": {"--backend": "onnx", "--model": "sha256:aa"}}


def _saved(tmp_path: Path, images: list[int], done: list[int]) -> Path:
    p = make_project(tmp_path, 3)
    for old, new in ((1, 30), (2, 10), (3, 20)):
        im = p.images.pop(old)
        for a in p.annotations_of(old):
            a.image_id = new
        im.id = new
        p.images[new] = im
    p.app["prelabel_run"] = {**RUN, "images": images, "done": done}
    p.app["prelabel_only_existing"] = True
    save_project(p)
    return p.path  # type: ignore[return-value]


def test_renumber_takes_the_record_and_a_resume_runs_only_the_images_not_done(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _saved(tmp_path, [30, 10, 20], [30, 10])
    assert main(["validate", str(path)]) == 0
    assert main(["info", str(path)]) == 0
    new = tmp_path / "new.json"
    assert main(["renumber", str(path), "-o", str(new)]) == 0
    assert "not a key" not in capsys.readouterr().err
    data = json.loads(new.read_text())
    assert data["pixelproof"]["prelabel_run"] == {**RUN, "images": [1, 2, 3], "done": [1, 2]}
    assert data["pixelproof"]["prelabel_only_existing"] is True
    plan = plan_run(load_project(new), [1, 2, 3], dict(RUN["inputs"]), "t2")
    assert (plan.todo, plan.done) == ([3], 2)


def test_split_leaves_the_record_out_and_merge_into_the_base_keeps_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _saved(tmp_path, [30, 10, 20], [30])
    out = tmp_path / "shards"
    assert main(["split", str(path), "--annotators", "ann,bob", "-o", str(out)]) == 0
    for name in ("ann", "bob"):
        assert "prelabel_run" not in json.loads((out / f"{name}.json").read_text())["pixelproof"]
    ann = json.loads((out / "ann.json").read_text())
    ann["pixelproof"]["prelabel_run"] = {**RUN, "run": "in-shard", "images": [], "done": []}
    (out / "ann.json").write_text(json.dumps(ann))
    capsys.readouterr()
    merged = tmp_path / "merged.json"
    code = main(
        ["merge", str(out / "ann.json"), str(out / "bob.json"), "--into", str(path), "-o", str(merged)]
    )
    assert code == 0
    assert "the unfinished Pre-label all of 1 shard not carried" in capsys.readouterr().out
    record = json.loads(merged.read_text())["pixelproof"]["prelabel_run"]
    assert record == {**RUN, "images": [30, 10, 20], "done": [30]}
