"""Pairing by path ending (``image_pairing``): a copy of a dataset under another root pairs by the path parts
its names end with, each part compared as the relocation compares it (``image_folder.name_parts``: either
slash, one Unicode form)."""

from __future__ import annotations

import random
import unicodedata

from pixelproof.core.image_folder import name_parts
from pixelproof.core.image_pairing import _pair_by_path_ending, pair_images
from pixelproof.core.model import ImageRecord, Project


def _project(names: list[str]) -> Project:
    p = Project()
    for i, n in enumerate(names, 1):
        p.add_image(ImageRecord(i, n, 10, 10))
    return p


def test_a_copy_made_on_a_mac_pairs_by_its_decomposed_folder_names() -> None:
    """macOS writes 'Zürich' decomposed (u + U+0308): the copy's folders are the reference's all the same."""
    folders = ["Zürich", "Genève", "Malmö"]
    ref = _project([f"survey/{f}/000.png" for f in folders])
    cand = _project([f"/Volumes/usb/survey/{unicodedata.normalize('NFD', f)}/000.png" for f in folders])
    pairs, un_r, un_c = pair_images(ref, cand)
    got = {p.ref.file_name: p.cand.file_name for p in pairs}
    assert got == {
        f"survey/{f}/000.png": f"/Volumes/usb/survey/{unicodedata.normalize('NFD', f)}/000.png"
        for f in folders
    }
    assert un_r == [] and un_c == []


def _brute(refs: list[ImageRecord], cands: list[ImageRecord]) -> set[tuple[int, int]]:
    """k = 1, 2, ...: an image not yet paired pairs when exactly one unpaired image on each side ends with
    its last k parts (compared one by one, every image against every other)."""
    parts = {id(im): name_parts(im.file_name) for im in (*refs, *cands)}
    left_r, left_c = list(refs), list(cands)
    out: set[tuple[int, int]] = set()
    for k in range(1, max((len(p) for p in parts.values()), default=0) + 1):
        found = []
        for r in left_r:
            end = parts[id(r)][-k:]
            if len(parts[id(r)]) < k:
                continue
            same_r = [x for x in left_r if len(parts[id(x)]) >= k and parts[id(x)][-k:] == end]
            same_c = [x for x in left_c if len(parts[id(x)]) >= k and parts[id(x)][-k:] == end]
            if len(same_r) == 1 and len(same_c) == 1:
                found.append((r, same_c[0]))
        for r, c in found:
            left_r.remove(r)
            left_c.remove(c)
            out.add((r.id, c.id))
    return out


def test_pairs_by_path_ending_match_a_brute_force() -> None:
    rng = random.Random(7)
    folders = ["a", "b", "A", "x", "é", "e\u0301", ".", ".."]
    files = ["0.png", "1.png", "0.jpg"]

    def name() -> str:
        sep = rng.choice(["/", "\\"])
        return sep.join([rng.choice(folders) for _ in range(rng.randint(0, 4))] + [rng.choice(files)])

    for _ in range(400):
        refs = [ImageRecord(i, name(), 4, 4) for i in range(rng.randint(0, 8))]
        cands = [ImageRecord(100 + i, name(), 4, 4) for i in range(rng.randint(0, 8))]
        got = {(r.id, c.id) for r, c in _pair_by_path_ending(refs, cands)}
        assert got == _brute(refs, cands), ([r.file_name for r in refs], [c.file_name for c in cands])


def test_names_that_differ_only_in_case_pair_when_nothing_else_pairs_them() -> None:
    """A copy through Windows or macOS (file systems that ignore case) or a tool that lower-cases names:
    ``IMG_0001.JPG`` is ``img_0001.jpg``, the mask ``Scans/CASE_7.png`` is ``case_7.jpg``. An exact match
    still comes first, and a folded name two images share on one side pairs neither."""
    ref = _project(
        ["DCIM/IMG_0001.JPG", "DCIM/IMG_0002.JPG", "Scans/CASE_7.png", "b.png", "Dup.png", "DUP.png"]
    )
    cand = _project(["copy/dcim/img_0001.jpg", "img_0002.jpg", "case_7.jpg", "B.png", "b.png", "dup.png"])
    pairs, un_r, un_c = pair_images(ref, cand)
    got = {p.ref.file_name: p.cand.file_name for p in pairs}
    assert got == {
        "DCIM/IMG_0001.JPG": "copy/dcim/img_0001.jpg",
        "DCIM/IMG_0002.JPG": "img_0002.jpg",
        "Scans/CASE_7.png": "case_7.jpg",
        "b.png": "b.png",  # the exact name, not B.png
    }
    assert un_r == ["Dup.png", "DUP.png"] and un_c == ["B.png", "dup.png"]
