"""Label Studio export of one multi-page task: ``write_labelstudio`` of a project imported from a task of
N pages (``<Image valueList="$pages">``), each page an image that keeps task, view and page.

``python -m bench labelstudio_pages [--pages N] [--runs R]``

Readings, alternating in one process (CPU time, the median of R runs; the ratio is the figure to trust):

- reference: the same images with no task kept (each written as a task of its own), the writer's work
  without gathering pages.
- ours: the pages gathered into their one task (``labelstudio_views.task_groups`` and ``task_data``).
- one name: the same task with every page the same file (the same picture on each page): each written
  file numbered (``stems.free_name``), which tried every number
  taken before it: 8,000 pages, ratio 3.8; now 1.0.
  Looking each page up among the task's pages taken so far made this quadratic: 8,000 pages, ratio 6.0
  (12 s); now 0.86.
"""

from __future__ import annotations

import argparse
import copy
import shutil
import statistics
import tempfile
import time
from pathlib import Path


def make(folder: Path, pages: int):  # type: ignore[no-untyped-def]
    """A project of ``pages`` tiny PNG pages of task 1, view ``img``; the same without the task; the same
    with every page the first page's file."""
    from PIL import Image

    from pixelproof.core.coco import new_project
    from pixelproof.core.model import ImageRecord

    project = new_project(["box"])
    project.path = folder / "project.json"
    (folder / "pages").mkdir()
    for n in range(pages):
        name = f"pages/p{n:05d}.png"
        Image.new("L", (4, 4)).save(folder / name)
        image = ImageRecord(n + 1, name, 4, 4)
        image.extra["pixelproof"] = {"labelstudio": {"task": 1, "view": "img", "page": n}}
        project.add_image(image)
    project.extra["labelstudio_config"] = {"names": {"Image": [["img", "pages", "list"]]}}
    alone, one_name = copy.deepcopy(project), copy.deepcopy(project)
    for image in alone.images.values():
        image.extra.pop("pixelproof")
    for image in one_name.images.values():
        image.file_name = "pages/p00000.png"
    return project, alone, one_name


def main(argv: list[str]) -> int:
    from pixelproof.interop.labelstudio import write_labelstudio

    parser = argparse.ArgumentParser(prog="python -m bench labelstudio_pages")
    parser.add_argument("--pages", type=int, default=8000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-labelstudio-pages-"))
    try:
        project, alone, one_name = make(folder, args.pages)
        times: dict[str, list[float]] = {"reference": [], "ours": [], "one name": []}
        for run in range(args.runs):
            for name, which in (("reference", alone), ("ours", project), ("one name", one_name)):
                out = folder / f"out-{name}-{run}"
                start = time.process_time()
                write_labelstudio(which, out, images="link")
                times[name].append(time.process_time() - start)
        ref, ours, one = (statistics.median(times[k]) for k in ("reference", "ours", "one name"))
        print(f"{args.pages} pages, median of {args.runs} runs (CPU s)")
        print(f"reference (a task each): {ref:.2f}")
        print(f"ours (one task of pages): {ours:.2f}  ratio {ours / ref:.2f}")
        print(f"one name (every page one file): {one:.2f}  ratio {one / ref:.2f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0
