"""QA pairs categories by name: a reference spelling a class with other case or spaces ("Coin", "cat ",
"Motor cycle") is paired with the candidate's class and says so; a class one side lacks is named."""

from __future__ import annotations

import json

from pixelproof.core.coco import load_project
from pixelproof.core.demo import install_demo
from pixelproof.core.qa import run_qa
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
