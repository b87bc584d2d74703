"""How copies of one image in several shards of a split are told to be one image when their paths differ
(issue 16): the split deals each image out under its id, and shards keep it. ``merge`` and ``agreement``
pair images by path, then by this rule, so the figures on the shards are those on the merged project.

Two ways a shard's record comes to name another file than it was dealt: the annotator renamed the file
(and pointed the shard at it) - the image then goes by the new name -, or the annotator works on a copy of
the images of their own (another folder, a USB stick, a laptop) and relocated the shard to it - the image
is then the one dealt out, under the lead's path (``copied_from``)."""

from __future__ import annotations

import filecmp
import os
from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from pixelproof.core.image_folder import StillMissing, name_parts, on_disk
from pixelproof.core.limits import same_file
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.names import annotator_name
from pixelproof.core.paths import is_absolute_name
from pixelproof.core.volumes import expected_identity
from pixelproof.core.wording import plural

FILES_AT_SPLIT = "files_at_split"  # pixelproof.shard: image id -> the file (absolute), size, bytes dealt out
COPY = "copy"  # in a files_at_split entry: the copy relocate took for it {name, bytes, compared}


def _info(shard: Project) -> dict[str, Any]:
    info = shard.app.get("shard")
    return info if isinstance(info, dict) else {}


def shard_annotator(project: Project) -> str | None:
    """The annotator ``split`` dealt ``project`` out to (in NFC, as split wrote it; a shard saved by hand
    or by another tool too), or None when it is no shard: merge credits the shard's new work to this
    name, so the app shows whose shard is open."""
    who = _info(project).get("annotator")
    return annotator_name(who) if isinstance(who, str) and who.strip() else None


def dealt_out(shard: Project, image: ImageRecord) -> bool:
    """Whether the split dealt ``image`` out to ``shard`` under its id (so another record of that id from
    the same split - the base's, another shard's - is the same image, whatever either file is called now)."""
    dealt = _info(shard).get("at_split")
    return isinstance(dealt, dict) and str(image.id) in dealt


def files_at_split(images: list[tuple[str, ImageRecord]]) -> dict[str, dict[str, Any]]:
    """What ``split`` records of each image it deals out (``FILES_AT_SPLIT``): its file, as ``split.
    image_key`` names it (absolute), its size and, for a file (not a volume's slice, a series folder), its
    byte size (``os.stat``: nothing read) - so merge can tell the lead's path of an image an annotator
    relocated to a copy, and whether the copy is that picture."""
    out: dict[str, dict[str, Any]] = {}
    for path, im in images:
        entry: dict[str, Any] = {"path": path, "width": im.width, "height": im.height}
        size = _file_bytes(path) if os.path.isabs(path) else None  # (a project never saved: no folder)
        if size is not None:
            entry["bytes"] = size
        out[str(im.id)] = entry
    return out


def _file_bytes(path: str | os.PathLike[str]) -> int | None:
    """A regular file's byte size, None for anything else (missing, a folder, a name the OS refuses)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_size if os.path.isfile(path) else None


def dealt_bytes(shard: Project, image: ImageRecord) -> int | None:
    """The byte size of ``image``'s file as dealt out, None when the shard does not record it (split by an
    earlier version, or a volume's slice): such a shard pairs its copies as that version did."""
    files = _info(shard).get(FILES_AT_SPLIT)
    entry = files.get(str(image.id)) if isinstance(files, dict) else None
    size = entry.get("bytes") if isinstance(entry, dict) else None
    return size if type(size) is int and size >= 0 else None


def unverified_copy(shard: Project, image: ImageRecord) -> str | None:
    """Why ``image``'s copy cannot be taken for the picture dealt out, when relocate (``check_copies``)
    recorded it (``COPY``) of another byte size than dealt out without comparing pixels (the file dealt
    out was not on the annotator's disk) and the copy is not on this disk either: a copy saved again, or
    another picture by that name - nothing can tell now. None otherwise (the copy here: ``told_apart``
    compares it; the record not this file's: relocated since by other means)."""
    files = _info(shard).get(FILES_AT_SPLIT)
    entry = files.get(str(image.id)) if isinstance(files, dict) else None
    copy = entry.get(COPY) if isinstance(entry, dict) else None
    dealt = dealt_bytes(shard, image)
    if dealt is None or not isinstance(copy, dict) or copy.get("compared") is not False:
        return None
    size, parts = copy.get("bytes"), name_parts(image.file_name)
    if type(size) is not int or size == dealt or not parts or parts[-1] != copy.get("name"):
        return None
    if os.path.exists(on_disk(shard, image)[0]):
        return None
    return (
        f"a copy relocated as {size} bytes, dealt out as {dealt} bytes, whose pixels were not compared "
        "then and cannot be compared now (the copy is not on this disk)"
    )


@lru_cache(maxsize=256)
def _digest(path: str, _stamp: tuple[int, int], apply_exif: bool) -> bytes | None:
    """The decoded pixels' digest (``lint.pictures.pixel_digest``, one implementation) of the file at
    ``path`` as of ``_stamp`` (size, mtime: a file saved again is read again); None when unreadable."""
    from pixelproof.core.imageio import read_image
    from pixelproof.core.lint.pictures import pixel_digest  # lint is heavy: only when a copy is checked

    try:
        return pixel_digest(read_image(path, apply_exif=apply_exif))
    except Exception:  # an unreadable copy is not the picture: said by the caller, never a crash
        return None


def copy_differs(mine: Path, theirs: Path, apply_exif: bool) -> str | None:
    """Why the file ``mine`` is not the picture ``theirs`` is (their byte sizes, the pixels), or None when
    it is: byte-identical, or decoding to the same pixels (a copy saved again, re-encoded or stripped of
    its metadata, is the picture). Reads both only when their bytes differ."""
    try:
        if filecmp.cmp(mine, theirs, shallow=False):
            return None
        a, b = os.stat(mine), os.stat(theirs)
    except OSError as e:
        return f"not comparable with the file dealt out ({e.strerror or e})"
    x = _digest(str(mine), (a.st_size, a.st_mtime_ns), apply_exif)
    y = _digest(str(theirs), (b.st_size, b.st_mtime_ns), apply_exif)
    if x is not None and x == y:
        return None
    pixels = "unreadable" if x is None else "other pixels"
    if a.st_size == b.st_size:
        return f"{a.st_size} bytes like the file dealt out ({theirs}), but {pixels}"
    return f"{a.st_size} bytes, dealt out as {b.st_size} bytes ({theirs}), {pixels}"


def told_apart(shard: Project, image: ImageRecord, project: Project, other: ImageRecord) -> str | None:
    """Why ``shard``'s ``image`` is not the picture ``other`` (of ``project``: the shard as dealt out,
    another shard's copy) is, when that can be told: the shard records byte sizes (``dealt_bytes``),
    both are files on this disk, not one file, and not byte- or pixel-identical (``copy_differs``)."""
    if dealt_bytes(shard, image) is None:
        return None
    mine, theirs = on_disk(shard, image)[0], on_disk(project, other)[0]
    if not (os.path.isfile(mine) and os.path.isfile(theirs)) or same_file(mine, theirs):
        return None
    return copy_differs(mine, theirs, shard.applies_exif)


def dealt_record(shard: Project, image: ImageRecord) -> ImageRecord | None:
    """``image`` as the split dealt it out (its file by absolute path, its size), or None when the shard
    does not record it (split by an earlier version) or the record is not one this version writes."""
    files = _info(shard).get(FILES_AT_SPLIT)
    entry = files.get(str(image.id)) if isinstance(files, dict) else None
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
        return None
    w, h = entry.get("width"), entry.get("height")
    if not (type(w) is int and type(h) is int):
        return None
    return ImageRecord(image.id, entry["path"], w, h, image.extra)


def one_picture(a: ImageRecord, b: ImageRecord) -> bool:
    """Whether two records of one dealt-out id name one picture in two places: the same size, and the same
    file name (its last component; ``relocate`` finds a copy by it) or the same slice identity (a volume's
    slice records keep one: ``volumes.expected_identity``)."""
    if (a.width, a.height) != (b.width, b.height):
        return False
    x, y = name_parts(a.file_name), name_parts(b.file_name)
    if x and y and x[-1] == y[-1]:
        return True
    identity = expected_identity(a.extra)
    return bool(identity) and identity == expected_identity(b.extra)


def another_picture(
    base: Project | None,
    shard: Project,
    image: ImageRecord,
    path: str,
    who: str,
    name: Callable[[str], str],
    merged: bool = True,
) -> tuple[str, str] | None:
    """When a shard's record of a dealt-out id, found at ``path``, names a file of the name dealt out but
    of another size than the base's record of that id (no base: than dealt out), or a file on this disk
    that is not the picture dealt out though of its size (``told_apart``: other bytes and pixels, whatever
    its name): the image's name (the base's, or the dealt path by ``name``) and why it is not that image.
    A different photo by that name on the annotator's disk: its objects were drawn on it, and merged onto
    the lead's picture they would lie. A copy that cannot be compared (``unverified_copy``) is not taken
    for it either. ``merged``: what becomes of it said as merge does it, else as agreement does (left
    out of the comparison). None otherwise."""
    ref = base.images.get(image.id) if base is not None else dealt_record(shard, image)
    if ref is None or not dealt_out(shard, image) or (base is None and path == ref.file_name):
        return None
    x, y = name_parts(image.file_name), name_parts(ref.file_name)
    same_name = bool(x and y and x[-1] == y[-1])
    maybe = ""
    if same_name and (image.width, image.height) != (ref.width, ref.height):
        why = f"{image.width}x{image.height}, dealt out as {ref.width}x{ref.height}"
    else:
        dealt = dealt_record(shard, image)
        same_size = dealt is not None and (image.width, image.height) == (dealt.width, dealt.height)
        why = told_apart(shard, image, shard, dealt) if dealt is not None and same_size else None
        if why is None and same_size and (why := unverified_copy(shard, image)) is not None:
            maybe = "perhaps "
        if why is None:
            return None
    shown = ref.file_name if base is not None else name(ref.file_name)
    n = plural(len(shard.annotations_of(image.id)), "object")
    what = "by that name" if same_name else f"than the one dealt out as {y[-1] if y else ref.file_name}"
    then = (
        f"not merged into it (kept as an image of its own, {n})" if merged else "left out of the comparison"
    )
    way = (
        "; put the copy at that path (or relocate the shard to the file dealt out) to pair it"
        if maybe
        else ""
    )
    return shown, (
        f"{shown}: {who}'s shard points image id {image.id} at {image.file_name}, {why}: {maybe}another "
        f"picture {what}, {then}{way}"
    )


def copied_from(shard: Project, image: ImageRecord, key: str) -> ImageRecord | None:
    """The image as dealt out (``dealt_record``) when the shard, found at ``key`` (``split.image_key``),
    was pointed since at a copy of its file elsewhere (``relocate``, Locate Missing Images on an
    annotator's own copy of the images), and not renamed - a file renamed (the dealt file gone and the
    shard's there, or the dealt file by another name: a link, a case-only rename) goes by its new name.
    The copy is the picture: with both files on this disk, byte- or pixel-identical (``told_apart``),
    whatever it is called; the copy not here (the shard sent back), of the file name dealt out, or of
    another name when the file dealt out is here (the same id and size: nothing else points a record
    there). A shard that records no byte sizes (an earlier split) pairs as that version did: by size and
    file name (``one_picture``). None otherwise. Paired by path alone, such images came back twice."""
    dealt = dealt_record(shard, image)
    if dealt is None or dealt.file_name == key or (image.width, image.height) != (dealt.width, dealt.height):
        return None
    mine, theirs = on_disk(shard, image)[0], on_disk(shard, dealt)[0]
    here, there = os.path.exists(mine), os.path.exists(theirs)
    if here and (not there or same_file(Path(mine), Path(theirs))):
        return None
    if dealt_bytes(shard, image) is None:
        return dealt if one_picture(image, dealt) else None
    if here:
        return None if told_apart(shard, image, shard, dealt) is not None else dealt
    if unverified_copy(shard, image) is not None:
        return None
    return dealt if there or one_picture(image, dealt) else None


def moved_away(shard: Project, image: ImageRecord, dealt: ImageRecord) -> bool:
    """Whether a shard's record ``copied_from`` pairs with the file ``dealt`` out still names that file, by
    a path relative to the folder the shard was saved in: the shard file was moved since (mailed back,
    saved elsewhere) and the path leads nowhere from its folder now. Not a copy: relocate records the copy
    it takes (``COPY``), its path ends otherwise than the file dealt out, or a file is there."""
    files = _info(shard).get(FILES_AT_SPLIT)
    entry = files.get(str(image.id)) if isinstance(files, dict) else None
    if isinstance(entry, dict) and COPY in entry:
        return False
    if is_absolute_name(image.file_name):  # kept as written when the shard moves: a copy elsewhere
        return False
    mine, theirs = name_parts(image.file_name), name_parts(dealt.file_name)
    if not mine or theirs[-len(mine) :] != mine:
        return False
    return not os.path.exists(on_disk(shard, image)[0])  # (moved with copies of the images: copies indeed)


def check_copies(
    project: Project, found: dict[int, str]
) -> tuple[dict[int, str], list[StillMissing], list[str], dict[int, dict[str, Any]]]:
    """``find_moved``'s finds (image id -> new name) on a shard, checked against the files dealt out: the
    finds kept, those refused, warnings and what the shard records of each copy kept (``COPY``, for
    ``RelocateImages``: its file name, byte size and whether its pixels were compared - so a shard sent
    back without its copies can be checked at merge, ``unverified_copy``). Where the file dealt out is on
    this disk, a copy that is not that picture (``copy_differs``: not byte- nor pixel-identical) is
    refused; where it is not (an annotator's laptop), a copy of another byte size than dealt out is
    relocated with a warning naming both - a copy saved again (re-encoded, its metadata stripped) is the
    picture, another picture by that name is not, and only the pixels of both tell (merge compares them
    where both are here). A project that records no byte sizes (no shard, an earlier split) is left as
    found."""
    kept, refused, warnings = dict(found), [], []
    copies: dict[int, dict[str, Any]] = {}
    for iid, name in found.items():
        im = project.images.get(iid)
        size = dealt_bytes(project, im) if im is not None else None
        dealt = dealt_record(project, im) if im is not None and size is not None else None
        if im is None or dealt is None:
            continue
        copy = Path(os.path.normpath(on_disk(project, replace(im, file_name=name))[0]))
        theirs = Path(os.path.normpath(on_disk(project, dealt)[0]))
        mine = _file_bytes(copy)
        if mine is None:  # a volume's slice, a series folder: as found
            continue
        compared = os.path.isfile(theirs)
        if compared:
            why = None if same_file(copy, theirs) else copy_differs(copy, theirs, project.applies_exif)
            if why is not None:
                del kept[iid]
                text = f"{im.file_name}: {copy} is another picture by that name: {why}; not relocated"
                refused.append(StillMissing(iid, "refused", text))
                continue
        copies[iid] = {"name": copy.name, "bytes": mine, "compared": compared}
        if not compared and mine != size:
            warnings.append(
                f"{im.file_name}: {copy} is {mine} bytes, dealt out as {size} bytes ({theirs}, not on this "
                "disk): the picture saved again, or another picture by that name - check that it shows the "
                "picture dealt out; relocated"
            )
    return kept, refused, warnings, copies


# ------------------------------------------------------------------------------------------------
# a shard's image and the base's record of its id (``merge`` with a base)


def relocated_in_base(base: Project, shard: Project, image: ImageRecord) -> ImageRecord | None:
    """The base's record of a shard's ``image`` when the base relocated it after the split (``relocate``,
    Locate Missing Images) or the lead renamed its file: the same id and size, the same file (or slice)
    name or the id one the split dealt out (``renamed_in_base``), the shard's file gone and the
    base's there. Paired by path alone, the annotators' work went onto a second image whose file is
    missing, and the base's stayed empty."""
    b = base.images.get(image.id)
    if b is None or (b.width, b.height) != (image.width, image.height) or unverified_copy(shard, image):
        return None
    old, new = name_parts(image.file_name), name_parts(b.file_name)
    same_name = bool(old and new and old[-1] == new[-1])
    if not (same_name or renamed_in_base(base, b, shard, image)) or os.path.exists(on_disk(shard, image)[0]):
        return None
    return b if os.path.exists(on_disk(base, b)[0]) else None


def copied_in_shard(base: Project, shard: Project, image: ImageRecord) -> ImageRecord | None:
    """The base's record of a shard's ``image`` the annotator relocated to a copy of its file (their own
    copy of the images) when the shard does not record the files it was dealt (``copied_from`` reads
    that): dealt out under the same id (``dealt_out``) and ``one_picture`` with the base's record - the
    same size and file name. Paired by path alone, it came back as a second image, its id renumbered."""
    b = base.images.get(image.id)
    if b is None or not dealt_out(shard, image) or not one_picture(image, b) or unverified_copy(shard, image):
        return None
    return b if told_apart(shard, image, base, b) is None else None


def renamed_in_base(base: Project, b: ImageRecord, shard: Project, image: ImageRecord) -> bool:
    """Whether the base's ``b`` is the shard's ``image`` under a name the lead gave it: dealt out under its
    id (``dealt_out``) and holding one of the objects dealt out on it, or dealt out
    empty (nothing to tell by).
    An image removed since the split leaves its id free for the next one added (``next_image_id``), which
    holds none of them: paired by id alone, the annotator's objects went onto that other picture."""
    from pixelproof.core.merge_image import image_fingerprint  # it imports split, which imports this

    if not dealt_out(shard, image):
        return False
    mine = [a.id for a in shard.annotations_of(image.id)]
    if any(base.annotations[i].image_id == b.id for i in mine if i in base.annotations):
        return True
    return shard.app["shard"]["at_split"][str(image.id)] == image_fingerprint(())


def renamed_in_shard(base: Project, shard: Project, image: ImageRecord) -> ImageRecord | None:
    """The base's record of a shard's ``image`` whose file the annotator renamed (and pointed the shard
    at: Locate Missing Images): dealt out under the same id (``dealt_out``), the same size, the base's file
    gone (or the shard's file by another name: a rename in case only on a case-insensitive disk, a link)
    and the shard's there. Paired by path alone, it became a second image (its ids renumbered) beside the
    base's, whose file was gone or the same and which kept the objects as dealt out."""
    b = base.images.get(image.id)
    if b is None or not dealt_out(shard, image) or (b.width, b.height) != (image.width, image.height):
        return None
    (mine, here), (theirs, there) = on_disk(shard, image), on_disk(base, b)
    if not os.path.exists(mine):
        return None
    if os.path.exists(theirs):  # one file by two names, and of a volume the same slice
        same_slice = (here is None) == (there is None) and (
            here is None or replace(here, source="") == replace(there, source="")
        )
        if not (same_slice and same_file(Path(mine), Path(theirs))):
            return None
    return b


# ------------------------------------------------------------------------------------------------
# copies of one image in two shards (``merge`` without a base, ``agreement``)


class RenamedTwins:
    """Finds, among shards read one after the other, another shard's copy of an image when one of the two
    annotators renamed its file (and pointed the shard at it), or both relocated their shards to copies
    of it (shards that record no ``files_at_split``): both dealt out by one split under the same id
    (``dealt_out``), the same size, one file there and the other gone - or ``one_picture``. Paired by
    path alone, the copies were two images, each one annotator's version, neither compared nor kept side
    by side."""

    def __init__(self) -> None:
        self._first: dict[tuple[str, int], tuple[str, int, Project, ImageRecord]] = {}

    def find(
        self, k: int, split: str | None, shard: Project, key: str, image: ImageRecord
    ) -> tuple[str, int, bool | None] | None:
        """For ``image`` of shard number ``k`` (of split ``split``), found under ``key`` (its path) where
        no earlier copy is: the key and shard number of the first copy of its dealt id when it is this
        image renamed or copied, and whether the new name (the file there) is this shard's (None: copies,
        neither renamed - the first's name stands). Else None, and the first copy of each dealt id is
        remembered."""
        if split is None or not dealt_out(shard, image) or unverified_copy(shard, image) is not None:
            return None
        other_key, j, project, other = self._first.setdefault((split, image.id), (key, k, shard, image))
        if other_key == key or (other.width, other.height) != (image.width, image.height):
            return None
        here = os.path.exists(on_disk(shard, image)[0])
        there = os.path.exists(on_disk(project, other)[0])
        if here != there:
            return other_key, j, here
        if not one_picture(image, other) or told_apart(shard, image, project, other) is not None:
            return None
        return other_key, j, None
