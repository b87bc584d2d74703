"""``--images GLOB`` (set-split, prelabel): an exact name names its image even when it reads as a glob."""

from __future__ import annotations

from pixelproof.core.image_glob import name_matches


def test_an_exact_name_with_glob_characters_matches_itself() -> None:
    # as a glob alone, '[1]' is a class matching only '1': 'img[1].png' would name 'img1.png', not itself
    assert name_matches("img[1].png", "img[1].png")
    assert name_matches("scans/img[1].png", "scans/img[1].png")
    assert name_matches("scans/img[1].png", "img[1].png")  # the base name, as globs on it match
    assert name_matches("what?.png", "what?.png") and name_matches("a*b.png", "a*b.png")


def test_globs_still_work_and_a_literal_names_only_its_own_image() -> None:
    assert name_matches("img1.png", "img[1].png")  # the glob reading stays for the names it fits
    assert name_matches("night/b.png", "night/*") and name_matches("night/b.png", "*.png")
    assert not name_matches("img[2].png", "img[1].png")
    assert not name_matches("day/a.png", "night/*")
    assert not name_matches("night/img[1].png", "day/img[1].png")
