"""Hostile COCO projects against the raster writers (masks, Cityscapes, KITTI, MVTec, NIfTI, DICOM SEG):
names from the project that led outside the output folder, a mask saved over a linked source image, a
full-size mask kept per object (memory growing with the project), ids that do not fit the PNGs, volume
names that overwrote one another, a volume header claiming 4096^3 voxels, and DICOM slice records that
disagree with their source."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core import masks
from pixelproof.core.coco import project_from_dict
from pixelproof.core.model import Annotation

REPO = Path(__file__).resolve().parents[2]
linux_only = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="address-space limit (RLIMIT_AS)"
)


def _square(i: int, image_id: int, category_id: int, x: int, y: int = 1, side: int = 4) -> dict:
    poly = [x, y, x + side, y, x + side, y + side, x, y + side]
    return {"id": i, "image_id": image_id, "category_id": category_id, "bbox": [x, y, side, side],
            "area": side * side, "segmentation": [poly], "iscrowd": 0}  # fmt: skip


def _project(folder: Path, images: list[dict], categories: list[dict], annotations: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "p.json"
    path.write_text(json.dumps({"images": images, "categories": categories, "annotations": annotations}))
    return path


def _convert(
    fmt: str, project: Path, out: Path, *extra: str, cap: int | None = None
) -> subprocess.CompletedProcess:
    def small() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    return subprocess.run(
        [sys.executable, "-m", "pixelproof", "convert", "--from", "coco", "--to", fmt, str(project), str(out),
         "--workers", "1", *extra],
        capture_output=True, text=True, cwd=REPO, timeout=120, preexec_fn=small if cap else None,
    )  # fmt: skip


def _files(root: Path) -> set[Path]:
    return set(root.rglob("*"))


def _inside(path: Path, out: Path) -> bool:
    return path == out or out in path.parents


# ------------------------------------------------------------------------------------------------
# names that led outside the output folder


def _image(i: int, name: str, **app: str) -> dict:
    """A 30 x 20 image record with ``app`` as its ``pixelproof`` extras (city, split)."""
    return {"id": i, "file_name": name, "width": 30, "height": 20, "pixelproof": app}


def test_cityscapes_city_from_the_project_stays_inside_the_output(tmp_path: Path) -> None:
    """``pixelproof.city: "../../../../x"`` wrote the ground truth (and the photo) four folders up."""
    work = tmp_path / "deep" / "er" / "work"
    Image.new("RGB", (30, 20)).save(_dir(work) / "a.png")
    Image.new("RGB", (30, 20)).save(work / "b.png")
    images = [_image(1, "a.png", city="../../../../x"), _image(2, "b.png", city=str(tmp_path / "abs"))]
    project = _project(work, images, [{"id": 1, "name": "car"}], [_square(1, 1, 1, 2), _square(2, 2, 1, 2)])
    before = _files(tmp_path)
    done = _convert("cityscapes", project, work / "out")
    assert done.returncode == 0, done.stderr
    new = _files(tmp_path) - before
    assert new and all(_inside(p, work / "out") for p in new), sorted(new)
    assert "2 city names" in done.stderr
    assert len(list((work / "out" / "gtFine" / "train").glob("*/*_gtFine_labelIds.png"))) == 2


def test_mvtec_object_split_and_defect_stay_inside_the_output(tmp_path: Path) -> None:
    """A category ``../../../x/defect`` and a split ``../../../y`` wrote masks and images outside."""
    work = tmp_path / "deep" / "er" / "work"
    Image.new("RGB", (30, 20)).save(_dir(work) / "a.png")
    images = [_image(1, "a.png", split="../../../y")]
    project = _project(work, images, [{"id": 1, "name": "../../../x/defect"}], [_square(1, 1, 1, 2)])
    before = _files(tmp_path)
    done = _convert("mvtec", project, work / "out")
    assert done.returncode == 0, done.stderr
    new = _files(tmp_path) - before
    assert new and all(_inside(p, work / "out") for p in new), sorted(new)
    (mask,) = (work / "out").rglob("*_mask.png")
    assert mask.parent.parent.name == "ground_truth"
    assert np.asarray(Image.open(mask))[3, 3] == 255


def test_mvtec_split_named_ground_truth_does_not_overwrite_a_source_image(tmp_path: Path) -> None:
    """Images x.png and x_mask.png (split ``ground_truth``): x_mask.png was hard-linked where x.png's
    mask then went, and the mask was saved through the link over the user's own x_mask.png."""
    work = tmp_path / "work"
    Image.new("RGB", (30, 20), (200, 0, 0)).save(_dir(work) / "x.png")
    Image.new("RGB", (30, 20), (0, 100, 0)).save(work / "x_mask.png")
    source = (work / "x_mask.png").read_bytes()
    images = [_image(1, "x.png", split="test"), _image(2, "x_mask.png", split="ground_truth")]
    project = _project(
        work, images, [{"id": 1, "name": "obj/crack"}], [_square(1, 1, 1, 2), _square(2, 2, 1, 9)]
    )
    done = _convert("mvtec", project, work / "out")
    assert done.returncode == 0, done.stderr
    assert (work / "x_mask.png").read_bytes() == source


@pytest.mark.parametrize(
    "fmt",
    ["masks", "cityscapes", "kitti", "mvtec", "yolo", "voc", "labelme", "cvat", "labelstudio", "openimages"],
)
def test_a_link_planted_in_the_output_is_replaced_not_written_through(tmp_path: Path, fmt: str) -> None:
    work = tmp_path / "work"
    Image.new("RGB", (30, 20)).save(_dir(work) / "a.png")
    project = _project(work, [{"id": 1, "file_name": "a.png", "width": 30, "height": 20}],
                       [{"id": 1, "name": "obj/car"}], [_square(1, 1, 1, 2)])  # fmt: skip
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    out = work / "out"
    first = _convert(fmt, project, out)
    assert first.returncode == 0, first.stderr
    written = [p for p in out.rglob("*") if p.is_file() and "image" not in str(p.relative_to(out)).lower()]
    written = [p for p in written if p.suffix in (".png", ".json", ".txt", ".xml", ".yaml", ".csv")]
    assert written
    for p in written:
        p.unlink()
        p.symlink_to(victim)
    again = _convert(fmt, project, out)
    assert again.returncode == 0, again.stderr
    assert victim.read_text() == "keep"
    assert not any(p.is_symlink() for p in written)


def _dir(p: Path) -> Path:
    p.mkdir(parents=True, exist_ok=True)
    return p


# ------------------------------------------------------------------------------------------------
# memory: no full-size mask kept per object


@linux_only
@pytest.mark.parametrize("fmt", ["masks", "cityscapes", "kitti", "mvtec"])
def test_many_objects_on_a_large_image_export_in_a_small_process(tmp_path: Path, fmt: str) -> None:
    """Each object's mask was decoded full-size and kept on the object (``Annotation.mask``): 300 objects
    on an 8000 x 8000 image asked for 19 GB. They are painted from their boxes now."""
    side, n = 8000, 300
    cats = [{"id": 1, "name": "obj/car"}]
    anns = [_square(i + 1, 1, 1, 10 + 20 * (i % 300), 10 + 20 * (i // 300)) for i in range(n - 1)]
    rle = masks.encode(np.pad(np.ones((3, 3), bool), ((5, side - 8), (side - 9, 6))))  # a mask in a corner
    anns.append({"id": n, "image_id": 1, "category_id": 1, "bbox": [side - 9, 5, 3, 3], "area": 9,
                 "segmentation": rle, "iscrowd": 0})  # fmt: skip
    project = _project(
        tmp_path / "work", [{"id": 1, "file_name": "a.png", "width": side, "height": side}], cats, anns
    )
    out = tmp_path / "out"
    done = _convert(fmt, project, out, cap=1536 * 2**20)
    assert done.returncode == 0, done.stderr
    pngs = [p for p in out.rglob("*.png") if "instance" not in p.name and "instance" not in p.parent.name]
    mask = np.asarray(Image.open(pngs[0]))
    assert mask.shape == (side, side)
    assert mask[12, 12] and mask[6, side - 8] and not mask[0, 0]


def test_cityscapes_hole_check_still_sees_later_objects(tmp_path: Path) -> None:
    """The covered-by-later-objects test of a mask's holes, now from one index array."""
    from pixelproof.interop.cityscapes_writer import write_cityscapes

    ring = np.zeros((20, 20), bool)
    ring[2:12, 2:12] = True
    ring[5:8, 5:8] = False
    plug = np.zeros((20, 20), bool)
    plug[5:8, 5:8] = True
    for order, holes in (((ring, plug), 0), ((plug, ring), 1)):
        project = project_from_dict(
            {
                "images": [{"id": 1, "file_name": "a.png", "width": 20, "height": 20}],
                "categories": [{"id": 1, "name": "car"}],
                "annotations": [],
            }
        )
        for m in order:
            ann_id = project.next_annotation_id()
            project.add_annotation(Annotation(ann_id, 1, 1, masks.bbox(m), masks.encode(m), float(m.sum())))
        warnings = write_cityscapes(project, tmp_path / f"out{holes}")
        assert sum("with holes" in w for w in warnings) == holes, warnings


# ------------------------------------------------------------------------------------------------
# ids that do not fit


def test_masks_with_more_objects_than_16_bits_hold_are_refused_by_name() -> None:
    """65,535 objects made the last one 65535, the void value (read back as void); 65,536 raised
    numpy's OverflowError."""
    from pixelproof.interop.mask_drawing import MaskContext, draw_mask

    n = 65535
    anns = [_square(i + 1, 1, 1, 0, side=1) for i in range(n)]
    project = project_from_dict(
        {
            "images": [{"id": 1, "file_name": "a.png", "width": 2, "height": 2}],
            "categories": [{"id": 1, "name": "car"}],
            "annotations": anns,
        }
    )
    image = project.images[1]
    context = MaskContext("instance", {1: 1}, dict(project.categories), "/nonexistent")
    with pytest.raises(ValueError, match="65,535 objects: a 16-bit mask holds at most 65,534"):
        draw_mask(context, image, project.annotations_of(1), "a.png")


@pytest.mark.parametrize(
    ("fmt", "n", "text"), [("kitti", 256, "instance/"), ("cityscapes", 1000, "instanceIds")]
)
def test_instances_that_do_not_fit_the_id_png_are_counted(
    tmp_path: Path, fmt: str, n: int, text: str
) -> None:
    """KITTI holds 255 instances of a class (class x 256 + n), Cityscapes 999 (class x 1000 + n): the
    rest were written as the class alone without a word."""
    from pixelproof.interop.cityscapes_writer import write_cityscapes
    from pixelproof.interop.kitti import write_kitti

    project = project_from_dict(
        {
            "images": [{"id": 1, "file_name": "a.png", "width": 40, "height": 30}],
            "categories": [{"id": 1, "name": "car"}],
            "annotations": [_square(i + 1, 1, 1, i % 36, side=1) for i in range(n)],
        }
    )
    out = tmp_path / "out"
    warnings = write_kitti(project, out, task="segment") if fmt == "kitti" else write_cityscapes(project, out)
    assert any(w.startswith("1 object") and text in w for w in warnings), warnings


@pytest.mark.parametrize("fmt", ["kitti", "cityscapes"])
def test_categories_past_the_8_bit_label_ids_are_counted(tmp_path: Path, fmt: str) -> None:
    """Names outside the Cityscapes table get ids 34..254; the rest all become 255 in the label PNG, which
    was silent. 230 used categories: 221 fit, 9 share 255 (one more, without objects, is not counted)."""
    from pixelproof.interop.cityscapes_writer import write_cityscapes
    from pixelproof.interop.kitti import write_kitti

    project = project_from_dict(
        {
            "images": [{"id": 1, "file_name": "a.png", "width": 240, "height": 2}],
            "categories": [{"id": i, "name": f"thing{i}"} for i in range(1, 232)],
            "annotations": [_square(i, 1, i, i, y=0, side=1) for i in range(1, 231)],
        }
    )
    out = tmp_path / "out"
    warnings = write_kitti(project, out, task="segment") if fmt == "kitti" else write_cityscapes(project, out)
    assert any(w.startswith("9 categories") and "255" in w for w in warnings), warnings
    png = next(out.rglob("*labelIds.png" if fmt == "cityscapes" else "semantic/*.png"))
    labels = np.asarray(Image.open(png))
    assert labels[0, 221] == 254 and (labels[0, 222:231] == 255).all()


@pytest.mark.parametrize("fmt", ["openimages", "kitti"])
def test_a_slide_with_boxes_only_exports_where_the_format_needs_no_mask(tmp_path: Path, fmt: str) -> None:
    """Open Images writes a mask PNG only for shapes, KITTI detection only text: a 100,000 px square slide
    with boxes stopped the whole export over the pixel limit. With a polygon it still stops, naming it."""
    from pixelproof.core.limits import LimitError
    from pixelproof.interop.kitti import write_kitti
    from pixelproof.interop.openimages import write_openimages

    def project(shape: bool):
        box = {"id": 2, "image_id": 2, "category_id": 1, "bbox": [10, 10, 50, 40], "area": 2000.0,
               "segmentation": [], "iscrowd": 0}  # fmt: skip
        return project_from_dict(
            {
                "images": [
                    {"id": 1, "file_name": "a.png", "width": 40, "height": 30},
                    {"id": 2, "file_name": "slide.svs", "width": 100_000, "height": 100_000},
                ],
                "categories": [{"id": 1, "name": "Car"}],
                "annotations": [_square(1, 1, 1, 2), _square(2, 2, 1, 10) if shape else box],
            }
        )

    def write(p, out: Path) -> list[str]:
        return write_kitti(p, out, task="detect") if fmt == "kitti" else write_openimages(p, out)

    write(project(False), tmp_path / "boxes")
    text = "\n".join(f.read_text() for f in (tmp_path / "boxes").rglob("*") if f.suffix in (".txt", ".csv"))
    assert (
        "Car 0.00 0 -10.00 10 10 60 50 "
        if fmt == "kitti"
        else "slide,pixelproof,/m/pixelproof_1,1,0.0001,0.0006,0.0001,0.0005"
    ) in text
    if fmt == "openimages":
        with pytest.raises(LimitError, match=r"slide\.svs"):
            write(project(True), tmp_path / "shapes")


# ------------------------------------------------------------------------------------------------
# volumes


def _volume_project(tmp_path: Path) -> Path:
    import nibabel as nib

    work = tmp_path / "work"
    for folder, name in (("a", "ct.nii.gz"), ("b", "ct.nii.gz"), ("c", "ct_2.nii.gz")):
        nib.save(nib.Nifti1Image(np.zeros((8, 6, 4), np.int16), np.eye(4)), _dir(work / folder) / name)
    names = ["a/ct.nii.gz#z=000", "b/ct.nii.gz#z=000", "c/ct_2.nii.gz#z=001"]
    images = [{"id": i, "file_name": f, "width": 8, "height": 6} for i, f in enumerate(names, start=1)]
    cats = [{"id": i, "name": f"c{i}"} for i in (1, 2, 3)]
    return _project(work, images, cats, [_square(i, i, i, 1, side=2) for i in (1, 2, 3)])


def test_nifti_volumes_sharing_a_stem_do_not_overwrite_one_another(tmp_path: Path) -> None:
    """a/ct and b/ct became ct and ct_2, and c/ct_2 then wrote over b's labels as ct_2 again."""
    import nibabel as nib

    done = _convert("nifti", _volume_project(tmp_path), tmp_path / "out")
    assert done.returncode == 0, done.stderr
    values = sorted(int(np.asarray(nib.load(f).dataobj).max()) for f in (tmp_path / "out").glob("*.nii.gz"))
    assert values == [1, 2, 3]


@linux_only
def test_nifti_volume_header_over_the_limit_is_a_warning_not_a_memory_error(tmp_path: Path) -> None:
    """A 360-byte .nii.gz declaring 4096^3 voxels: the writer asked numpy for 64 GiB (a traceback; without
    an address-space limit, a 64 GB label volume to compress)."""
    import nibabel as nib

    work = _dir(tmp_path / "work")
    header = nib.Nifti1Header()
    header.set_data_shape((4096, 4096, 4096))
    header.set_data_dtype(np.uint8)
    header.set_sform(np.eye(4), 1)
    header["vox_offset"] = 352
    with gzip.open(work / "big.nii.gz", "wb") as f:
        f.write(header.binaryblock + b"\0" * 4)
    images = [{"id": 1, "file_name": "big.nii.gz#z=000", "width": 4096, "height": 4096}]
    project = _project(work, images, [{"id": 1, "name": "x"}], [_square(1, 1, 1, 1)])
    done = _convert("nifti", project, tmp_path / "out", cap=1536 * 2**20)
    assert done.returncode == 0, done.stderr
    assert "big.nii.gz (4096 x 4096 x 4096 voxels): label volume of" in done.stderr
    assert "its labels were not written" in done.stderr and "Traceback" not in done.stderr


@pytest.fixture
def ct_series(ct_study: Path) -> dict:
    from pixelproof.core.image_folder import project_from_folder

    work = ct_study
    project = project_from_folder(work, work / "p.json", ["liver"], on_skip=lambda m: None)
    images = [{"id": im.id, "file_name": im.file_name, "width": im.width, "height": im.height}
              for im in project.images.values()]  # fmt: skip
    return {"work": work, "images": sorted(images, key=lambda im: im["file_name"])}


def test_dicom_seg_record_of_another_size_is_left_out_not_fatal(ct_series: dict) -> None:
    """A slice record declaring 32 x 32 on a 16 x 16 series stopped the export with numpy's "operands
    could not be broadcast together"."""
    images = [dict(im) for im in ct_series["images"]]
    images[1].update(width=32, height=32)
    anns = [_square(1, images[0]["id"], 1, 2), _square(2, images[1]["id"], 1, 20)]
    project = _project(ct_series["work"], images, [{"id": 1, "name": "liver"}], anns)
    done = _convert("dicom-seg", project, ct_series["work"] / "seg")
    assert done.returncode == 0, done.stderr
    assert "1 slice record with objects whose size differs" in done.stderr
    assert (ct_series["work"] / "seg" / "CT2_seg.dcm").is_file()


def test_dicom_seg_slice_the_series_does_not_have_is_told_apart_from_non_dicom(ct_series: dict) -> None:
    """A record of slice 99 of a 4-slice series was counted among the images that "are not DICOM"."""
    images = [dict(im) for im in ct_series["images"]]
    images.append({**images[0], "id": 99, "file_name": images[0]["file_name"].rsplit("=", 1)[0] + "=099"})
    images.append({"id": 100, "file_name": "photo.png", "width": 16, "height": 16})
    anns = [_square(1, images[0]["id"], 1, 2), _square(2, 99, 1, 2)]
    project = _project(ct_series["work"], images, [{"id": 1, "name": "liver"}], anns)
    done = _convert("dicom-seg", project, ct_series["work"] / "seg")
    assert done.returncode == 0, done.stderr
    assert "1 slice record naming a slice their DICOM series folder does not have" in done.stderr
    assert "1 image not DICOM" in done.stderr
    assert (ct_series["work"] / "seg" / "CT2_seg.dcm").is_file()


def test_dicom_seg_slice_claimed_by_many_records_is_one_frame(ct_series: dict) -> None:
    """2,000 records of one slice: every dataset read again, then highdicom refused the duplicate planes."""
    import highdicom as hd

    first = ct_series["images"][0]
    images = [{**first, "id": k + 1} for k in range(2000)]
    anns = [_square(1, 1, 1, 2), _square(2, 2000, 1, 9)]
    project = _project(ct_series["work"], images, [{"id": 1, "name": "liver"}], anns)
    done = _convert("dicom-seg", project, ct_series["work"] / "seg")
    assert done.returncode == 0, done.stderr
    assert "1,999 image records naming a slice another record names" in done.stderr
    seg = hd.seg.segread(ct_series["work"] / "seg" / "CT2_seg.dcm")
    frame = seg.pixel_array.reshape(-1, 16, 16)[0]
    assert frame[3, 3] and frame[3, 10]  # both records' masks, merged


def test_dicom_seg_unused_categories_are_no_segments(ct_series: dict) -> None:
    """100,000 categories with one object: highdicom refused segment numbers over 65535 (the export
    stopped with a message naming nothing), and each unused category would be a frame per slice."""
    import highdicom as hd

    images = ct_series["images"]
    cats = [{"id": i, "name": f"c{i}"} for i in range(1, 100_001)]
    project = _project(ct_series["work"], images, cats, [_square(1, images[0]["id"], 77, 2)])
    done = _convert("dicom-seg", project, ct_series["work"] / "seg")
    assert done.returncode == 0, done.stderr
    seg = hd.seg.segread(ct_series["work"] / "seg" / "CT2_seg.dcm")
    assert [seg.get_segment_description(n).segment_label for n in seg.segment_numbers] == ["c77"]


def test_dicom_seg_names_sharing_a_stem_do_not_overwrite_one_another(tmp_path: Path) -> None:
    from pixelproof.interop.dicom_seg import source_target

    taken: set[str] = set()
    targets = [source_target(tmp_path, key, taken) for key in ("a/CT", "b/CT", "c/CT_2")]
    assert len({t.name for t in targets}) == 3


def test_nothing_is_written_beside_the_output_for_any_raster_writer(tmp_path: Path) -> None:
    """Odd file names (``..``, ``.``, absolute, 300 bytes, a NUL-free name with backslashes) stay inside."""
    work = tmp_path / "work"
    names = ["..", ".", "/etc/passwd", "x" * 300 + ".png", "..\\..\\evil.png", "../../up.png"]
    images = [{"id": i, "file_name": n, "width": 30, "height": 20} for i, n in enumerate(names, start=1)]
    anns = [_square(i, i, 1, 2) for i in range(1, len(names) + 1)]
    project = _project(_dir(work), images, [{"id": 1, "name": "obj/car"}], anns)
    for fmt in ("masks", "cityscapes", "kitti", "mvtec"):
        before = _files(tmp_path)
        done = _convert(fmt, project, work / f"out_{fmt}")
        assert done.returncode in (0, 3), done.stderr
        new = _files(tmp_path) - before
        assert all(_inside(p, work / f"out_{fmt}") for p in new), (fmt, sorted(new))
        pngs = [p for p in (work / f"out_{fmt}").rglob("*.png") if "instance" not in os.fspath(p)]
        assert len(pngs) >= len(names), (fmt, pngs)
