"""A small pre-label job on two lanes (``core.batch.ThreadExecutor``): the caller's loaded backend serves
one lane, the other loads its own from the spec, both predict at once, and the results come in image order."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import ClassVar

import cv2
import numpy as np

from pixelproof.core.batch import SerialExecutor, ThreadExecutor, run_batch
from pixelproof.inference.base import Prediction
from pixelproof.inference.batch import BackendSpec, Item, PrelabelContext, prelabel_task
from pixelproof.inference.class_filter import ClassFilter
from pixelproof.inference.classical import ThresholdBackend


class Counting(ThresholdBackend):
    """Threshold predictions, noting which instance predicted in which thread."""

    seen: ClassVar[list[tuple[int, str]]] = []

    def predict(self, image: np.ndarray, prompt: object = None) -> list[Prediction]:
        Counting.seen.append((id(self), threading.current_thread().name))
        return super().predict(image, prompt)


def _items(folder: Path, n: int) -> list[Item]:
    rng = np.random.default_rng(3)
    items = []
    for i in range(n):
        img = np.zeros((60, 80), np.uint8)
        x, y = (int(v) for v in rng.integers(5, 40, 2))
        img[y : y + 15 + i, x : x + 20] = 200  # one blob a picture, of a different height each
        path = folder / f"p{i}.png"
        cv2.imwrite(str(path), img)
        items.append(Item(str(path), 80, 60))
    return items


def test_the_callers_backend_serves_one_lane_and_the_other_loads_its_own(tmp_path: Path, monkeypatch) -> None:
    items = _items(tmp_path, 12)
    made: list[Counting] = []

    def make(self: BackendSpec, from_boxes: bool = False) -> Counting:
        made.append(Counting())
        return made[-1]

    monkeypatch.setattr(BackendSpec, "make", make)
    keep = ClassFilter({}, False, frozenset())
    caller = Counting()

    def run(executor) -> list:  # type: ignore[no-untyped-def]
        context = PrelabelContext(BackendSpec("threshold"), keep, caller)
        with executor:
            return list(run_batch(prelabel_task, context, items, executor))

    Counting.seen.clear()
    serial = run(SerialExecutor())
    assert not made and {who for who, _ in Counting.seen} == {id(caller)}
    Counting.seen.clear()
    lanes = run(ThreadExecutor(2))
    assert len(made) == 1  # one more model: the second lane's
    who = {w for w, _ in Counting.seen}
    assert who == {id(caller), id(made[0])}  # both lanes predicted
    threads = {t for w, t in Counting.seen}
    assert len(threads) == 2 and threading.current_thread().name not in threads
    for w in who:  # each model stayed in one lane
        assert len({t for x, t in Counting.seen if x == w}) == 1
    assert [i for i, _ in lanes] == list(range(12))
    assert [r[0] for _, r in lanes] == [r[0] for _, r in serial]  # the same shapes, in image order
    assert all(r[0] for _, r in serial)  # each picture has its blob: not a comparison of empties
