"""The flat file names exports give images (VOC, LabelMe, masks, COCO's copied images...; YOLO per folder).

An image keeps its base name while no other image shares it. Images that share one (MVTec AD numbers
every defect folder's images from ``000.png``) are named by the deepest folders that tell them apart,
as the Images panel shows them (``core.names.distinct_file_names``): ``dent_000``, ``scratch_000``,
``test_good_000``. A name that says which picture it is, and does not change when images are imported in
another order; a number is added only where no folder tells two images apart.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.names import windows_device

STEM_BYTES = 200  # a longer stem is cut (file systems allow 255 bytes a name, with room for suffixes)


def _stem(file_name: str) -> str:
    """The base name without suffix; a slice's is its volume's plus the slice (``ct_z012``)."""
    from pixelproof.core.volumes import parse_slice_ref, volume_stem

    ref = parse_slice_ref(file_name)
    if ref is None:  # a name written on Windows (``images\a.png``) is ``a`` too, not ``images\a``
        return Path(file_name.replace("\\", "/")).stem
    parts = [volume_stem(ref.source)] + [k + v for k, v in ref.volume_parts()]
    return "_".join([*parts, f"{ref.axis}{ref.index:03d}"])


def cut(name: str) -> str:
    """``name``, cut to ``STEM_BYTES`` with a hash of the whole name when longer (a name the file system
    refuses would stop an export at that image)."""
    raw = name.encode("utf-8", "surrogatepass")
    if len(raw) <= STEM_BYTES:
        return name
    digest = hashlib.sha1(raw).hexdigest()[:10]
    return raw[: STEM_BYTES - 11].decode("utf-8", "ignore") + "_" + digest


def file_stem(file_name: str) -> str:
    """The stem an export names an image's files after, before any is made unique (``unique_stems``):
    never a Windows device name (``CON.png`` is ``_CON``: Windows opens the console, not a file, for
    ``CON.png``), so the made name is compared with the others and stays unique."""
    return _not_device(cut(_stem(file_name)))


def free_name(taken: set[str], stem: str, suffix: str = "", tried: dict[str, int] | None = None) -> str:
    """The first of ``<stem><suffix>``, ``<stem>_2<suffix>``, ... not in ``taken`` (compared ignoring
    case, as names on a case-insensitive disk), added to it: a numbered output must not land on a name
    another one has (``ct`` twice beside a ``ct_2``). ``tried``: the number each stem got last, for calls
    with one ``taken`` that only grows (8,000 images of one name tried 32 M names)."""
    key = f"{stem}\0{suffix}".casefold()
    n = tried.get(key, 1) if tried is not None else 1
    made = stem + suffix if n == 1 else f"{stem}_{n}{suffix}"
    while made.casefold() in taken:
        n += 1
        made = f"{stem}_{n}{suffix}"
    taken.add(made.casefold())
    if tried is not None:
        tried[key] = n
    return made


# Not in a file name on Windows (and ``[]``: readers glob for a stem), nor control characters.
_NOT_PORTABLE = re.compile(r'[<>:"/\\|?*\[\]\x00-\x1f\x7f]')


@functools.lru_cache(maxsize=65536)  # a dataset's folder names repeat image after image
def portable(folder: str) -> str:
    """A folder's name as the front of a file name on Windows, macOS and Linux: characters Windows
    refuses (``:``, ``\\``, ``?``, ...) and control characters become ``_``; dots and spaces around it
    are dropped (``.cache`` would hide the file, ``..`` is no name); nothing left is ``_``."""
    return _NOT_PORTABLE.sub("_", folder).strip(" .") or "_"


def _not_device(name: str) -> str:
    """``name``, with ``_`` in front when Windows takes it for a device (``nul.d_000.png`` is ``NUL``)."""
    return f"_{name}" if windows_device(name) else name


def file_folders(file_name: str) -> list[str]:
    """The folders of an image's file name (a slice's: its volume's), outermost first, as written (``..``
    and a drive included; ``portable`` makes each a name an export can write)."""
    from pixelproof.core.volumes import parse_slice_ref

    ref = parse_slice_ref(file_name)
    source = ref.source if ref is not None else file_name
    return [p for p in source.replace("\\", "/").split("/") if p not in ("", ".")][:-1]


def _folders(file_name: str) -> list[str]:
    """The folders of an image's file (a slice's: its volume's), outermost first, as file-name parts."""
    return [portable(p) for p in file_folders(file_name)]


def _by_folders(stems: dict[int, str], folders: dict[int, list[str]]) -> dict[int, str]:
    """Image id -> ``<folders>_<stem>`` for images sharing a stem: each with the fewest of its deepest
    folders (at least one) that no image of ``stems`` in another folder ends with (compared ignoring
    case), all of them when none does; images of one folder (``x.png`` and ``x.jpg``, a path twice) are
    numbered later, without a folder when all are in one. An image in no folder keeps its stem."""
    index: dict[tuple[str, ...], int] = {}  # each folder (ignoring case) once, by number: tuples hash slowly
    of = {i: index.setdefault(tuple(f.casefold() for f in fs), len(index)) for i, fs in folders.items()}
    parts = list(index)
    depth = [0] * len(parts)  # a folder -> how many of its folders its images are named by
    left = [] if len(parts) == 1 else [n for n, p in enumerate(parts) if p]  # one folder: numbered, no folder
    tails: dict[tuple[str, int], int] = {}  # (folder, tail below it) -> a number for that tail
    ends = [0] * len(parts)  # each folder's last k parts, one more put in front each turn, as a number:
    k = 1  # a tail no other folder has is no other's when longer, so only the folders left are compared
    while left:
        for n in left:
            if len(parts[n]) >= k:
                ends[n] = tails.setdefault((parts[n][-k], ends[n]), len(tails) + 1)
        seen = Counter(ends[n] for n in left)
        still = []
        for n in left:
            if seen[ends[n]] == 1 or k == len(parts[n]):
                depth[n] = k
            else:
                still.append(n)
        left, k = still, k + 1
    out = {}
    for i, stem in stems.items():
        named = folders[i][len(folders[i]) - depth[of[i]] :]
        out[i] = _not_device(cut("_".join([*named, stem])))
    return out


def unique_stems(project: Project, images: Iterable[ImageRecord] | None = None) -> dict[int, str]:
    """Image id -> a file stem unique in the project (or among ``images``, the ones written to one
    folder), ignoring case (case-insensitive file systems, and ``x.json`` beside ``X.json`` confuses
    everyone): the base name while no other image has it, else the deepest folders that tell it apart
    (``plate/test/dent/000.png`` beside ``.../scratch/000.png``: ``dent_000``), else that with the first
    free number (``dent_000_2``: the same path twice, ``Dent/`` beside ``dent/``). The same names whatever
    the order images were imported in: where several want one name, the first by file name gets it."""
    chosen = list(project.images.values() if images is None else images)
    names = {im.id: im.file_name for im in chosen}
    stems = {im.id: file_stem(im.file_name) for im in chosen}
    seen: Counter[str] = Counter(s.casefold() for s in stems.values())
    out = {i: s for i, s in stems.items() if seen[s.casefold()] == 1}
    groups: dict[str, dict[int, str]] = {}
    for i, s in stems.items():
        if i not in out:
            groups.setdefault(s.casefold(), {})[i] = s
    wanted: dict[int, str] = {}
    for group in groups.values():
        wanted.update(_by_folders(group, {i: _folders(names[i]) for i in group}))
    taken = {s.casefold() for s in out.values()}
    clash = Counter(s.casefold() for s in wanted.values())
    for i, made in wanted.items():
        if clash[made.casefold()] == 1 and made.casefold() not in taken:
            out[i] = made
            taken.add(made.casefold())
    tried: dict[str, int] = {}
    for i in sorted(set(wanted) - set(out), key=lambda i: (names[i].casefold(), names[i], i)):
        out[i] = free_name(taken, wanted[i], tried=tried)
    return out
