"""``duplicate_picture``: the same picture under two names (identical decoded pixels) or a near copy of it
(re-encoded, resized, slightly cropped or brightened: pHash within ``near_picture_bits``), what FiftyOne's
exact / near duplicates and cleanlab Datalab's ``near_duplicate`` issue find. Such a pair is a strong sign
of a label error when the two are labelled differently, and a leak when they lie in different splits.

Reading every picture is what costs, so it is opt-in: ``read_pictures`` decodes each file once on a batch
executor (``core.batch``) through ``core.imageio.read_image``, the path lint's model work reads pictures by
(16-bit, DICOM and volume slices, multichannel composites alike), and keeps per file only a 16-byte digest
of the pixels and a 64-bit pHash. ``lint_project(..., pictures=...)`` pairs them (``matches``).

The pass also has each picture's size as read, so ``image_size_mismatch`` says a picture that is not the
size its record declares (the objects' frame), with ``core.declared_size``'s cause and words.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from pixelproof.core.declared_size import SizeMismatch, size_cause
from pixelproof.core.imageio import exif_orientation, read_image, to_display8
from pixelproof.core.labels import is_label
from pixelproof.core.lint.problems import Problem
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.paths import is_absolute_name
from pixelproof.core.split_names import split_of
from pixelproof.core.volumes import expected_identity, parse_slice_ref
from pixelproof.core.wording import plural

PICTURE_SECONDS = 0.05  # decoding and hashing a picture of a few megapixels on one core: sizes batch chunks
QUARTER = 16  # bits of each of a pHash's four quarters: the buckets ``near_pairs`` looks in
CANDIDATES = 1 << 22  # candidate pairs checked at once (memory stays a few tens of MB)


def phash(pixels: np.ndarray) -> int:
    """The 64-bit perceptual hash ``imagehash.phash`` computes (grayscale, 32x32 Lanczos, 2-D DCT, the 8x8
    lowest frequencies against their median; bit 63 = the first), as an int. Pictures deeper than 8 bits
    are first brought to 8 bits as the app shows them (``to_display8``'s window)."""
    return _dct_hash(_gray32(pixels))


def picture_hash(pixels: np.ndarray) -> int | None:
    """``phash``, or None for a picture of one colour at the hash's 32x32: it has no structure to describe
    (black hashes to 0, any other flat colour to the DC bit alone), so every blank frame would be a "near
    copy" of every other; such a picture pairs only by identical pixels."""
    gray = _gray32(pixels)
    return None if gray.min() == gray.max() else _dct_hash(gray)


def _gray32(pixels: np.ndarray) -> np.ndarray:
    img = pixels
    if img.ndim == 3 and img.shape[2] not in (3, 4):
        img = img[..., 0]
    if img.dtype != np.uint8:
        img = to_display8(img)
    gray = Image.fromarray(np.ascontiguousarray(img)).convert("L").resize((32, 32), Image.Resampling.LANCZOS)
    return np.asarray(gray)


def _dct_hash(gray: np.ndarray) -> int:
    import scipy.fft  # here: the canvas tools import core.lint at app start-up, scipy loads when used

    # scipy.fft: imagehash's scipy.fftpack runs the same pocketfft, and the bundle leaves fftpack out
    dct = scipy.fft.dct(scipy.fft.dct(gray, axis=0), axis=1)
    low = dct[:8, :8]
    return int.from_bytes(np.packbits((low > np.median(low)).ravel()).tobytes(), "big")


def pixel_digest(pixels: np.ndarray) -> bytes:
    """16 bytes that differ for any two arrays of other values, shape or sample type (byte order aside)."""
    native = np.ascontiguousarray(pixels, dtype=pixels.dtype.newbyteorder("="))
    h = hashlib.blake2b(f"{native.dtype.str}{native.shape}".encode(), digest_size=16)
    h.update(native.data)
    return h.digest()


@dataclass(frozen=True, slots=True)
class PictureItem:
    path: str
    expect: dict[str, Any] | None  # the record's slice identity: a changed volume is refused, never read


def picture_task(apply_exif: bool, items: list[PictureItem]) -> list[Any]:
    """(digest, ``picture_hash``, (width, height, EXIF orientation)) or ``Failed(why)`` per picture, on any
    executor; only the hashes and sizes travel."""
    from pixelproof.core.batch import Failed

    out: list[Any] = []
    for item in items:
        try:
            pixels = read_image(item.path, apply_exif=apply_exif, expect=item.expect)
            shown = (pixels.shape[1], pixels.shape[0], exif_orientation(item.path))
            out.append((pixel_digest(pixels), picture_hash(pixels), shown))
        except Exception as e:  # one picture never stops the run: it is said and left out
            text = str(e).replace(f"{item.path}: ", "") or type(e).__name__
            out.append(Failed(text))
    return out


@dataclass(slots=True)
class Pictures:
    """Per image id its pixels' digest and pHash (None: a flat picture, ``picture_hash``; records of one file
    share them); files not read, and why."""

    digests: dict[int, bytes] = field(default_factory=dict)
    hashes: dict[int, int | None] = field(default_factory=dict)
    shown: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # width, height as read; EXIF
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (file name, why)

    def summary(self) -> dict[str, Any]:
        """What a report says of the pass (``options.pictures``)."""
        return {
            "read": len(self.digests),
            "unreadable": [{"file_name": n, "reason": r} for n, r in self.unreadable],
        }


def read_pictures(
    project: Project,
    executor: Any = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    path_map: Any = None,
) -> Pictures:
    """Decode and hash every file of the project once (``executor``: ``core.batch``; default here).
    ``progress(done, total)`` counts files; ``cancelled()`` stops it (``BatchCancelled``). ``path_map``:
    where a cluster's workers see the files."""
    from pixelproof.core.batch import Failed, PathMap, SerialExecutor, run_batch

    paths = path_map or PathMap()
    by_file: dict[str, list[int]] = {}
    for iid in sorted(project.images):
        by_file.setdefault(project.images[iid].file_name, []).append(iid)
    names = list(by_file)
    items = []
    for name in names:
        im = project.images[by_file[name][0]]
        path = paths(im.file_name if is_absolute_name(im.file_name) else project.image_path(im))
        items.append(PictureItem(str(path), expected_identity(im.extra) or None))
    feed = None if progress is None else (lambda p: progress(p.done, p.total))
    out = Pictures()
    steps = run_batch(
        picture_task, project.applies_exif, items, executor or SerialExecutor(),
        seconds_per_item=PICTURE_SECONDS, on_progress=feed, cancelled=cancelled,
    )  # fmt: skip
    for index, result in steps:
        if isinstance(result, Failed):
            out.unreadable.append((names[index], result.reason))
            continue
        for iid in by_file[names[index]]:
            out.digests[iid], out.hashes[iid], out.shown[iid] = result
    return out


# ------------------------------------------------------------------------------------------------
# pairing


def popcount(x: np.ndarray) -> np.ndarray:
    """Set bits of each uint64 (numpy 2's ``bitwise_count``, else a byte table)."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(x).astype(np.int64)
    table = np.array([bin(i).count("1") for i in range(256)], dtype=np.int64)
    return table[np.ascontiguousarray(x, dtype=np.uint64).view(np.uint8).reshape(-1, 8)].sum(axis=1)


def _masks(radius: int) -> np.ndarray:
    """Every 16-bit value with at most ``radius`` bits set."""
    values = np.arange(1 << QUARTER, dtype=np.int64)
    return values[popcount(values.astype(np.uint64)) <= radius]


def near_pairs(hashes: np.ndarray, bits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair (i < j) of ``hashes`` (uint64) at most ``bits`` apart, and its distance.

    Multi-index hashing: of two hashes within ``bits``, one of the four 16-bit quarters is within
    ``bits // 4`` (pigeonhole), so each hash looks only in the buckets of its quarters' values and those
    that many bits away (17 buckets a quarter at the default 6 bits); 100,000 pictures take a second or two,
    not the five billion comparisons of every pair."""
    h = np.asarray(hashes, dtype=np.uint64)
    n = len(h)
    found: list[tuple[np.ndarray, np.ndarray]] = []
    masks = _masks(bits // 4)
    for q in range(64 // QUARTER):
        keys = ((h >> np.uint64(QUARTER * q)) & np.uint64((1 << QUARTER) - 1)).astype(np.int64)
        order = np.argsort(keys, kind="stable")
        counts = np.bincount(keys, minlength=1 << QUARTER)
        starts = np.cumsum(counts) - counts
        for m in masks:
            target = keys ^ m
            found += _bucket_pairs(h, bits, target, counts[target], starts[target], order)
    if not found:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    flat = np.unique(np.concatenate([i * n + j for i, j in found]))
    i, j = flat // n, flat % n
    return i, j, popcount(h[i] ^ h[j])


def _bucket_pairs(
    h: np.ndarray, bits: int, target: np.ndarray, cnt: np.ndarray, start: np.ndarray, order: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """The pairs (i < j, within ``bits``) of each hash i with the members of its target bucket, in blocks
    of at most ``CANDIDATES`` candidates (a few huge buckets never take all memory)."""
    out = []
    ends = np.cumsum(cnt)
    first = 0
    while first < len(h):
        last = max(first + 1, int(np.searchsorted(ends, ends[first] - cnt[first] + CANDIDATES, "right")))
        rows = np.arange(first, min(last, len(h)))
        first = rows[-1] + 1
        c = cnt[rows]
        total = int(c.sum())
        if total == 0:
            continue
        i = np.repeat(rows, c)
        offsets = np.arange(total) - np.repeat(np.cumsum(c) - c, c)
        j = order[np.repeat(start[rows], c) + offsets]
        keep = j > i
        i, j = i[keep], j[keep]
        near = popcount(h[i] ^ h[j]) <= bits
        if near.any():
            out.append((i[near], j[near]))
    return out


@dataclass(frozen=True, slots=True)
class Match:
    """An image's earlier copy: ``other`` (image id), pHash bits apart, identical pixels or not."""

    other: int
    distance: int
    exact: bool


def _group(file_name: str) -> str:
    """Images never paired with each other: the slices of one volume (neighbours look alike by nature) and
    the records of one file (``duplicate_image`` says that)."""
    ref = parse_slice_ref(file_name)
    return ref.source if ref is not None else file_name


class _Earliest:
    """Per key, the earliest image and the earliest of another group than it: so the earliest image of any
    group but one's own is found in one look."""

    def __init__(self, group: Mapping[int, str]) -> None:
        self.group = group
        self.first: dict[Any, int] = {}
        self.second: dict[Any, int] = {}

    def add(self, key: Any, iid: int) -> None:
        first = self.first.setdefault(key, iid)
        if first != iid and key not in self.second and self.group[first] != self.group[iid]:
            self.second[key] = iid

    def before(self, key: Any, iid: int) -> int | None:
        """The earliest image of ``key`` earlier than ``iid`` and not of its group."""
        c = self.first.get(key)
        if c is not None and self.group[c] == self.group[iid]:
            c = self.second.get(key)
        return c if c is not None and c < iid else None


def matches(images: Mapping[int, ImageRecord], pictures: Pictures, bits: int) -> dict[int, Match]:
    """Image id -> its earlier copy: the earliest with identical pixels, else the nearest earlier near copy
    (fewest bits apart, then the lowest id). Images of one group (``_group``) are never paired."""
    ids = sorted(i for i in pictures.digests if i in images)
    group = {i: _group(images[i].file_name) for i in ids}
    exact, near = _Earliest(group), _Earliest(group)
    hashed = [i for i in ids if pictures.hashes.get(i) is not None]  # a flat picture: identical pixels only
    values = np.array([pictures.hashes[i] for i in hashed], dtype=np.uint64)
    unique, which = np.unique(values, return_inverse=True)
    slot = dict(zip(hashed, which.tolist(), strict=True))
    for i in ids:
        exact.add(pictures.digests[i], i)
        if i in slot:
            near.add(slot[i], i)
    neighbours: dict[int, list[tuple[int, int]]] = {u: [(u, 0)] for u in range(len(unique))}
    for a, b, d in zip(*(x.tolist() for x in near_pairs(unique, bits)), strict=True):
        neighbours[a].append((b, d))
        neighbours[b].append((a, d))
    out: dict[int, Match] = {}
    for i in ids:
        same = exact.before(pictures.digests[i], i)
        if same is not None:
            out[i] = Match(same, 0, True)
            continue
        if i not in slot:
            continue
        near_ones = ((d, c) for v, d in neighbours[slot[i]] if (c := near.before(v, i)) is not None)
        best = min(near_ones, default=None)
        if best is not None:
            out[i] = Match(best[1], best[0], False)
    return out


# ------------------------------------------------------------------------------------------------
# the problem


def _counts(project: Project, image_id: int, void: set[int]) -> Counter[str]:
    names = {cid: c.name for cid, c in project.categories.items()}
    return Counter(
        names.get(a.category_id, str(a.category_id))
        for a in project.annotations_of(image_id)
        if is_label(a) and a.category_id not in void
    )


def picture_problem(project: Project, image_id: int, match: Match, bits: int) -> Problem | None:
    """The ``duplicate_picture`` of ``image_id`` with the labels and splits as they are now (None when the
    other image is gone). Score: 0.6 identical pixels, 0.5..0.55 a near copy (by distance); + 0.25
    labelled differently (class counts differ), + 0.15 in different splits."""
    image, other = project.images.get(image_id), project.images.get(match.other)
    if image is None or other is None:
        return None
    if match.exact:
        msg = (
            f"{image.file_name} is the same picture as {other.file_name} (image {other.id}): identical pixels"
        )
        score = 0.6
    else:
        msg = (
            f"{image.file_name} is a near copy of {other.file_name} (image {other.id}): pHash "
            f"{plural(match.distance, 'bit')} apart (near_picture_bits {bits})"
        )
        score = 0.55 - 0.05 * match.distance / max(bits, 1)
    void = project.void_category_ids()
    mine, theirs = _counts(project, image.id, void), _counts(project, other.id, void)
    differ = sorted(c for c in mine.keys() | theirs.keys() if mine[c] != theirs[c])
    if differ:
        score += 0.25
        msg += "; labelled differently (" + ", ".join(f"{c} {mine[c]} vs {theirs[c]}" for c in differ) + ")"
    splits = split_of(image), split_of(other)
    leak = None not in splits and splits[0] != splits[1]
    if leak:
        score += 0.15
        msg += (
            f"; in different splits ({splits[0]} vs {splits[1]}): the picture leaks from one into the other"
        )
    if not differ and not leak:
        msg += "; the picture counts twice"
    figures = {
        "other_image_id": other.id,  # an int: exact in the JSON for any id (a float is not above 2**53)
        "distance": float(match.distance),
        "exact": float(match.exact),
    }
    box = [0.0, 0.0, float(image.width), float(image.height)]
    return Problem(
        "duplicate_picture",
        min(1.0, score),
        image.id,
        image.file_name,
        None,
        None,
        box,
        msg,
        None,
        figures=figures,
    )


def size_problem(project: Project, image_id: int, shown: tuple[int, int, int] | None) -> Problem | None:
    """The ``image_size_mismatch`` of ``image_id`` when its picture, read as ``shown`` (width, height, EXIF
    orientation), is not the size its record declares: every object is then drawn at the wrong scale
    (score 0.9; no fix: which is right, the picture or the objects, only a person can say)."""
    image = project.images.get(image_id)
    if image is None or shown is None or (shown[0], shown[1]) == (image.width, image.height):
        return None
    declared, actual = (int(image.width), int(image.height)), (shown[0], shown[1])
    cause = size_cause(declared, actual, shown[2], project.applies_exif)
    m = SizeMismatch(image.id, image.file_name, image.file_name, declared, actual, cause)
    msg = m.project_line()
    box = [0.0, 0.0, float(image.width), float(image.height)]
    figures = {"width": float(actual[0]), "height": float(actual[1])}
    return Problem(
        "image_size_mismatch", 0.9, image.id, image.file_name, None, None, box, msg, figures=figures
    )
