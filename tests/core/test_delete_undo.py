"""Undo of a deletion puts each object back where it stood, in the file order and in its image's list
(``annotations_of``), and a saved file is byte for byte the one before; it moves only the objects after the
first one put back (it rebuilt the order of all of a million objects: 0.2-0.4 s an undo). Random deletions
stacked and undone in turn, checked against the states recorded before each."""

from __future__ import annotations

import numpy as np
import pytest

from pixelproof.core import edits
from pixelproof.core.coco import dumps_project, new_project
from pixelproof.core.model import Annotation, ImageRecord, Project


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
