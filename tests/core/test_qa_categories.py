"""QA pairs categories by name: a reference spelling a class with other case or spaces ("Coin", "cat ",
"Motor cycle") is paired with the candidate's class and says so; a class one side lacks is named."""

from __future__ import annotations

import json

from pixelproof.core.coco import load_project
from pixelproof.core.demo import install_demo
from pixelproof.core.qa import QAOptions, run_qa
from pixelproof.interop.references import load_reference
from tests.core.test_qa import disc, make_project


def test_demo_reference_with_classes_spelt_otherwise_scores_as_the_exact_one(tmp_path) -> None:
    project_file = install_demo(tmp_path / "demo")
    candidate = load_project(project_file)
    exact = run_qa(load_reference(project_file.parent / "reference.json", candidate), candidate)
    data = json.loads((project_file.parent / "reference.json").read_text())
    respelt = {"coin": "Coin", "cat": "cat ", "motorcycle": "Motor cycle", "person": "PERSON"}
    for c in data["categories"]:
        c["name"] = respelt.get(c["name"], c["name"])
    other = tmp_path / "respelt.json"
    other.write_text(json.dumps(data))
    candidate = load_project(project_file)
    reference = load_reference(other, candidate)
    result = run_qa(reference, candidate)
    assert result.categories == exact.categories
    assert [c["dice"] for c in result.per_class()] == [c["dice"] for c in exact.per_class()]
    assert result.summary()["tp"] == exact.summary()["tp"]
    for name, spelt in respelt.items():
        assert any(repr(spelt) in p and repr(name) in p for p in result.problems), (name, result.problems)


def test_ambiguous_spellings_are_not_paired_but_named() -> None:
    ref = make_project([("a.png", "Cat", disc(20, 20, 8))], cats=("Cat", "dog"))
    cand = make_project(
        [("a.png", "cat", disc(20, 20, 8)), ("a.png", "CAT", disc(40, 60, 8))], cats=("cat", "CAT", "dog")
    )
    result = run_qa(ref, cand)
    assert "Cat" in result.categories and "cat" in result.categories
    assert any("'Cat'" in p and "'cat'" in p and "'CAT'" in p for p in result.problems), result.problems


def test_a_class_missing_from_one_side_is_named_with_what_it_counts_as() -> None:
    ref = make_project(
        [("a.png", "cat", disc(20, 20, 8)), ("a.png", "bird", disc(40, 60, 6))], cats=("cat", "bird")
    )
    cand = make_project(
        [("a.png", "cat", disc(20, 20, 8)), ("a.png", "dog", disc(40, 20, 6))], cats=("cat", "dog")
    )
    result = run_qa(ref, cand)
    dog = next(p for p in result.problems if "'dog'" in p)
    assert "not in the reference" in dog and "extra" in dog
    bird = next(p for p in result.problems if "'bird'" in p)
    assert "not in the candidate" in bird and "missed" in bird
    assert not any("'cat'" in p for p in result.problems)


def test_exact_names_leave_no_note() -> None:
    ref = make_project([("a.png", "cat", disc(20, 20, 8))])
    assert run_qa(ref, ref).problems == []


def _honeypot_cards(reference, labelled):
    from pixelproof.core.scorecards import honeypot_scorecards

    return {
        c["annotator"]: c
        for c in honeypot_scorecards(labelled, reference, {"honeypots": {"images": ["a.png"]}})
    }


def test_scoring_leaves_the_reference_as_it_was_so_a_scorecard_does_not_depend_on_who_went_first() -> None:
    """run_qa renamed the reference's categories in place: the honeypot scorecards score every annotator
    against one reference, so after ann's 'cat' had respelt the reference's 'Cat', bob's own 'Cat'
    objects no longer found the reference's and his card changed with the order of the annotators."""
    ref = make_project([("a.png", "Cat", disc(20, 20, 8))], cats=("Cat", "dog"))
    ann = make_project([("a.png", "cat", disc(20, 20, 8))], cats=("cat", "dog"))
    bob = make_project(
        [("a.png", "Cat", disc(20, 20, 8)), ("a.png", "cat", disc(40, 60, 8))], cats=("Cat", "cat", "dog")
    )
    names = [c.name for c in ref.categories.values()]
    result = run_qa(ref, ann)
    assert [c.name for c in ref.categories.values()] == names  # the caller's project is not renamed
    assert result.reference is not None and "cat" in {
        c.name for c in result.reference.project.categories.values()
    }
    alone = _honeypot_cards(ref, [("bob", bob)])["bob"]
    after_ann = _honeypot_cards(ref, [("ann", ann), ("bob", bob)])
    assert after_ann["bob"] == alone
    assert after_ann["ann"]["dice"] == 1.0 and alone["recall"] == 1.0  # bob's Cat found the reference's


def test_honeypot_warnings_say_what_qa_does_with_a_respelt_class() -> None:
    """near_names said 'scored as different classes' of 'Person ' and 'person', which QA pairs (Dice 1 on
    the scorecard), and said nothing of 'Motor_cycle' and 'motorcycle', which QA pairs too."""
    from pixelproof.core.scorecards import near_names

    ref = make_project(
        [("a.png", "Person ", disc(20, 20, 8)), ("a.png", "Motor_cycle", disc(40, 60, 8))],
        cats=("Person ", "Motor_cycle", "Cat", "cat"),
    )
    ann = make_project(
        [("a.png", "person", disc(20, 20, 8)), ("a.png", "motorcycle", disc(40, 60, 8))],
        cats=("person", "motorcycle", "CAT"),
    )
    assert _honeypot_cards(ref, [("ann", ann)])["ann"]["dice"] == 1.0  # QA pairs them
    lines = near_names(ref, [("ann", ann)])
    for r, c in (("Person ", "person"), ("Motor_cycle", "motorcycle")):
        (line,) = [x for x in lines if repr(r) in x and repr(c) in x]
        assert "scored as the same class" in line and "different classes" not in line
    (cat,) = [x for x in lines if "'CAT'" in x]  # two reference spellings: QA cannot pair them
    assert "'Cat'" in cat and "'cat'" in cat and "different classes" in cat


def test_the_reference_as_scored_draws_a_respelt_class_as_the_candidates(tmp_path) -> None:
    """The difference image (the review panes, the HTML report's overlays) of a respelt class drawn
    with the reference as scored agrees; drawn with the file as read, every object is a wrong class."""
    from pixelproof.core import qa_difference
    from pixelproof.core.references import Reference

    ref = make_project([("a.png", "Cat ", disc(20, 20, 8))], cats=("Cat ", "dog"))
    cand = make_project([("a.png", "cat", disc(20, 20, 8))], cats=("cat", "dog"))
    result = run_qa(ref, cand)
    (pair,) = result.pairs
    scored = qa_difference.difference_image(pair, result.reference, cand)
    as_read = qa_difference.difference_image(pair, Reference(project=ref), cand)
    assert (scored == qa_difference.DIFF_WRONG_CLASS).sum() == 0 and (
        scored == qa_difference.DIFF_AGREE
    ).any()
    assert (as_read == qa_difference.DIFF_WRONG_CLASS).any()  # what the view and report drew otherwise


def test_a_respelling_beside_the_exact_name_is_named_not_paired() -> None:
    """The reference has 'Cat' and 'cat', the candidate 'cat' and 'CAT': 'Cat' was paired with 'CAT' by
    guess; which of the two spellings means what is for the user to say."""
    ref = make_project(
        [("a.png", "Cat", disc(20, 20, 8)), ("a.png", "cat", disc(40, 60, 8))], cats=("Cat", "cat")
    )
    cand = make_project(
        [("a.png", "CAT", disc(20, 20, 8)), ("a.png", "cat", disc(40, 60, 8))], cats=("CAT", "cat")
    )
    result = run_qa(ref, cand)
    assert {"Cat", "cat", "CAT"} <= set(result.categories)
    (line,) = [p for p in result.problems if "cannot be paired" in p]
    assert "'Cat'" in line and "'cat'" in line and "'CAT'" in line


def test_one_name_in_two_unicode_forms_is_paired() -> None:
    """'Café' typed on a Mac (e + combining accent, NFD) and on Windows (é, NFC) print alike; they were
    scored as two classes, each 'not in' the other side, the warnings naming what looked like one name.
    Case folds as Unicode says ('Straße' is 'STRASSE'). Turkish dotted capital I ('İlaç') was not paired
    with 'ilaç': casefold makes it i + a combining dot above, a dot the i already has; it is paired now in
    every locale. Dotless ı is not paired with I or i: I is ı's capital in Turkish only, and 'sık' and
    'sik' are two words (``name_fold``)."""
    for ref_name, cand_name, paired in (
        ("Cafe\u0301", "Caf\u00e9", True),
        ("STRASSE", "Stra\u00dfe", True),
        ("\uff23\uff41\uff54", "cat", True),  # full-width letters from an IME
        ("\u0130stanbul", "istanbul", True),
        ("\u0130LA\u00c7", "ila\u00e7", True),
        ("I\u0307la\u00e7", "ila\u00e7", True),  # İ typed as I + combining dot (NFD)
        ("ILA\u00c7", "ila\u00e7", True),  # I is i's capital outside Turkish: paired, as before
        ("KIRMIZI", "k\u0131rm\u0131z\u0131", False),
        ("s\u0131k", "sik", False),
    ):
        ref = make_project([("a.png", ref_name, disc(20, 20, 8))], cats=(ref_name,))
        cand = make_project([("a.png", cand_name, disc(20, 20, 8))], cats=(cand_name,))
        result = run_qa(ref, cand)
        assert (result.categories == [cand_name]) is paired, (ref_name, result.categories)
        assert (result.summary()["dice"] == 1.0) is paired


def test_a_class_missing_from_the_reference_counts_only_its_objects_outside_void() -> None:
    """A detector's 'bowl' boxes on a table the reference marked void (LabelMe's __ignore__): the two
    wholly inside are not scored, as QA leaves out every object in void; the note counted them as extra
    while the per-class table and the matrix counted one."""
    ref = make_project(
        [("a.png", "cat", disc(20, 20, 8)), ("a.png", "__ignore__", [40.0, 30.0, 40.0, 30.0])],
        cats=("cat", "__ignore__"),
    )
    ref.category_by_name("__ignore__").app_extra["void"] = True
    boxes = ([45.0, 35.0, 10.0, 8.0], [60.0, 40.0, 12.0, 10.0], [5.0, 50.0, 10.0, 10.0])
    cand = make_project(
        [("a.png", "cat", disc(20, 20, 8)), *(("a.png", "bowl", b) for b in boxes)], cats=("cat", "bowl")
    )
    for a in cand.annotations.values():
        a.score = 0.9
    result = run_qa(ref, cand)
    extra = next(r["fp"] for r in result.per_class() if r["category"] == "bowl")
    labels = result.confusion["labels"]
    assert extra == 1 == result.confusion["matrix"][-1][labels.index("bowl")]
    bowl = next(p for p in result.problems if "'bowl'" in p)
    assert "its 1 candidate object counts as extra (FP)" in bowl, bowl
    assert "2 more" in bowl and "void" in bowl, bowl  # the others are said, not silently dropped


def test_a_class_missing_from_the_reference_says_the_objects_the_score_threshold_left_out() -> None:
    """A detector's 'cake' boxes on a coin picture, scored at --score-threshold 0.5: the note said "its 0
    candidate objects count as extra (FP), its Dice as 0; 2 more not scored (wholly inside a void region
    of the reference, or on an image not scored)": no void, no image left out, and the class's Dice is
    n/a. It now says the threshold left them out."""
    boxes = ([45.0, 35.0, 10.0, 8.0], [60.0, 40.0, 12.0, 10.0], [5.0, 50.0, 10.0, 10.0])
    cand = make_project(
        [("a.png", "cat", disc(20, 20, 8)), *(("a.png", "cake", b) for b in boxes)], cats=("cat", "cake")
    )
    for a, score in zip(
        sorted(cand.annotations.values(), key=lambda a: a.id)[1:], (0.3, 0.4, 0.8), strict=True
    ):
        a.score = score
    ref = make_project([("a.png", "cat", disc(20, 20, 8))], cats=("cat",))
    cake = next(p for p in run_qa(ref, cand, QAOptions(score_threshold=0.5)).problems if "'cake'" in p)
    assert "its 1 candidate object counts as extra (FP), its Dice as 0" in cake, cake
    assert "; 2 more left out, scoring under the score threshold 0.5" in cake, cake
    assert "void" not in cake, cake
    cake = next(p for p in run_qa(ref, cand, QAOptions(score_threshold=0.9)).problems if "'cake'" in p)
    assert cake == (
        "category 'cake' is not in the reference: its 3 candidate objects are left out, scoring under the "
        "score threshold 0.9"
    ), cake


def test_an_empty_candidate_is_said_not_only_scored_zero() -> None:
    """A candidate with no object (the wrong file sent, the project not saved) scored Dice 0 everywhere
    with no problem said: its classes are all defined, so no class was "not in the candidate"."""
    ref = make_project(
        [("a.png", "cat", disc(20, 20, 8)), ("a.png", "dog", disc(40, 60, 6)), ("a.png", "dog", [2, 2, 5, 5])]
    )
    result = run_qa(ref, make_project([]))
    assert result.problems[0] == (
        "the candidate has no objects: all 3 reference objects count as missed (FN), every Dice 0 "
        "(is it the right file, saved?)"
    )
    assert run_qa(make_project([]), make_project([])).problems == []  # both empty: nothing to say


def test_a_classless_candidate_takes_the_one_class_of_the_reference_only() -> None:
    """A tracker's boxes ('object') against one reference class: renamed to it, said; against two classes,
    or with a class of their own beside 'object', left as they are."""
    from pixelproof.core.qa_categories import classless_as_reference

    ref = make_project([("a.png", "cat", [1, 1, 5, 5]), ("a.png", "cat", [9, 9, 5, 5])], cats=("cat", "dog"))
    cand = make_project([("a.png", "object", [1, 1, 5, 5])], cats=("object",))
    note = classless_as_reference(cand, ref, "object")
    assert note is not None and "'object'" in note and "only class 'cat'" in note
    assert [c.name for c in cand.categories.values()] == ["cat"]
    assert run_qa(ref, cand).summary()["tp"] == 1

    both = make_project([("a.png", "cat", [1, 1, 5, 5]), ("a.png", "dog", [9, 9, 5, 5])])
    cand = make_project([("a.png", "object", [1, 1, 5, 5])], cats=("object",))
    assert classless_as_reference(cand, both, "object") is None
    mixed = make_project(
        [("a.png", "object", [1, 1, 5, 5]), ("a.png", "dog", [9, 9, 5, 5])], cats=("object", "dog")
    )
    assert classless_as_reference(mixed, ref, "object") is None
    assert {c.name for c in mixed.categories.values()} == {"object", "dog"}
