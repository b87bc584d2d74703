"""QA of a merged project whose overlap images still hold the annotators' versions side by side: every
version is scored, so the copies count as extra objects. The warning saying so was printed by ``pixelproof
qa`` alone; it is now one of the run's problems, so the review view's banner and the JSON report say it too
(a QA lead saw 4 extra objects on each overlap image in the review view with no word why). By default
QA now scores the consensus only (``qa_team``, tests/core/test_qa_team.py): without one yet, the image is
left out, said so; ``--versions all`` scores every version, as here."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.coco import save_project
from pixelproof.core.overlap_versions import ANNOTATOR_KEY
from pixelproof.core.qa import QAOptions, run_qa
from tests.core.test_qa_near_misses import _pits


def versions_project(tmp_path: Path) -> tuple:
    """The reference, saved, and a candidate whose image holds ann's and bob's versions side by side."""
    ref, cand = _pits()
    for n, a in enumerate(cand.annotations.values()):
        a.app_extra[ANNOTATOR_KEY] = "ann" if n % 2 else "bob"
    save_project(ref, tmp_path / "reference.json")
    return ref, cand


def test_the_run_says_every_version_is_scored(tmp_path: Path) -> None:
    ref, cand = versions_project(tmp_path)
    cand.path = tmp_path / "merged.json"
    notes = [p for p in run_qa(ref, cand, QAOptions(versions="all")).problems if "side by side" in p]
    assert notes == [
        f"{cand.path}: 1 image holds several annotators' versions side by side (a merged project before its "
        "consensus is accepted); every version there is scored (--versions all)"
    ]
    assert [p for p in run_qa(ref, cand).problems if "side by side" in p] == [
        f"{cand.path}: 1 image (a.png) holds several annotators' versions side by side and no consensus yet: "
        "not scored (pixelproof consensus on it gives what the team agreed; --versions all scores every "
        "version)"
    ]


def test_an_unsaved_side_is_named_by_its_role_and_none_without_versions(tmp_path: Path) -> None:
    ref, cand = versions_project(tmp_path)
    ref.path = None
    assert next(p for p in run_qa(ref, cand).problems if "side by side" in p).startswith(
        "the candidate: 1 image"
    )
    assert not [p for p in run_qa(cand, ref).problems if "the candidate" in p]  # the reference is the one
    assert next(p for p in run_qa(cand, ref).problems if "side by side" in p).startswith(
        "the reference: 1 image"
    )
    plain, _ = _pits()
    assert not [p for p in run_qa(ref, plain).problems if "side by side" in p]
