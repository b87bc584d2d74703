"""An image's declared size (a dataset's width and height, a project's record) against its file's header.

Objects are drawn in the declared size's frame: when the file is another size (resized after labelling, turned
by an EXIF orientation, taken from the wrong folder), every object lands at the wrong scale, and only opening
that image used to say so. One rule, for imports (``interop.declared_sizes``, after every reader of a format
that declares sizes), ``pixelproof validate --images`` and lint's picture pass: the file's size is read from
its header only (``imageio.image_size``, as the project shows it: EXIF-turned unless the project ignores
EXIF), a mismatch is a problem naming the file, both sizes and the likely cause, and the declared size is
kept - nothing is scaled, since a turn, a crop or another picture is no scaling (README, "Image sizes").
A missing file is only listed (readers say so themselves); volume slices are their volume's size.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pixelproof.core.imageio import ImageReadError, ImageTooLargeError, exif_orientation, image_size
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.volumes import parse_slice_ref

Size = tuple[int, int]  # (width, height)
_TURNING = (5, 6, 7, 8)  # EXIF orientations that swap width and height


def _scale_of(declared: Size, actual: Size) -> float | None:
    """The factor ``actual`` is of ``declared`` when both sides agree on it to within a pixel of the
    actual picture (a resize rounds each side), else None."""
    (dw, dh), (aw, ah) = declared, actual
    if abs(aw * dh - ah * dw) > max(dw, dh):
        return None
    return aw / dw


def size_cause(declared: Size, actual: Size, orientation: int, apply_exif: bool) -> str:
    """Why a file of ``actual`` size (as the project shows it) likely differs from ``declared``:
    ``orientation`` is the file's EXIF orientation, ``apply_exif`` whether the project turns by it."""
    dw, dh = declared
    turned_by_exif = orientation in _TURNING
    if declared == (actual[1], actual[0]):
        if turned_by_exif and apply_exif:
            return (
                f"exactly turned a quarter: the file's EXIF orientation {orientation} turns its stored "
                f"{dw}x{dh} pixels, so the objects were likely drawn on the stored pixels by a tool that "
                "ignores EXIF"
            )
        if turned_by_exif:
            return (
                f"exactly turned a quarter: the file's EXIF orientation {orientation} shows it turned, so "
                "the objects were likely drawn on the turned picture, while this project shows stored pixels"
            )
        return (
            "exactly turned a quarter: an EXIF orientation was likely applied to the pixels or dropped since "
            "labelling (a phone photo saved again)"
        )
    scale = _scale_of(declared, actual)
    if scale is not None:
        if abs(actual[0] - dw) <= 1 and abs(actual[1] - dh) <= 1:
            return "a pixel off: the declared size was likely rounded, or the picture cropped by a pixel"
        return f"a uniform {scale:.3g}x: the images were likely resized after labelling"
    scale = _scale_of(declared, (actual[1], actual[0]))
    if scale is not None:
        why = f"EXIF orientation {orientation}" if turned_by_exif else "an EXIF orientation"
        return f"turned a quarter and scaled {scale:.3g}x: likely resized, and {why} applied or dropped"
    return "neither a quarter turn nor a uniform scale: likely another picture (the wrong image folder?)"


def turn_for(path: str | os.PathLike[str], declared: Size, apply_exif: bool) -> bool:
    """Whether to turn the file by its EXIF orientation to see it at its ``declared`` size: as the project
    does (``apply_exif``), unless only the other way gives that size (a LabelImg VOC declares a photo's
    stored pixels): an export's copy is written in the frame the objects were drawn on."""
    try:
        if exif_orientation(path) == 1 or image_size(path, apply_exif) == declared:
            return apply_exif
        return not apply_exif if image_size(path, not apply_exif) == declared else apply_exif
    except ImageReadError:
        return apply_exif


@dataclass(frozen=True, slots=True)
class SizeMismatch:
    """An image whose file (``path``) is ``actual`` in size as the project shows it, not ``declared``."""

    image_id: int
    file_name: str
    path: str
    declared: Size
    actual: Size
    cause: str

    def line(self, declared_by: str, outcome: str) -> str:
        """``path: the file is WxH px but <declared_by> WxH (<cause>); <outcome>``: one problem line."""
        (aw, ah), (dw, dh) = self.actual, self.declared
        return f"{self.path}: the file is {aw}x{ah} px but {declared_by} {dw}x{dh} ({self.cause}); {outcome}"

    def project_line(self) -> str:
        """The line for a project's record (``validate --images``, lint's ``image_size_mismatch``)."""
        dw, dh = self.declared
        return self.line("the project says", f"its objects are drawn on {dw}x{dh}")


@dataclass(slots=True)
class SizeCheck:
    """What ``check_sizes`` found: the mismatches, the files whose header could not be read (path, why),
    the missing files, how many records were checked and how many left out (volume slices, over the limit)."""

    mismatches: list[SizeMismatch] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    checked: int = 0
    not_checked: int = 0


def check_sizes(
    project: Project,
    images: Iterable[ImageRecord] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SizeCheck:
    """Compare each image's declared size with its file's header (``images``: default every one).
    ``progress(done, total)`` is called now and then (a raise from it stops the check); a file is read
    once however many records name it, and nothing but headers is read (about 0.1 ms a file)."""
    records = list(project.images.values() if images is None else images)
    apply_exif = project.applies_exif
    out = SizeCheck()
    sizes: dict[str, Size | None] = {}
    step = max(1, len(records) // 200)
    if progress is not None:
        progress(0, len(records))
    for done, image in enumerate(records, start=1):
        _check_one(project, image, apply_exif, sizes, out)
        if progress is not None and (done % step == 0 or done == len(records)):
            progress(done, len(records))
    return out


# headers read, by (path, EXIF applied): (the file's stat stamp, its size), so an import's check and the
# export's after it (a conversion) read each header once; a file changed since (time, size, inode) is
# read again
_HEADERS: dict[tuple[str, bool], tuple[tuple[int, int, int, int], Size]] = {}
HEADERS_KEPT = 200_000  # entries at most (~40 MB); the cache starts again past it
# a file modified this recently is read every time: a rewrite within the file system's clock tick (a
# BMP of 40x80 over one of 80x40: same length) would keep its time stamp ("racy" entries, as git says)
RECENT_NS = 2_000_000_000


def _header_size(path: str, st: os.stat_result, apply_exif: bool) -> Size:
    """``image_size(path, apply_exif)``, once while the file stays as ``st`` says."""
    if time.time_ns() - st.st_mtime_ns < RECENT_NS:
        return image_size(path, apply_exif)
    stamp = (st.st_mtime_ns, st.st_size, st.st_ino, st.st_dev)
    kept = _HEADERS.get((path, apply_exif))
    if kept is not None and kept[0] == stamp:
        return kept[1]
    size = image_size(path, apply_exif)
    if len(_HEADERS) >= HEADERS_KEPT:
        _HEADERS.clear()
    _HEADERS[(path, apply_exif)] = (stamp, size)
    return size


def _check_one(
    project: Project, image: ImageRecord, apply_exif: bool, sizes: dict[str, Size | None], out: SizeCheck
) -> None:
    path = os.fspath(project.image_path(image))
    if parse_slice_ref(image.file_name) is not None:
        out.not_checked += 1
        return
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        st = None
    if st is None or not stat.S_ISREG(st.st_mode):  # also a FIFO or a device: never opened
        out.missing.append(path)
        return
    if path not in sizes:
        try:
            sizes[path] = _header_size(path, st, apply_exif)
        except ImageTooLargeError:  # its size is known to be over the limit: the app says so on opening
            sizes[path] = None
        except ImageReadError as e:
            sizes[path] = None
            out.unreadable.append((path, str(e).removeprefix(f"{path}: ")))
    actual = sizes[path]
    if actual is None:
        out.not_checked += 1
        return
    out.checked += 1
    declared = (int(image.width), int(image.height))
    if actual != declared:
        cause = size_cause(declared, actual, exif_orientation(path), apply_exif)
        out.mismatches.append(SizeMismatch(image.id, image.file_name, path, declared, actual, cause))
