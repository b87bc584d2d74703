"""The Images panel's query language, without Qt: known answers on a five-image project."""

from __future__ import annotations

import pytest

from pixelproof.core.conditions import FilterError
from pixelproof.core.image_query import ImageFacts, matching_images, parse_image_query
from pixelproof.core.model import Annotation, Category, ImageRecord, Project


def _project() -> Project:
    """1 a/cat_01.jpg done: cat (alice), dog (bob); 2 cat_02.png: nothing; 3 street.png in progress:
    3 traffic lights (Alice), a void region; 4 dog.png reviewed: a pending dog prediction, an accepted cat
    prediction; 5 -v2.png: nothing."""
    p = Project()
    for cid, name in ((1, "cat"), (2, "dog"), (3, "Traffic Light"), (4, "ignore")):
        p.add_category(Category(cid, name))
    p.categories[4].app_extra["void"] = True
    for iid, name in enumerate(("a/cat_01.jpg", "cat_02.png", "street.png", "dog.png", "-v2.png"), 1):
        p.add_image(ImageRecord(iid, name, 100, 100))
    for iid, status in ((1, "done"), (3, "in_progress"), (4, "reviewed")):
        p.set_image_status(iid, status)
    objects = [
        (1, 1, {"author": "alice"}),
        (1, 2, {"author": "bob"}),
        (3, 3, {"author": "Alice"}),
        (3, 3, {"author": "Alice"}),
        (3, 3, {}),
        (3, 4, {}),
        (4, 2, {"source": "model:yolo", "review": "pending", "score": 0.8}),
        (4, 1, {"source": "model:yolo", "review": "accepted", "score": 0.9}),
    ]
    for aid, (iid, cid, kw) in enumerate(objects, 1):
        p.add_annotation(Annotation(aid, iid, cid, [0.0, 0.0, 10.0, 10.0], None, 100.0, **kw))
    return p


def _shown(text: str, project: Project | None = None) -> list[int]:
    project = project or _project()
    return matching_images(parse_image_query(text, project), ImageFacts(project))


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("", [1, 2, 3, 4, 5]),
        ("   ", [1, 2, 3, 4, 5]),
        ("cat", [1, 2]),  # plain text: the file name, as before
        ("CAT_0", [1, 2]),
        ("a/", []),  # the name without its folder, as the table shows it
        ("to do", [2, 5]),  # the status label, as before: "to" and "do" both in "To do"
        ('"in progress"', [3]),
        ('"-v2"', [5]),  # quoted: the text as it is
        ("-v2", [1, 2, 3, 4]),  # negated
        ("class:cat", [1, 4]),
        ("Class:CAT", [1, 4]),
        ("-class:cat", [2, 3, 5]),
        ('class:"traffic light"', [3]),
        ("class:ignore", [3]),  # a void class is still a class of the image
        ("class:dog -predictions>0", [1]),
        ("class:cat class:dog", [1, 4]),  # a pending prediction is an object of its class too
        ("objects:0", [2, 5]),
        ("objects=0", [2, 5]),
        ("objects>2", [3]),  # three lights; the void region is no object
        ("objects<=2", [1, 2, 4, 5]),
        ("objects!=2", [2, 3, 4, 5]),  # 4: one cat accepted, a dog still a proposal (not an object yet)
        ("-objects>0", [2, 5]),
        ("predictions>0", [4]),
        ("predictions:0", [1, 2, 3, 5]),
        ("status:done", [1]),
        ('status:"In progress"', [3]),
        ("status:in_progress", [3]),
        ("status:todo", [2, 5]),
        ("-status:todo", [1, 3, 4]),
        ("author:alice", [1, 3]),
        ("author:BOB", [1]),
        ("-author:alice", [2, 4, 5]),
        ("author:carol", []),
        ("cat objects>0 -status:reviewed", [1]),
        ('""', [1, 2, 3, 4, 5]),
    ],
)
def test_query_shows_the_known_images(text: str, want: list[int]) -> None:
    assert _shown(text) == want


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("class:", "needs a value"),
        ("class:bird", "no class “bird”"),
        ("class:traffic", "Traffic Light"),  # the classes holding the text are suggested
        ("clas:cat", "unknown field “clas”"),
        ("objects>x", "whole number"),
        ("objects>1.5", "whole number"),
        ("objects>", "whole number"),
        ("objects>²", "whole number"),  # str.isdigit, yet int() raised
        ("objects>" + "9" * 5000, "whole number"),  # past int()'s 4,300 digits
        ('class:"traffic', "not closed"),
        ("-", "negates"),
        ("status:finished", "no status “finished”"),
        ("class>3", "class:NAME"),
        ('a"b', "quote"),
    ],
)
def test_malformed_query_says_what_is_wrong(text: str, said: str) -> None:
    with pytest.raises(FilterError, match=said):
        parse_image_query(text, _project())


def test_a_keystroke_reads_each_image_s_objects_once() -> None:
    """The facts of an image are kept: the next query (the next keystroke) reads no annotation again."""
    project = _project()
    facts = ImageFacts(project)
    reads: list[int] = []
    real = project.annotations_of
    project.annotations_of = lambda i: reads.append(i) or real(i)  # type: ignore[method-assign]
    assert matching_images(parse_image_query("class:cat", project), facts) == [1, 4]
    assert sorted(reads) == [1, 2, 3, 4, 5]
    reads.clear()
    assert matching_images(parse_image_query("class:dog", project), facts) == [1, 4]
    assert matching_images(parse_image_query("-class:dog", project), facts) == [2, 3, 5]
    assert reads == []


def test_forget_takes_an_edit_into_account() -> None:
    project = _project()
    facts = ImageFacts(project)
    query = parse_image_query("class:dog objects:1", project)
    assert matching_images(query, facts) == [4]  # a proposed dog, a cat accepted: one object
    project.add_annotation(Annotation(99, 2, 2, [0.0, 0.0, 5.0, 5.0], None, 25.0))
    facts.forget(2)
    assert matching_images(query, facts) == [2, 4]
    project.categories[2].app_extra["void"] = True  # dogs become void regions: no longer objects
    facts.forget()
    assert matching_images(query, facts) == [1, 4]  # a cat and a void dog each; image 2 has none


def test_objects_leave_out_pending_predictions_and_predictions_leave_out_rejected_ones() -> None:
    """``objects`` counted a model's proposals nobody decided as objects, so after pre-labelling a folder
    every image read as labelled (``objects:0`` found none of those nobody had looked at) and the Objects
    column said 7 of 2 labels and 5 guesses; ``predictions`` counted a prediction a reviewer had rejected
    as pending. Now objects = labels and decided objects, predictions = those awaiting a decision, as the
    column shows them (`1 +1`); void regions in neither."""
    project = _project()
    assert _shown("objects:1 predictions:1", project) == [4]  # the accepted cat; the pending dog
    extra = {"source": "model:yolo", "score": 0.3}
    project.add_annotation(Annotation(50, 2, 1, [0.0, 0.0, 5.0, 5.0], None, 25.0, review="pending", **extra))
    project.add_annotation(Annotation(51, 2, 4, [0.0, 0.0, 5.0, 5.0], None, 25.0, review="pending", **extra))
    assert _shown("objects:0 predictions:1", project) == [2]  # a proposal only: nothing labelled; void aside
    project.add_annotation(Annotation(52, 5, 1, [0.0, 0.0, 5.0, 5.0], None, 25.0, review="rejected", **extra))
    assert _shown("predictions>0", project) == [2, 4]  # the rejected one is decided, not pending
    assert _shown("objects:1", project) == [4, 5]  # drawn, and said to be wrong: an object of the image
    assert project.object_counts(2) == (0, 1) and project.object_counts(4) == (1, 1)


def test_class_names_are_looked_up_when_parsed() -> None:
    project = _project()
    project.categories[1].name = "kitten"
    assert _shown("class:kitten", project) == [1, 4]
    with pytest.raises(FilterError):
        parse_image_query("class:cat", project)


def test_a_class_is_found_whatever_the_case_of_a_turkish_dotted_i() -> None:
    """'class:ilaç' found no class 'İlaç' (casefold gives i + a combining dot): the query and QA's class
    pairing fold names with one rule (``name_fold.fold``); dotless ı stays another letter."""
    project = _project()
    project.categories[1].name = "\u0130la\u00e7"
    assert _shown("class:ila\u00e7", project) == [1, 4]
    assert _shown("class:\u0130LA\u00c7", project) == [1, 4]
    project.categories[1].name = "k\u0131rm\u0131z\u0131"
    with pytest.raises(FilterError):
        parse_image_query("class:kirmizi", project)


def _split_project() -> Project:
    """``_project`` with 1 and 2 in val (2 kept as CVAT's ``Validation``, read as val), 3 in train, 4 in a
    CVAT subset of its own (``Calibration``, as the CVAT reader keeps one), 5 without a split."""
    project = _project()
    for iid, app in (
        (1, {"split": "val"}),
        (2, {"cvat": {"subset": "Validation"}}),
        (3, {"split": "train"}),
        (4, {"split": "Calibration"}),
    ):
        project.images[iid].extra["pixelproof"] = app
    return project


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("split:val", [1, 2]),
        ("split:VALIDATION", [1, 2]),  # the spellings readers and ``set-split`` take
        ("split:valid", [1, 2]),
        ("split:train", [3]),
        ("split:test", []),  # a split no image has yet: no images, no error
        ("split:none", [5]),
        ("-split:none", [1, 2, 3, 4]),
        ("-split:val", [3, 4, 5]),
        ("split:calibration", [4]),  # another split some image has, without case
        ("split:val status:done", [1]),
    ],
)
def test_split_lists_the_images_of_that_split(text: str, want: list[int]) -> None:
    assert _shown(text, _split_project()) == want


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("split:vall", "no split “vall”; splits: train, val, test, Calibration, none"),
        ("split:", "needs a value, e.g. split:val"),
        ("split>1", "write split:NAME"),
    ],
)
def test_an_unknown_split_says_which_there_are(text: str, said: str) -> None:
    with pytest.raises(FilterError, match=said):
        parse_image_query(text, _split_project())


def test_an_unknown_split_in_a_project_without_splits_names_the_canonical_ones() -> None:
    with pytest.raises(FilterError, match=r"no split “calibration”; splits: train, val, test, none$"):
        parse_image_query("split:calibration", _project())
