"""``pixelproof consensus --ties pending|drop``: an object one of two annotators drew alone."""

from __future__ import annotations

from pathlib import Path

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.overlap_versions import CONSENSUS_TIE
from tests.core.test_consensus_ties import ALONE, BOTH, _merged


def _saved(tmp_path: Path) -> Path:
    project = _merged(tmp_path, [[BOTH, ALONE], [BOTH]])
    project.path = tmp_path / "merged.json"
    save_project(project)
    return project.path


def test_by_default_a_tie_is_proposed_and_accept_leaves_it_pending(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = _saved(tmp_path)
    assert main(["consensus", str(path), "--method", "majority"]) == 0
    out = capsys.readouterr().out
    assert "2 pending consensus objects on 1 image" in out
    assert "(1 tie among them, an object drawn by exactly half of the annotators;" in out
    assert "The tie stays pending until you decide: accept or reject it in the Review mode" in out
    assert "--decide-ties accept|reject; --accept does not decide it\n" in out
    assert main(["consensus", str(path), "--accept"]) == 0
    out = capsys.readouterr().out
    assert "consensus accepted on 1 image" in out
    assert "1 object drawn by half of the annotators (a tie) left pending" in out
    assert "deleted with the versions" not in out  # nothing the annotators drew is lost
    anns = sorted(load_project(path).annotations.values(), key=lambda a: a.bbox[0])
    assert [a.review for a in anns] == ["accepted", "pending"]
    assert anns[1].app_extra[CONSENSUS_TIE] == [1, 2] and anns[1].note == "drawn by 1 of 2 annotators"
    accepted = path.read_bytes()  # a second accept: only the tie waits, for a reviewer, not for --accept
    assert main(["consensus", str(path), "--accept"]) == 1
    assert "no consensus to accept" in capsys.readouterr().err and path.read_bytes() == accepted


def test_ties_drop_leaves_the_lone_object_out_and_accept_deletes_it(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = _saved(tmp_path)
    assert main(["consensus", str(path), "--ties", "drop"]) == 0
    assert "1 pending consensus object on 1 image" in capsys.readouterr().out
    assert main(["consensus", str(path), "--accept"]) == 0
    assert "1 object of the annotators no consensus object keeps" in capsys.readouterr().out
    assert [a.review for a in load_project(path).annotations.values()] == ["accepted"]


def test_an_unknown_ties_value_is_a_usage_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = _saved(tmp_path)
    before = path.read_bytes()
    try:
        code = main(["consensus", str(path), "--ties", "keep"])
    except SystemExit as e:
        code = e.code
    assert code == 2 and "--ties" in capsys.readouterr().err and path.read_bytes() == before


def test_decide_ties_accepts_or_rejects_every_pending_tie_at_once(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Ties were decided one by one in the Review mode only; --decide-ties decides them all, one edit."""
    path = _saved(tmp_path)
    assert main(["consensus", str(path), "--method", "majority"]) == 0
    capsys.readouterr()
    assert main(["consensus", str(path), "--decide-ties", "reject"]) == 0
    assert "1 tie object rejected" in capsys.readouterr().out
    ties = [a for a in load_project(path).annotations.values() if CONSENSUS_TIE in a.app_extra]
    assert [a.review for a in ties] == ["rejected"]
    assert main(["consensus", str(path), "--accept"]) == 0  # the rejected tie goes with the versions
    capsys.readouterr()
    assert [a.review for a in load_project(path).annotations.values()] == ["accepted"]
    decided = path.read_bytes()
    assert main(["consensus", str(path), "--decide-ties", "accept"]) == 1  # nothing left to decide
    assert "no pending object drawn by half" in capsys.readouterr().err and path.read_bytes() == decided


def test_decide_ties_accept_after_accept_makes_the_tie_a_label(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = _saved(tmp_path)
    assert main(["consensus", str(path)]) == 0
    assert main(["consensus", str(path), "--accept"]) == 0
    assert main(["consensus", str(path), "--decide-ties", "accept"]) == 0
    assert "1 tie object accepted" in capsys.readouterr().out
    assert [a.review for a in load_project(path).annotations.values()] == ["accepted", "accepted"]
    try:
        code = main(["consensus", str(path), "--accept", "--decide-ties", "accept"])
    except SystemExit as e:
        code = e.code
    assert code == 2  # one at a time
