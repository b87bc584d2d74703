"""Runs PixelProof's readers over mutated files in a child process (tests/interop/test_fuzz.py).

Usage: ``python -m tests.fuzz_worker CASES.json MEGABYTES``. The address space is capped at what the
process uses after its imports plus MEGABYTES (``resource.setrlimit``), so a reader that allocates without
bound dies or raises MemoryError here, not in pytest. Each case prints ``START i`` before it runs and one
result line after: ``OK i`` or ``ESCAPED i <type>: <message>`` (an exception outside the reader's error
types). A native crash ends the process: the parent names the case that started last.
"""

from __future__ import annotations

import contextlib
import json
import resource
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from pixelproof.core import limits
from pixelproof.core.coco import (
    ProjectFormatError,
    dumps_project,
    load_project,
    project_from_dict,
)
from pixelproof.core.coco_dump import project_to_dict
from pixelproof.core.limits import LimitError
from pixelproof.interop import read_coco, read_labelme, read_masks, read_voc, read_yolo, write_masks


def _reloads(project: Any) -> None:
    """What a reader builds must be a valid project again (no NaN, wrong types or broken shapes)."""
    project_from_dict(json.loads(json.dumps(project_to_dict(project), allow_nan=False)))


def _use(project: Any, export: bool = False) -> None:
    """What commands do next with a loaded project: rasterize every shape, save (and export masks)."""
    for ann in project.annotations.values():
        image = project.images[ann.image_id]
        with contextlib.suppress(LimitError):  # refused with its limit: fine
            ann.mask(image.height, image.width)
    if export:
        with tempfile.TemporaryDirectory() as out, contextlib.suppress(LimitError):
            write_masks(project, Path(out) / "m", images="keep")
    dumps_project(project)


def _project(path: Path) -> None:
    try:
        project = load_project(path)
    except ProjectFormatError:
        return
    _use(project, export=True)


def _imported(reader: Any) -> Any:
    def run(path: Path) -> None:
        result = reader(path)
        _reloads(result.project)
        _use(result.project)

    return run


def _yaml(path: Path) -> None:
    with contextlib.suppress(LimitError, ValueError):
        limits.read_yaml(path)


def _masks(path: Path) -> None:
    _imported(read_masks)(path)


READERS = {
    "project": _project,
    "coco": _imported(read_coco),
    "labelme": _imported(read_labelme),
    "yolo": _imported(read_yolo),
    "voc": _imported(read_voc),
    "masks": _masks,
    "yaml": _yaml,
}


def main() -> int:
    cases = json.loads(Path(sys.argv[1]).read_text())
    budget = int(sys.argv[2]) * 2**20
    with open("/proc/self/status") as f:
        used = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))
    resource.setrlimit(resource.RLIMIT_AS, (used + budget, resource.RLIM_INFINITY))
    for i, case in enumerate(cases):
        print(f"START {i}", flush=True)
        start = time.perf_counter()
        try:
            READERS[case["format"]](Path(case["path"]))
        except Exception as e:  # anything escaping the reader is the finding
            last = traceback.extract_tb(e.__traceback__)[-1]
            where = f"{Path(last.filename).name}:{last.lineno}"
            print(f"ESCAPED {i} {type(e).__name__} at {where}: {str(e)[:300]!r}", flush=True)
            continue
        print(f"OK {i} {time.perf_counter() - start:.3f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
