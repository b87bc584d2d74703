"""The Images filter's problem terms (``problems>0``, ``problem:KIND``), without Qt: read from the problem
finder's last run as ``FoundProblems`` keeps it (dismissed and low-score problems left out)."""

from __future__ import annotations

import pytest

from pixelproof.core.conditions import FilterError
from pixelproof.core.found_problems import FoundProblems
from pixelproof.core.image_query import ImageFacts, matching_images, parse_image_query
from pixelproof.core.lint.problems import Problem
from pixelproof.core.model import Category, ImageRecord, Project


def _project() -> Project:
    p = Project()
    p.add_category(Category(1, "cat"))
    for iid in range(1, 6):
        p.add_image(ImageRecord(iid, f"img{iid}.png", 100, 100))
    return p


def _problem(kind: str, image_id: int | None, score: float = 0.8, aid: int | None = None) -> Problem:
    return Problem(kind, score, image_id, "", aid, "cat", [0.0, 0.0, 1.0, 1.0], "")


# image 1: wrong_class and tiny; 2: two tiny; 3: tiny dismissed; 4: tiny at 0.3; 5: none; the project's
# empty_class (no image)
PROBLEMS = [
    _problem("wrong_class", 1, aid=1),
    _problem("tiny", 1, aid=2),
    _problem("tiny", 2, aid=3),
    _problem("tiny", 2, aid=4),
    _problem("tiny", 3, aid=5),
    _problem("tiny", 4, score=0.3, aid=6),
    _problem("empty_class", None, score=0.6),
]
DISMISSED = frozenset({"tiny|3|5"})


def _shown(text: str, found: FoundProblems | None) -> list[int]:
    project = _project()
    return matching_images(parse_image_query(text, project, found), ImageFacts(project))


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("problems>0", [1, 2]),  # 3 dismissed, 4 under the lowest score listed, 5 none
        ("problems:0", [3, 4, 5]),
        ("-problems>0", [3, 4, 5]),
        ("problems>=2", [1, 2]),
        ("problems=1", []),
        ("problems:2 problem:tiny", [1, 2]),
        ("problem:wrong_class", [1]),
        ('problem:"wrong class"', [1]),  # as the Problems panel's Kind column spells it
        ("Problem:TINY", [1, 2]),
        ("-problem:tiny", [3, 4, 5]),
        ("problem:missing_object", []),  # a kind the run did not find: nothing, no error
        ("img2 problems>0", [2]),
    ],
)
def test_problem_terms(text: str, want: list[int]) -> None:
    assert _shown(text, FoundProblems(PROBLEMS, DISMISSED, min_score=0.5)) == want


def test_the_lowest_score_decides_what_counts() -> None:
    found = FoundProblems(PROBLEMS, DISMISSED, min_score=0.2)
    assert _shown("problems>0", found) == [1, 2, 4]
    assert found.count(1) == 2 and found.count(1, "tiny") == 1 and found.count(5) == 0
    assert found.kinds == {"wrong_class", "tiny"}  # the project's empty_class is no image's


@pytest.mark.parametrize("text", ["problems>0", "problem:tiny", "-problems:0", "cat problem:x"])
def test_without_a_run_the_term_says_so(text: str) -> None:
    with pytest.raises(FilterError, match="problem finder has not run") as e:
        _shown(text, None)
    assert "Find Problems (F6)" in str(e.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("problem:wrong", "no problem kind “wrong”; kinds: wrong_class"),  # the kinds that hold it
        ("problem:zzz", "no problem kind “zzz”; kinds found: tiny, wrong_class"),  # lint's order
        ("problem:tiyn", "no problem kind “tiyn”; kinds: tiny"),  # the kind a typo meant
        ("problem:", "“problem:” needs a value, e.g. problem:wrong_class"),
        ("problem>0", "write problem:NAME, and -problem:NAME for none (problems>0 counts them)"),
        ("problems:tiny", "problems takes a whole number, e.g. problems>0 (problem:tiny for a kind)"),
        ("problems>x", "problems takes a whole number"),
    ],
)
def test_malformed_problem_terms_are_explained(text: str, message: str) -> None:
    with pytest.raises(FilterError) as e:
        _shown(text, FoundProblems(PROBLEMS, DISMISSED, min_score=0.5))
    assert message in str(e.value)


def test_a_query_says_whether_it_reads_problems() -> None:
    found, project = FoundProblems([]), _project()
    assert parse_image_query("cat problems>0", project, found).reads_problems
    assert parse_image_query("-problem:tiny", project, found).reads_problems
    assert not parse_image_query("objects>0 class:cat", project, found).reads_problems
    assert not parse_image_query("problems", project).reads_problems  # plain text: a file name


@pytest.mark.parametrize(
    "term",
    [
        "problem:" + "x" * 100_000,
        "problems>" + "9" * 100_000,
        "problems>1e309",
        "class:" + "y" * 100_000,
        "z" * 100_000 + ":a",
        '"' + "w" * 100_000,
    ],
)
def test_a_pasted_page_in_a_term_is_quoted_cut_to_one_short_line(term: str) -> None:
    """The message under the filter box quotes what was typed cut after 60 characters (a 100,000-character
    term was quoted whole), and a number past any count is refused as no whole number."""
    found = FoundProblems(PROBLEMS, DISMISSED, 0.5)
    with pytest.raises(FilterError) as refused:
        parse_image_query(term + "\nnext line", _project(), found)
    said = str(refused.value)
    assert len(said) < 400 and "\n" not in said, said[:300]
