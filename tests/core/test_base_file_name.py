"""The name the Images panel shows of an image's file, and its filter searches (``names.base_file_name``):
what ``PurePosixPath(file_name).name`` gives, found without making a path (that was 0.13 s of the first
filter keystroke over 100,000 images). Checked against pathlib itself on every short name of odd parts."""

from __future__ import annotations

import itertools
from pathlib import PurePosixPath

from pixelproof.core import image_query, names
from pixelproof.core.coco import new_project
from pixelproof.core.image_query import ImageFacts
from pixelproof.core.model import ImageRecord
from pixelproof.core.names import base_file_name


def test_every_short_name_of_odd_parts_is_named_as_pathlib_names_it() -> None:
    parts = ["a", "/", ".", "..", "\\", " ", "é", "b.png"]
    for n in range(6):
        for combo in itertools.product(parts, repeat=n):
            name = "".join(combo)
            assert base_file_name(name) == PurePosixPath(name).name, repr(name)
    for name in (
        "images/img0001.png",
        "/data/x/y.tif",
        "sub//a.png",
        "a/./b.png",
        "a/.",
        "a/",
        "C:\\x\\y.png",
    ):
        assert base_file_name(name) == PurePosixPath(name).name, name


def test_the_filter_reads_a_file_name_without_making_a_path(monkeypatch) -> None:
    """The first keystroke made a PurePosixPath of every image's file name (100,000 over bench/big.py's
    project); a plain name is read without one now, and a name ending in '/.' still as pathlib reads it."""
    project = new_project(["cat"])
    for i, file_name in enumerate(["img1.png", "sub/img2.png", "odd/."], 1):
        project.add_image(ImageRecord(i, file_name, 10, 10))
    made: list[str] = []

    class Counted(PurePosixPath):
        def __new__(cls, *args):  # type: ignore[no-untyped-def]
            made.append(str(args[0]))
            return PurePosixPath(*args)

    monkeypatch.setattr(names, "PurePosixPath", Counted, raising=False)
    monkeypatch.setattr(image_query, "PurePosixPath", Counted, raising=False)
    facts = ImageFacts(project)
    assert [facts.name(i) for i in (1, 2, 3)] == ["img1.png", "img2.png", "odd"]
    assert made == ["odd/."]
