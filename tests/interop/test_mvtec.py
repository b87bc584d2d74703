"""MVTec AD: Datumaro's MVTec-style sample, the real layout with good images, round trip."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.interop import read_coco, write_coco
from pixelproof.interop.formats import detect_format
from pixelproof.interop.mvtec import read_mvtec, write_mvtec
from tests.bombs import short_idat_png

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "mvtec_dataset"


def test_datumaro_sample_matches_datumaro_expectations() -> None:
    """Datumaro's test_can_import_segmentation: label_1 and label_2 each a 4x4 square mask; label_0 has
    no ground truth (an image-level label only)."""
    assert detect_format(DATA).name == "mvtec"
    result = read_mvtec(DATA)
    project = result.project
    gt0 = DATA / "category_0" / "default" / "label_0" / "000.png"
    assert result.problems == [
        f"{gt0}: no ground truth mask {DATA / 'category_0' / 'ground_truth' / 'label_0' / '000_mask.png'}; "
        "image imported without objects"
    ]
    by_defect = {Path(im.file_name).parent.name: im for im in project.images.values()}
    assert sorted(by_defect) == ["label_0", "label_1", "label_2"]
    assert project.annotations_of(by_defect["label_0"].id) == []
    want = {
        "label_1": np.pad(np.ones((4, 4)), ((0, 4), (0, 4))),
        "label_2": np.pad(np.ones((4, 4)), ((4, 0), (4, 0))),
    }
    for defect, m in want.items():
        (ann,) = project.annotations_of(by_defect[defect].id)
        assert project.categories[ann.category_id].name == f"category_0/{defect}"
        assert np.array_equal(ann.mask(8, 8), m.astype(bool))
    assert by_defect["label_1"].extra["pixelproof"]["split"] == "default"


def _mvtec(root: Path) -> None:
    for obj, defects in (("pill", ("crack", "good")), ("hazelnut", ("crack",))):
        for defect in defects:
            (root / obj / "test" / defect).mkdir(parents=True)
            Image.new("RGB", (16, 12)).save(root / obj / "test" / defect / "000.png")
            if defect != "good":
                (root / obj / "ground_truth" / defect).mkdir(parents=True)
                m = np.zeros((12, 16), np.uint8)
                m[2:5, 3:9] = 255
                m[8:10, 10:12] = 255  # a second blob: still one object
                Image.fromarray(m).save(root / obj / "ground_truth" / defect / "000_mask.png")
        (root / obj / "train" / "good").mkdir(parents=True)
        Image.new("RGB", (16, 12)).save(root / obj / "train" / "good" / "000.png")


def test_categories_per_object_one_object_per_mask_good_has_none(tmp_path: Path) -> None:
    _mvtec(tmp_path)
    result = read_mvtec(tmp_path)
    assert result.problems == []
    project = result.project
    assert sorted(c.name for c in project.categories.values()) == ["hazelnut/crack", "pill/crack"]
    assert len(project.images) == 5 and len(project.annotations) == 2
    for a in project.annotations.values():
        assert a.area == 18 + 4
    assert read_mvtec(tmp_path / "pill").project.images  # one object's folder alone


def test_coco_mvtec_coco_round_trip(tmp_path: Path) -> None:
    _mvtec(tmp_path / "src")
    project = read_mvtec(tmp_path / "src").project
    write_coco(project, tmp_path / "p.json")
    assert write_mvtec(read_coco(tmp_path / "p.json").project, tmp_path / "out") == []
    back = read_mvtec(tmp_path / "out")
    assert back.problems == []
    got = sorted(
        (back.project.categories[a.category_id].name, int(a.area)) for a in back.project.annotations.values()
    )
    assert got == [("hazelnut/crack", 22), ("pill/crack", 22)]
    splits = sorted(im.extra["pixelproof"]["split"] for im in back.project.images.values())
    assert splits == ["test", "test", "test", "train", "train"]


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.png"))


def test_round_trip_keeps_the_dataset_s_file_names(tmp_path: Path) -> None:
    """MVTec AD numbers the images of every defect folder from 000.png: written back they keep their names
    (a name need only be unique in its folder), so the export is the dataset's layout file for file, and a
    name two images of one folder would share still gets a suffix."""
    _mvtec(tmp_path / "src")
    project = read_mvtec(tmp_path / "src").project
    write_coco(project, tmp_path / "p.json")
    assert write_mvtec(read_coco(tmp_path / "p.json").project, tmp_path / "out", images="copy") == []
    assert _files(tmp_path / "out") == _files(tmp_path / "src")
    one = Project()
    for i, name in enumerate(("a/x.png", "b/x.png"), 1):
        (tmp_path / "two" / name).parent.mkdir(parents=True)
        Image.new("L", (4, 4)).save(tmp_path / "two" / name)
        one.add_image(ImageRecord(i, str(tmp_path / "two" / name), 4, 4))
    write_mvtec(one, tmp_path / "out2", images="copy")
    assert _files(tmp_path / "out2") == ["object/test/good/x_1.png", "object/test/good/x_2.png"]


def test_other_projects_merge_into_one_mask_with_warnings(sample_project: Project, tmp_path: Path) -> None:
    warnings = write_mvtec(sample_project, tmp_path / "mv")
    assert warnings == [
        "2 images with several objects: one mask each (MVTec AD has one mask per image)",
        "3 objects of another category merged into their image's first defect",
        "no defect-free image in train/good for object: MVTec AD's models and Anomalib learn what good looks "
        "like from it; images without a split go to test, so give the defect-free ones a share of train "
        "(--good-train-fraction, the Export dialog's Defect-free to train)",
    ]
    back = read_mvtec(tmp_path / "mv").project
    assert sorted(c.name for c in back.categories.values()) == ["object/cat"]
    for im in sample_project.images.values():
        union = np.zeros((im.height, im.width), bool)
        for a in sample_project.annotations_of(im.id):
            union |= a.mask(im.height, im.width)
        (theirs,) = [b for b in back.images.values() if Path(b.file_name).stem == Path(im.file_name).stem]
        (ann,) = back.annotations_of(theirs.id)
        assert np.array_equal(ann.mask(im.height, im.width), union)


def test_an_image_or_defect_name_not_utf8_is_reported(tmp_path: Path) -> None:
    """Found by fuzzing: an image (or a defect folder) whose name is not UTF-8 raised LimitError out of the
    reader (Builder refuses names a project cannot save): the whole import lost."""
    for defect in ("crack", "tmp"):
        (tmp_path / "pill" / "test" / defect).mkdir(parents=True)
        Image.new("RGB", (8, 6)).save(tmp_path / "pill" / "test" / defect / "000.png")
    (tmp_path / "pill" / "test" / "good").mkdir()
    Image.new("RGB", (8, 6)).save(tmp_path / "pill" / "test" / "good" / "tmp.png")
    os.rename(tmp_path / "pill" / "test" / "tmp", os.fsencode(tmp_path / "pill" / "test") + b"/d\xe9fect")
    good = os.fsencode(tmp_path / "pill" / "test" / "good")
    os.rename(good + b"/tmp.png", good + b"/caf\xe9.png")
    result = read_mvtec(tmp_path)
    assert [im.file_name for im in result.project.images.values()] == ["pill/test/crack/000.png"]
    assert result.skipped == {"images": 2}
    assert sum("is not UTF-8 text" in p and "rename the file" in p for p in result.problems) == 2


def test_a_mask_damaged_inside_its_data_is_reported(tmp_path: Path) -> None:
    """Found by fuzzing: a mask PNG whose IDAT length was off made Pillow raise SyntaxError ("broken PNG
    file") while decoding, which escaped the reader."""
    for defect in ("crack", "scratch"):
        (tmp_path / "pill" / "test" / defect).mkdir(parents=True)
        (tmp_path / "pill" / "ground_truth" / defect).mkdir(parents=True)
        Image.new("RGB", (40, 30)).save(tmp_path / "pill" / "test" / defect / "000.png")
    mask = np.zeros((30, 40), np.uint8)
    mask[5:9, 5:25] = 255
    Image.fromarray(mask).save(tmp_path / "pill" / "ground_truth" / "crack" / "000_mask.png")
    broken = tmp_path / "pill" / "ground_truth" / "scratch" / "000_mask.png"
    broken.write_bytes(
        short_idat_png(np.random.default_rng(0).integers(0, 2, (30, 40), dtype=np.uint8) * 255)
    )
    result = read_mvtec(tmp_path)
    assert [a.area for a in result.project.annotations.values()] == [80.0]
    assert len(result.project.images) == 2 and result.skipped == {"masks": 1}
    assert len(result.problems) == 1
    assert result.problems[0].startswith(
        f"{broken}: not a readable mask (damaged image data (broken PNG file (chunk "
    )


def test_masks_without_an_image_are_reported(tmp_path: Path) -> None:
    """A ground-truth mask whose image is missing, and one under ground_truth/good (good images have no
    defects), were left out without a word."""
    obj = tmp_path / "bottle"
    for d in ("train/good", "test/crack", "ground_truth/crack", "ground_truth/good"):
        (obj / d).mkdir(parents=True)
    Image.new("RGB", (16, 12)).save(obj / "train" / "good" / "000.png")
    Image.new("RGB", (16, 12)).save(obj / "test" / "crack" / "000.png")
    mask = np.zeros((12, 16), np.uint8)
    mask[2:5, 3:7] = 255
    for name in ("crack/000_mask.png", "crack/099_mask.png", "good/000_mask.png"):
        Image.fromarray(mask).save(obj / "ground_truth" / name)
    result = read_mvtec(tmp_path)
    (a,) = result.project.annotations.values()
    assert a.bbox == [3.0, 2.0, 4.0, 3.0]
    gt = obj / "ground_truth"
    assert result.problems == [
        f"{gt / 'crack' / '099_mask.png'}: no image 099 in {obj}/<split>/crack/; mask not imported",
        f"{gt / 'good' / '000_mask.png'}: good images have no defects; mask not imported",
    ]
    assert result.skipped == {"masks": 2}


def test_the_extras_name_a_defect_only_where_no_object_says_it(tmp_path: Path) -> None:
    """A good image kept ``defect: good`` in its extras after a defect was drawn on it (and a dent image
    ``defect: dent`` after its mask was deleted or its class changed): a claim the objects had overturned.
    The extras now name the defect only of a defect image read without its mask; elsewhere the objects say
    it (none: good), so a good image with a drawn dent is written as a dent, a dent image whose mask was
    deleted as good, and a mask-less defect image keeps its folder."""
    _mvtec(tmp_path / "src")  # pill/test/crack/000.png with its mask, pill/test/good, */train/good
    (tmp_path / "src" / "pill" / "test" / "chip").mkdir()
    Image.new("RGB", (16, 12)).save(tmp_path / "src" / "pill" / "test" / "chip" / "000.png")  # no mask
    result = read_mvtec(tmp_path / "src")
    project = result.project
    named = {im.file_name: im for im in project.images.values()}
    defects = {n: im.extra["pixelproof"]["mvtec"].get("defect") for n, im in named.items()}
    assert defects == {n: "chip" if "/chip/" in n else None for n in named}
    assert {im.extra["pixelproof"]["mvtec"]["object"] for im in named.values()} == {"pill", "hazelnut"}
    good, crack = named["pill/test/good/000.png"], named["pill/test/crack/000.png"]
    (cat,) = [c.id for c in project.categories.values() if c.name == "pill/crack"]
    project.add_annotation(Annotation(99, good.id, cat, [1.0, 1.0, 4.0, 3.0], None, 12.0))  # drawn on good
    for a in project.annotations_of(crack.id):
        project.remove_annotation(a.id)  # no crack after all
    write_coco(project, tmp_path / "p.json")  # the project file, saved and read again
    assert write_mvtec(read_coco(tmp_path / "p.json").project, tmp_path / "out", images="copy") == []
    files = _files(tmp_path / "out")
    assert "pill/test/crack/000.png" in files and "pill/ground_truth/crack/000_mask.png" in files  # was good
    assert "pill/test/good/000.png" in files  # was the crack
    assert "pill/test/chip/000.png" in files and "pill/ground_truth/chip/000_mask.png" not in files
    back = read_mvtec(tmp_path / "out").project
    (pill_crack,) = [im.id for im in back.images.values() if im.file_name == "pill/test/crack/000.png"]
    (drawn,) = back.annotations_of(pill_crack)
    assert drawn.area == 12


def test_a_mask_with_grey_values_is_said_with_its_values(tmp_path: Path) -> None:
    """A JPEG-saved mask's noise of 1s and 2s is read as defect (every pixel not 0, the whole image here):
    said with the file, the values and their pixels; a 0/1 or 0/65535 mask is as good as 0/255."""
    _mvtec(tmp_path)
    gt = tmp_path / "pill" / "ground_truth" / "crack"
    noisy = np.ones((12, 16), np.uint8)
    noisy[2:5, 3:9] = 255
    noisy[0, 0] = 2
    Image.fromarray(noisy).save(gt / "000_mask.png")
    ones = np.zeros((12, 16), np.uint16)
    ones[2:5, 3:9] = 65535
    Image.fromarray(ones).save(tmp_path / "hazelnut" / "ground_truth" / "crack" / "000_mask.png")
    result = read_mvtec(tmp_path)
    assert result.problems == [
        f"{gt / '000_mask.png'}: values other than 0 and 255: 1, 2 (174 px); every pixel not 0 is read as "
        "the defect (192 px)"
    ]
    areas = sorted(int(a.mask(16, 12).sum()) for a in result.project.annotations.values())
    assert areas == [18, 192]
