"""What a writer wrote when that is not every image and object the export keeps: a DICOM SEG references
DICOM sources only, so ``convert --to dicom-seg`` of a project of 24 images said "24 images, 18
annotations" when one 10-slice series was written. Such a writer returns its warnings as ``Written``;
``convert`` counts those figures in its summary and says what was left out and why."""

from __future__ import annotations

from collections.abc import Iterable


class Written(list[str]):
    """A writer's warnings, with the ``images`` and ``objects`` (void regions aside) it wrote and
    ``left``: the images it did not write and why (``"14 images: 12 not DICOM, ..."``; "" when none)."""

    def __init__(self, warnings: Iterable[str], images: int, objects: int, left: str = "") -> None:
        super().__init__(warnings)
        self.images, self.objects, self.left = images, objects, left


def carried(source: list[str], warnings: list[str]) -> list[str]:
    """``warnings`` (a new list made from ``source``'s) keeping ``source``'s counts when it has them."""
    if isinstance(source, Written):
        return Written(warnings, source.images, source.objects, source.left)
    return warnings


def written_counts(warnings: list[str], kept: tuple[int, int, int]) -> tuple[int, int, int, str]:
    """The images, objects and void regions an export wrote and what it left out ("" when nothing): the
    writer's own figures when it counts them (a SEG or RTSTRUCT holds DICOM sources only: the app said
    "Exported 6 images" of a series no SEG could be made from, none written), else ``kept``, what the
    export keeps. ``convert`` and the app's Export say the same."""
    if isinstance(warnings, Written):
        return warnings.images, warnings.objects, 0, warnings.left
    return (*kept, "")
