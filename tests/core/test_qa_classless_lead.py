"""A tracker's results (all of one class, ``object``) scored against a multi-class reference: every pair
counts as wrong class and every class's Dice is 0. The run leads with one line saying so and which figures
to read (the tracking ones, class-agnostic), and names the per-class warnings it sums up."""

from __future__ import annotations

from pixelproof.core.model import Category, Project
from pixelproof.core.qa import run_qa
from tests.core.test_qa_tracks_report import CANDIDATE, REFERENCE, video


def two_classes() -> Project:
    """The reference's street with track 2 a person: two classes."""
    ref = video(REFERENCE)
    ref.categories[2] = Category(2, "person")
    for ann in ref.annotations.values():
        if ann.extra.get("track_id") == 2:
            ann.category_id = 2
    return ref


def classless() -> Project:
    cand = video(CANDIDATE)
    cand.categories[1] = Category(1, "object")
    return cand


def test_a_classless_candidate_against_two_classes_leads_with_the_tracking_figures() -> None:
    result = run_qa(two_classes(), classless())
    assert result.problems[0] == result.lead
    assert result.lead.startswith(
        "the candidate names no class of the reference: its 10 objects are all 'object', the reference's "
        "are car, person; each pair counts as wrong class, every class's Dice as 0."
    )
    assert result.lead.endswith("Read the tracking figures (class-agnostic): MOTA 0.375 · IDF1 0.556")
    assert [line.split(":")[0] for line in result.lead_covers] == [
        "category 'car' is not in the candidate",
        "category 'person' is not in the candidate",
        "category 'object' is not in the reference",
    ]
    assert all(line in result.problems for line in result.lead_covers)


def test_no_lead_when_a_class_is_shared_or_the_reference_has_one() -> None:
    assert run_qa(two_classes(), video(CANDIDATE)).lead is None  # its 'car' is the reference's
    assert run_qa(video(REFERENCE), classless()).lead is None  # one class: the per-class lines say it
