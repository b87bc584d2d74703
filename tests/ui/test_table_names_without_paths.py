"""The tables that show a file's last part (the review view's Images and Volumes tables, the Problems list
and its Image order) ask ``core.names.base_file_name``, not pathlib: a ``PurePosixPath`` made per cell
drawn or per row sorted, as the Images panel did until its first keystroke over 100,000 images cost
0.13 s in paths. The names shown stay those pathlib gives."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import PurePosixPath
from types import SimpleNamespace

from PySide6.QtCore import Qt

from pixelproof.core.lint.problems import Problem
from pixelproof.core.paths import natural_key
from pixelproof.ui.panels.problems.table import ProblemsModel, image_sort_key
from pixelproof.ui.review.tables import ImageTableModel
from pixelproof.ui.review.volumes import VolumeTableModel

NAMES = [f"shard{n % 3}/sub dir/img{n}.png" for n in range(200)] + ["top.png", "a/b.nii.gz", "odd/./x.tif"]


@contextmanager
def pathlib_calls() -> Iterator[list[str]]:
    """Python calls into pathlib (making a ``PurePosixPath`` and reading its name is several)."""
    calls: list[str] = []

    def count(frame, event: str, _arg: object) -> None:
        if event == "call" and frame.f_code.co_filename.endswith("pathlib.py"):
            calls.append(frame.f_code.co_name)

    sys.setprofile(count)
    try:
        yield calls
    finally:
        sys.setprofile(None)


def shown(model, col: int) -> list[str]:  # type: ignore[no-untyped-def]
    return [model.index(r, col).data(Qt.ItemDataRole.DisplayRole) for r in range(len(NAMES))]


def read_without_paths(read: Callable[[], list]) -> list:  # type: ignore[type-arg]
    with pathlib_calls() as calls:
        out = read()
    assert not calls, calls[:5]
    return out


def test_review_and_problem_tables_show_the_last_part_without_making_paths(qapp) -> None:
    want = [PurePosixPath(n).name for n in NAMES]
    images = ImageTableModel()
    images.set_rows([{"image_id": i, "file_name": n} for i, n in enumerate(NAMES)], None)
    assert read_without_paths(lambda: shown(images, 0)) == want

    volumes = VolumeTableModel()
    volumes.rows = [SimpleNamespace(volume=n, category="liver") for n in NAMES]  # type: ignore[misc]
    assert read_without_paths(lambda: shown(volumes, 0)) == want

    problems = ProblemsModel()
    problems.set_problems(
        [Problem("tiny", 0.5, i, n, None, None, [0, 0, 1, 1], "") for i, n in enumerate(NAMES)]
    )
    image_col = ProblemsModel.COLUMNS.index("Image")
    assert read_without_paths(lambda: shown(problems, image_col)) == want
    keys = read_without_paths(lambda: [image_sort_key(n) for n in NAMES])
    assert keys == [(natural_key(name), natural_key(n)) for name, n in zip(want, NAMES, strict=True)]
