"""Undo of a deletion puts each object back where it stood, in the file order and in its image's list
(``annotations_of``), and a saved file is byte for byte the one before; it moves only the objects after the
first one put back (it rebuilt the order of all of a million objects: 0.2-0.4 s an undo). Random deletions
stacked and undone in turn, checked against the states recorded before each."""

from __future__ import annotations

import numpy as np
import pytest

from pixelproof.core import edits
from pixelproof.core.coco import dumps_project, new_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project


def scattered(rng: np.random.Generator, n: int) -> Project:
    """``n`` boxes over four images, the images' objects interleaved at random in the file."""
    p = new_project(["cell"])
    for i in range(1, 5):
        p.add_image(ImageRecord(i, f"img{i}.png", 100, 100))
    ids = rng.permutation(np.arange(1, 10 * n))[:n]
    for aid in ids.tolist():
        image = int(rng.integers(1, 5))
        p.add_annotation(Annotation(aid, image, 1, [float(aid % 90), 1.0, 5.0, 5.0], None, 25.0))
    return p


def state(p: Project) -> tuple[list[int], dict[int, list[int]], str]:
    return list(p.annotations), {i: p.annotation_ids_of(i) for i in p.images}, dumps_project(p)


def pick(rng: np.random.Generator, ids: list[int]) -> list[int]:
    """Some objects to delete: one, a run, the first ones, the last ones, or a scatter."""
    n, what = len(ids), int(rng.integers(5))
    if what == 0:
        return [ids[int(rng.integers(n))]]
    if what == 1:
        at = int(rng.integers(n))
        return ids[at : at + int(rng.integers(2, 6))]
    if what == 2:
        return ids[: int(rng.integers(1, 4))]
    if what == 3:
        return ids[-int(rng.integers(1, 4)) :]
    return [ids[k] for k in sorted(rng.choice(n, size=min(n, int(rng.integers(2, 12))), replace=False))]


@pytest.mark.parametrize("seed", range(6))
def test_stacked_deletions_undo_and_redo_to_each_state_before(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = scattered(rng, 120)
    done: list[tuple[edits.RemoveAnnotations, tuple, tuple]] = []
    for _ in range(6):
        before = state(p)
        chosen = pick(rng, list(p.annotations))
        edit = edits.RemoveAnnotations(list(reversed(chosen)))  # asked in any order
        edit.apply(p)
        done.append((edit, before, state(p)))
        assert not set(chosen) & set(p.annotations)
    for edit, before, after in reversed(done):  # the undo stack: last first
        edit.revert(p)
        assert state(p) == before
        edit.apply(p)  # redo, and undo again
        assert state(p) == after
        edit.revert(p)
        assert state(p) == before


def test_deleting_every_object_of_an_image_and_all_objects_undoes() -> None:
    p = scattered(np.random.default_rng(9), 40)
    before = state(p)
    for chosen in (p.annotation_ids_of(2), list(p.annotations)):
        edit = edits.RemoveAnnotations(chosen)
        edit.apply(p)
        assert not set(chosen) & set(p.annotations)
        edit.revert(p)
        assert state(p) == before


def full_state(p: Project) -> tuple:
    """The file order, each image's list with each object's category and box, the classes' order, the file."""
    per_image = {i: [(a.id, a.category_id, a.bbox) for a in p.annotations_of(i)] for i in p.images}
    return list(p.annotations), per_image, list(p.categories), dumps_project(p)


def random_edit(rng: np.random.Generator, p: Project, fresh_id) -> edits.Edit:  # type: ignore[no-untyped-def]
    """An add (ids up to the int64 ends), a deletion across images, a class change, a class added or deleted
    with its objects, or a compound of deletions, a class change and an add."""
    ids, cats = list(p.annotations), list(p.categories)

    def new(n: int) -> list[Annotation]:
        box = [float(rng.integers(90)), 1.0, 5.0, 5.0]
        return [Annotation(fresh_id(), int(rng.integers(1, 5)), int(rng.choice(cats)), box, None, 25.0)]

    def some(k: int) -> list[int]:
        return [ids[j] for j in rng.choice(len(ids), size=min(k, len(ids)), replace=False)]

    kind = int(rng.integers(6))
    if kind <= 1 or len(ids) < 4:
        return edits.AddAnnotations([a for _ in range(int(rng.integers(1, 6))) for a in new(1)])
    if kind == 2:
        return edits.RemoveAnnotations(some(int(rng.integers(1, 10))))
    if kind == 3:
        return edits.SetCategory(some(3), int(rng.choice(cats)))
    if kind == 4:
        if len(cats) > 1 and rng.random() < 0.5:
            return edits.RemoveCategory(int(rng.choice(cats)))
        cid = max(cats) + 1
        return edits.AddCategory(Category(cid, f"k{cid}"), int(rng.integers(len(cats) + 1)))
    chosen = some(5)
    return edits.Compound(
        [
            edits.RemoveAnnotations(chosen[:2]),
            edits.SetCategory(chosen[2:4], int(rng.choice(cats))),
            edits.AddAnnotations(new(1)),
            edits.RemoveAnnotations(chosen[4:]),
        ],
        "mixed",
    )


@pytest.mark.parametrize("seed", range(4))
def test_a_random_walk_of_edits_undone_and_redone_gives_each_state_back(seed: int) -> None:
    """Deletions from several images among adds, class changes and class deletions, undone and redone as an
    undo stack does (a new edit drops the redo list): after each undo the project is the deep state recorded
    before that edit, after each redo the one after it."""
    rng = np.random.default_rng(seed)
    p = new_project(["a", "b", "c"])
    for i in range(1, 5):
        p.add_image(ImageRecord(i, f"img{i}.png", 100, 100))
    ends = iter([2**63 - 1, -(2**63), 2**63 - 2, -(2**63) + 1])
    counter = iter(range(1, 10**6))

    def fresh_id() -> int:
        k = next(ends, None) if rng.random() < 0.1 else None
        k = next(counter) if k is None else k
        return k if k not in p.annotations else fresh_id()

    stack: list[tuple[edits.Edit, tuple, tuple]] = []
    top = 0
    for _ in range(200):
        r = rng.random()
        if r < 0.2 and top:
            top -= 1
            edit, before, _after = stack[top]
            edit.revert(p)
            assert full_state(p) == before
        elif r < 0.3 and top < len(stack):
            edit, _before, after = stack[top]
            edit.apply(p)
            top += 1
            assert full_state(p) == after
        else:
            before = full_state(p)
            edit = random_edit(rng, p, fresh_id)
            edit.apply(p)
            del stack[top:]
            stack.append((edit, before, full_state(p)))
            top += 1
    while top:
        top -= 1
        stack[top][0].revert(p)
        assert full_state(p) == stack[top][1]
