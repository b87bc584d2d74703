"""``pixelproof split`` run again into the same folder writes each shard over the earlier run's: its change
log entry follows the file's, as any save over a file does. Before, the rerun's entry had no parent, and
``pixelproof log`` marked the earlier split's entry, saved, as NOT COMMITTED."""

from __future__ import annotations

from pathlib import Path

from pixelproof.cli import main
from pixelproof.core import history
from pixelproof.core.coco import load_project, save_project
from tests.core.teams_data import make_project


def test_each_run_of_a_split_is_committed_and_the_rerun_follows_the_earlier(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project = make_project(tmp_path, 6)
    save_project(project)
    shards = tmp_path / "shards"
    for seed in ("0", "0", "7"):  # the same split again (an unfinished one finished), then another deal
        given = ["split", str(project.path), "--annotators", "ann,bob", "-o", str(shards), "--seed", seed]
        assert main(given) == 0
    for name in ("ann", "bob"):
        shard = load_project(shards / f"{name}.json")
        entries, problems = history.read_log(
            shard.path, shard.app["history"]["head"], shard.file_state.sha256.hex()
        )
        assert problems == []
        assert [(e["seq"], e["parent"], e["committed"]) for e in entries] == [
            (3, 2, True),
            (2, 1, True),
            (1, None, True),
        ]
    capsys.readouterr()
    assert main(["log", str(shards / "ann.json")]) == 0
    assert "NOT COMMITTED" not in capsys.readouterr().out
