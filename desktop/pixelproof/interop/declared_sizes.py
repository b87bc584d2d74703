"""After a reader of a format that declares image sizes (``Format.declares_sizes``: COCO, LabelMe, VOC,
CVAT, Cityscapes), each image's declared size is compared with its file's header (``core.declared_size``):
``Format.read`` runs this for every such reader, so none can import a resized, EXIF-turned or wrongly
placed picture silently. The declared size is kept (the objects' frame); each mismatch is a problem line."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

from pixelproof.core.declared_size import SizeMismatch, check_sizes, turn_for
from pixelproof.core.wording import plural
from pixelproof.interop._util import ImportResult, ProblemCallback, ProgressCallback

LISTED = 100  # mismatches listed one a line; past them one line counts the rest by cause


def _cause_kind(m: SizeMismatch) -> str:
    return m.cause.split(":", 1)[0]


def report_declared_sizes(
    result: ImportResult, on_problem: ProblemCallback | None = None, progress: ProgressCallback | None = None
) -> None:
    """Add a problem line to ``result`` for each image whose file is not the size its
    annotations declare, passed to ``on_problem`` as it is found; ``progress(done, total)`` counts images."""
    check = check_sizes(result.project, progress=progress)

    def say(line: str) -> None:
        result.problems.append(line)
        if on_problem is not None:
            on_problem(line)

    for path, why in check.unreadable[:LISTED]:
        say(f"{path}: {why}; its size not checked, imported at the size its annotations declare")
    for m in check.mismatches[:LISTED]:
        (dw, dh) = m.declared
        say(m.line("the annotations say", f"imported at {dw}x{dh}, the size the objects were drawn on"))
    rest = check.mismatches[LISTED:]
    if rest:
        kinds = Counter(_cause_kind(m) for m in rest)
        said = "; ".join(f"{n} {kind}" for kind, n in kinds.most_common())
        say(
            f"{plural(len(rest), 'more image')} whose file is not the size its annotations declare "
            f"(each imported at its declared size): {said}; `pixelproof validate --images` lists them all"
        )


def export_size_warning(
    project: Any, images: str | None, progress: ProgressCallback | None = None
) -> str | None:
    """The warning of an export whose image files are not all the size the project declares (reported on
    import, ``validate --images``): the objects are written in the declared frame, so a tool reading such
    a file sees them misplaced. A copy (``images="copy"``) of a file whose EXIF orientation, applied the
    other way, gives the declared size is written in that frame (``place_image``): not counted."""
    check = check_sizes(project, progress=progress)
    wrong = [m for m in check.mismatches if not (images == "copy" and _copy_fits(m, project.applies_exif))]
    if not wrong:
        return None
    shown = ", ".join(f"{m.path} ({m.actual[0]}x{m.actual[1]} px, declared {m.declared[0]}x{m.declared[1]})"
                      for m in wrong[:5])  # fmt: skip
    more = f" and {len(wrong) - 5} more" if len(wrong) > 5 else ""
    return (
        f"{plural(len(wrong), 'image')} whose file is not the size the project declares, written with the "
        f"objects on the declared size (a tool reading the file sees them misplaced; `pixelproof validate "
        f"--images` lists them with the likely cause): {shown}{more}"
    )


def _copy_fits(m: SizeMismatch, apply_exif: bool) -> bool:
    return turn_for(m.path, m.declared, apply_exif) != apply_exif


TAIL = 4096  # bytes read from a picture's end: its end marker, past the padding some writers add
END_MARKS = {b"\x89PNG\r\n\x1a\n": (b"IEND\xaeB`\x82", "PNG"), b"\xff\xd8\xff": (b"\xff\xd9", "JPEG")}


def damaged_image(path: Any) -> str | None:
    """Why the PNG or JPEG at ``path`` is incomplete, or None: its end marker (PNG's IEND chunk, JPEG's EOI)
    is missing from its last ``TAIL`` bytes, so the file was cut short or written over behind a header that
    still reads (the size it gives is no evidence the picture is whole). Two small reads a file, not a
    decode: a decode cost 33 ms a 1920 px JPEG, minutes on a 10,000-image export. Other formats, a
    missing file, a FIFO (never opened: it would wait) and one that cannot be opened are not this check's."""
    if not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as f:
            head = f.read(8)
            kind = next((v for k, v in END_MARKS.items() if head.startswith(k)), None)
            if kind is None:
                return None
            size = f.seek(0, 2)
            f.seek(max(0, size - TAIL))
            tail = f.read(TAIL)
    except OSError:
        return None
    mark, name = kind
    return (
        None if mark in tail else f"{path}: a {name} file without its end marker (cut short or written over)"
    )


def damaged_warning(damaged: list[tuple[Any, tuple[int, int], str]]) -> str | None:
    """The warning of an export listing images whose files are incomplete (``damaged_image``): each is
    written at the size the project records (the frame its objects were drawn on), named with why, so a
    training run does not meet the broken file first. ``damaged``: (file, recorded size, why) each."""
    if not damaged:
        return None
    shown = "; ".join(f"{why} (written at the recorded {w}x{h})" for _, (w, h), why in damaged[:5])
    more = f"; and {len(damaged) - 5} more" if len(damaged) > 5 else ""
    return (
        f"{plural(len(damaged), 'image')} whose file is incomplete (cut short, or written over behind a "
        f"readable header), listed at the size the project records, not the header's; "
        f"replace the file from its source: {shown}{more}"
    )
