"""The tiles a pre-label run has done, as the CLI's bar and the Model panel's count them (``tile_counts``)."""

from __future__ import annotations

from types import SimpleNamespace

from pixelproof.inference.batch import tile_counts


def test_tiles_told_of_by_worker_processes_are_reported_as_they_change() -> None:
    """On local worker processes the tiles done come as the job's ``Progress.parts`` (they may go down:
    a dead worker's tiles leave the count); each change is told once, nothing when unchanged."""
    said: list[int] = []
    pool = SimpleNamespace(in_process=False, reports_parts=True)
    on_tile, on_progress = tile_counts(pool, said.append)  # type: ignore[arg-type]
    assert on_tile is None and on_progress is not None
    for parts in (0, 3, 3, 5, 2):
        on_progress(SimpleNamespace(parts=parts))  # type: ignore[arg-type]
    assert said == [0, 3, 5, 2]
    dask = SimpleNamespace(in_process=False, reports_parts=False)
    assert tile_counts(dask, said.append) == (None, None)  # type: ignore[arg-type]


def test_tiles_done_in_this_process_are_counted_one_by_one() -> None:
    said: list[int] = []
    on_tile, on_progress = tile_counts(SimpleNamespace(in_process=True), said.append)  # type: ignore[arg-type]
    assert on_progress is None and on_tile is not None
    for k in range(3):
        on_tile(k, 3)
    assert said == [1, 2, 3]
