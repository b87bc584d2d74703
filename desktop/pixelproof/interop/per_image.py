"""A writer's per-image files as batch tasks (``pixelproof.core.batch``), for ``convert --workers`` and
``--scheduler``: the writer hands each image's objects to a module-level ``draw`` function that writes that
image's files (mask PNGs, its JSON) itself and returns what the writer gathers (counts for its warnings,
table rows). Results come back in image order, so the output is the same serially or on any number of
workers; what is written once (tables, listings, image links) stays with the writer in this process.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from pixelproof.core.limits import check_image_size
from pixelproof.core.model import Annotation, ImageRecord
from pixelproof.interop._util import ProgressCallback, with_progress

SECONDS_PER_IMAGE = 0.02  # draw and encode one image's masks on one core: sizes batch chunks

Item = tuple[ImageRecord, list[Annotation], Any]  # an image, its objects, where its files go
Draw = Callable[[Any, ImageRecord, list[Annotation], Any], Any]


@dataclass(frozen=True, slots=True)
class ImageWork:
    """What every task of one export needs: the writer's ``draw(setup, image, objects, where)`` (a
    module-level function, so workers import it) and its ``setup`` (categories, tables, the output folder
    as the workers see it); ``guard``: the project's images that worker processes must not write over
    (``image_guard``; None in this process, where the export's own guard holds)."""

    draw: Draw
    setup: Any
    guard: Any = None


def image_task(work: ImageWork, items: list[Item]) -> list:
    """Draw some images' files; an image that cannot be written fails alone, named."""
    from pixelproof.core.batch import Failed
    from pixelproof.interop.image_guard import guarding

    out: list = []
    with guarding(work.guard) if work.guard is not None else nullcontext():
        for image, objects, where in items:
            try:
                out.append(work.draw(work.setup, image, objects, where))
            except (OSError, ValueError) as e:
                out.append(Failed(f"{image.file_name}: {e}"))
    return out


def draw_per_image(
    draw: Draw,
    setup: Any,
    items: Sequence[Item],
    *,
    executor: Any = None,
    progress: ProgressCallback | None = None,
    seconds_per_item: float = SECONDS_PER_IMAGE,
    full_size: Callable[[ImageRecord, list[Annotation]], bool] | None = None,
) -> Iterator[Any]:
    """``draw``'s result for every item, in item order, run on ``executor`` (default: here). The first
    image that cannot be written stops the export (ValueError naming it), as a serial writer stops; an
    image over the size limit stops it before any drawing (LimitError) when drawing it makes image-sized
    arrays: every image, or those ``full_size(image, objects)`` says (a slide with boxes only writes
    text rows, not a mask)."""
    from pixelproof.core.batch import Failed, SerialExecutor, run_batch

    for image, objects, _ in items:
        if full_size is None or full_size(image, objects):
            check_image_size(image.width, image.height, image.file_name)
    from pixelproof.interop.image_guard import workers_guard

    executor = executor or SerialExecutor()
    work = ImageWork(draw, setup, None if executor.in_process else workers_guard())
    results = run_batch(image_task, work, list(items), executor, seconds_per_item=seconds_per_item)
    for index, result in with_progress(results, len(items), progress):
        if isinstance(result, Failed):
            name = items[index][0].file_name
            raise ValueError(result.reason if name in result.reason else f"{name}: {result.reason}")
        yield result
