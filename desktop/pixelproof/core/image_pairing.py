"""Which reference image a candidate image is (QA, the review view): the same ``file_name``, else the same
path ending under another root (a colleague's copy of the dataset: ``bob/plate/test/dent/000.png`` is
``C:\\data\\plate\\test\\dent\\000.png``), else the same bare file stem (``JPEGImages/a.jpg`` and the mask
``a.png``); last, what is left pairs so again with case ignored (``IMG_0001.JPG`` is ``img_0001.jpg``: a
copy through Windows or macOS, whose file systems ignore case, or a tool that lower-cases names). Each step
pairs only what is one image's on each side, so nothing is paired by a guess."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import PurePath

from pixelproof.core.image_folder import name_parts
from pixelproof.core.model import ImageRecord, Project
from pixelproof.core.volumes import parse_slice_ref, volume_stem


@dataclass(slots=True)
class ImagePair:
    """A reference image and the candidate image with the same file name."""

    file_name: str
    ref: ImageRecord
    cand: ImageRecord

    @property
    def shape(self) -> tuple[int, int]:
        return (self.cand.height, self.cand.width)


def _stem(name: str) -> str:
    """The bare file stem; for a slice, the volume's stem (``.nii.gz`` is one suffix) + its fragment."""
    ref = parse_slice_ref(name)
    if ref is not None:
        return volume_stem(ref.source) + name[len(ref.source) :]
    return PurePath(name.replace("\\", "/")).stem


_CHANNEL_SUFFIX = re.compile(r"_\d{4}(?=#|$)")


def _channel_free(stem: str) -> str:
    """nnU-Net names a case's image volumes ``case_0000.nii.gz`` and its labels ``case.nii.gz``."""
    return _CHANNEL_SUFFIX.sub("", stem, count=1)


def _pair_by_path_ending(
    refs: list[ImageRecord], cands: list[ImageRecord], fold: bool = False
) -> list[tuple[ImageRecord, ImageRecord]]:
    """Pairs whose names end in the same last ``k`` path parts, that ending one image's on each side; ``k``
    grows from 1 (the file name), so ``test/good/000.png`` and ``train/good/000.png`` pair with theirs at
    ``k = 3``. Parts compare as the relocation compares them (``name_parts``: either slash, one Unicode
    form, a Mac's decomposed 'ü' too), case included unless ``fold``. Only an ending shared on both sides
    by more than one image is looked at again one part further (by that part alone): an ending one side
    lacks never pairs, so 100,000 names that pair with nothing cost one pass, not one per part of the
    deepest."""
    parts = {id(im): name_parts(im.file_name) for im in (*refs, *cands)}
    if fold:
        parts = {key: tuple(part.casefold() for part in p) for key, p in parts.items()}
    pairs: list[tuple[ImageRecord, ImageRecord]] = []
    groups = [(refs, cands)]  # the images that share an ending of k - 1 parts, each side
    k = 1
    while groups:
        further = []
        for group in groups:
            ends: dict[str, tuple[list[ImageRecord], list[ImageRecord]]] = defaultdict(lambda: ([], []))
            for side, images in enumerate(group):
                for im in images:
                    p = parts[id(im)]
                    if len(p) >= k:
                        ends[p[-k]][side].append(im)
            for r, c in ends.values():
                if len(r) == 1 and len(c) == 1:
                    pairs.append((r[0], c[0]))
                elif r and c:
                    further.append((r, c))
        groups, k = further, k + 1
    return pairs


def pair_images(reference: Project, candidate: Project) -> tuple[list[ImagePair], list[str], list[str]]:
    """Pair images by ``file_name``, then by the path ending (``_pair_by_path_ending``), then by the file
    stem when unique on both sides; what is left, by the same steps with case ignored.

    Returns the pairs and the reference / candidate file names left unmatched (never silently dropped).
    """
    pairs, ref_left, cand_left = _pair(list(reference.images.values()), list(candidate.images.values()))
    if ref_left and cand_left:
        more, ref_left, cand_left = _pair(ref_left, cand_left, fold=True)
        pairs += more
    return pairs, [r.file_name for r in ref_left], [c.file_name for c in cand_left]


def _pair(
    refs: list[ImageRecord], cands: list[ImageRecord], fold: bool = False
) -> tuple[list[ImagePair], list[ImageRecord], list[ImageRecord]]:
    """The steps of ``pair_images`` on these images, names compared as they are or case-folded."""

    def key(name: str) -> str:
        return name.casefold() if fold else name

    cand_by_name: dict[str, list[ImageRecord]] = {}
    for c in cands:
        cand_by_name.setdefault(key(c.file_name), []).append(c)
    ref_names = Counter(key(r.file_name) for r in refs) if fold else None
    pairs: list[ImagePair] = []
    ref_left: list[ImageRecord] = []
    used: set[int] = set()
    for img in refs:
        same = cand_by_name.get(key(img.file_name), [])
        one_each = len(same) == 1 and (ref_names is None or ref_names[key(img.file_name)] == 1)
        c = same[-1] if same and (one_each or not fold) else None  # folded: one image's name each side
        if c is not None and c.id not in used:
            pairs.append(ImagePair(c.file_name, img, c))
            used.add(c.id)
        else:
            ref_left.append(img)
    cand_left = [c for c in cands if c.id not in used]
    if ref_left and cand_left:  # nothing to do (and no cost) when every name is the same
        for r, c in _pair_by_path_ending(ref_left, cand_left, fold):
            pairs.append(ImagePair(c.file_name, r, c))
            used.add(c.id)
        by_ending = {p.ref.id for p in pairs}
        ref_left = [r for r in ref_left if r.id not in by_ending]
        cand_left = [c for c in cand_left if c.id not in used]
    cand_by_stem: dict[str, list[ImageRecord]] = {}
    for c in cand_left:
        cand_by_stem.setdefault(key(_stem(c.file_name)), []).append(c)
    ref_stems: dict[str, int] = {}
    for r in ref_left:
        ref_stems[key(_stem(r.file_name))] = ref_stems.get(key(_stem(r.file_name)), 0) + 1
    unmatched_ref = []
    for r in ref_left:
        stem = key(_stem(r.file_name))
        found = cand_by_stem.get(stem, [])
        if len(found) == 1 and ref_stems[stem] == 1:
            pairs.append(ImagePair(found[0].file_name, r, found[0]))
            used.add(found[0].id)
        else:
            unmatched_ref.append(r)
    # nnU-Net: imagesTr/case_0000.nii.gz#z=012 pairs with labelsTr/case.nii.gz#z=012
    left = [c for c in cand_left if c.id not in used]
    by_free: dict[str, list[ImageRecord]] = {}
    for c in left:
        by_free.setdefault(_channel_free(key(_stem(c.file_name))), []).append(c)
    still: list[ImageRecord] = []
    for r in unmatched_ref:
        stem = key(_stem(r.file_name))
        found = by_free.get(stem, []) if parse_slice_ref(r.file_name) is not None else []
        if len(found) == 1 and found[0].id not in used:
            pairs.append(ImagePair(found[0].file_name, r, found[0]))
            used.add(found[0].id)
        else:
            still.append(r)
    return pairs, still, [c for c in cands if c.id not in used]
