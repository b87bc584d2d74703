"""RGB colour-map masks through the one mask-folder reader: Datumaro's common semantic layout
(dataset_meta.json), CamVid (its default colour map), Pascal VOC saved as RGB (VOC's palette)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from pixelproof.core.model import Project
from pixelproof.interop.label_maps import VOID_VALUE, ColorMap
from pixelproof.interop.masks_folder import read_masks

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro"


def _rows(project: Project) -> dict[str, list[tuple[str, list[int]]]]:
    out = {}
    for im in project.images.values():
        rows = []
        for a in project.annotations_of(im.id):
            m = a.mask(im.height, im.width)
            rows.append((project.categories[a.category_id].name, m.reshape(-1).astype(int).tolist()))
        out[Path(im.file_name).stem] = sorted(rows)
    return out


def test_common_semantic_layout_with_dataset_meta() -> None:
    """Datumaro's test_can_import: label_map + segmentation_colors by index."""
    result = read_masks(DATA / "common_semantic_segmentation_dataset" / "dataset")
    assert result.problems == [] and result.semantic
    project = result.project
    assert all(project.image_path(im).is_file() for im in project.images.values())
    assert _rows(project) == {
        "0001": [("Bicyclist", [1, 1, 0, 1, 1]), ("Road", [0, 0, 1, 0, 0])],
        "0002": [("Animal", [1, 1, 1, 0, 0]), ("Child", [0, 0, 0, 1, 1])],
    }
    ids = {c.name: c.id for c in project.categories.values()}
    assert (ids["Animal"], ids["Bicyclist"], ids["Child"], ids["Road"]) == (1, 3, 4, 5)


def test_camvid_layout_with_its_default_colour_map() -> None:
    result = read_masks(DATA / "camvid_dataset")
    assert result.problems == []
    project = result.project
    assert sorted(Path(im.file_name).parent.name for im in project.images.values()) == [
        "test",
        "test",
        "train",
        "val",
    ]
    got = _rows(project)
    assert got["0001TP_006690"] == [("Bicyclist", [1, 1, 0, 1, 1]), ("Road", [0, 0, 1, 0, 0])]
    assert got["0001TP_008550"] == [
        ("Animal", [1, 1, 0, 0, 0]),
        ("Road", [0, 0, 1, 0, 0]),
        ("Sky", [0, 0, 0, 1, 1]),
    ]
    assert got["0001TP_008580"] == [
        ("Archway", [1, 1, 0, 0, 0]),
        ("Bridge", [0, 0, 1, 0, 0]),
        ("Tree", [0, 0, 0, 1, 1]),
    ]


def test_voc_masks_saved_as_rgb_use_the_voc_palette() -> None:
    """Datumaro's test_can_import_voc_segmentation_dataset: one bicycle over the whole image (class colour
    (0, 128, 0) = value 2, instance colour (128, 0, 0) = instance 1)."""
    result = read_masks(DATA / "voc_dataset" / "voc_dataset1")
    assert result.problems == []
    (image,) = result.project.images.values()
    assert image.file_name == "JPEGImages/2007_000001.jpg"
    assert _rows(result.project) == {"2007_000001": [("bicycle", [1] * 200)]}


def test_labelmap_txt_void_colour_and_unknown_colours(tmp_path: Path) -> None:
    (tmp_path / "masks").mkdir()
    (tmp_path / "labelmap.txt").write_text(
        "# label:color_rgb:parts:actions\nbackground:0,0,0::\ncat:128,0,0::\ndog:0,128,0::\n"
        "ignored:224,224,192::\n"
    )
    rgb = np.zeros((4, 6, 3), np.uint8)
    rgb[0, :3] = (128, 0, 0)
    rgb[1, :] = (224, 224, 192)
    rgb[2, :2] = (0, 128, 0)
    rgb[3, 5] = (9, 9, 9)  # not in the map
    Image.fromarray(rgb).save(tmp_path / "masks" / "x.png")
    result = read_masks(tmp_path)
    assert result.problems == [
        f"{tmp_path / 'masks' / 'x.png'}: 1 pixel of colours not in {tmp_path / 'labelmap.txt'}; "
        "read as background",
        f"{tmp_path}: no images/ or JPEGImages/ folder and no images.csv: 1 mask imported under their "
        "own name and size",
    ]
    project = result.project
    got = {project.categories[a.category_id].name: int(a.area) for a in project.annotations.values()}
    assert got == {"cat": 3, "dog": 2, "void": 6}
    assert [c.name for c in project.categories.values() if c.void] == ["void"]


def test_rgb_mask_without_a_colour_map_is_refused_with_the_reason(tmp_path: Path) -> None:
    (tmp_path / "masks").mkdir()
    Image.fromarray(np.zeros((4, 6, 3), np.uint8)).save(tmp_path / "masks" / "x.png")
    result = read_masks(tmp_path)
    assert (
        "RGB mask and no colour map (dataset_meta.json, labelmap.txt or label_colors.txt)"
        in result.problems[0]
    )
    assert not result.project.images and result.skipped == {"masks": 1}


def test_colour_map_void_names_and_lookup() -> None:
    cmap = ColorMap.from_list([("Void", (0, 0, 0)), ("cat", (1, 2, 3))], "test")
    assert cmap.colors == {(0, 0, 0): VOID_VALUE, (1, 2, 3): 1} and cmap.names == {1: "cat"}
    ids, unknown = cmap.to_ids(np.array([[[1, 2, 3], [0, 0, 0], [5, 5, 5]]], np.uint8))
    assert ids.tolist() == [[1, VOID_VALUE, 0]] and unknown == 1


def test_colour_maps_saved_with_a_bom_are_read(tmp_path: Path) -> None:
    """A colour map saved with a BOM (Windows editors): dataset_meta.json was refused (so no RGB mask
    could be read), labelmap.txt's first name began with U+FEFF (a first ``void`` was no longer void),
    label_colors.txt's first number was no number (the map refused)."""
    maps = {
        "dataset_meta.json": '{"label_map": {"0": "void", "1": "cat", "2": "dog"}, '
        '"segmentation_colors": [[255, 255, 255], [128, 0, 0], [0, 128, 0]]}',
        "labelmap.txt": "void:255,255,255::\ncat:128,0,0::\ndog:0,128,0::\n",
        "label_colors.txt": "255 255 255\tvoid\n128 0 0\tcat\n0 128 0\tdog\n",
    }
    for name, text in maps.items():
        root = tmp_path / name
        (root / "masks").mkdir(parents=True)
        rgb = np.zeros((4, 6, 3), np.uint8)
        rgb[:, :3] = (128, 0, 0)
        rgb[:, 3:] = (0, 128, 0)
        rgb[0, 0] = (255, 255, 255)
        Image.fromarray(rgb).save(root / "masks" / "a.png")
        (root / name).write_text(text, encoding="utf-8-sig")
        result = read_masks(root)
        (problem,) = result.problems  # the only one: no photos beside the masks
        assert problem.endswith("1 mask imported under their own name and size"), name
        project = result.project
        got = sorted((project.categories[a.category_id].name, a.area) for a in project.annotations.values())
        assert got == [("cat", 11.0), ("dog", 12.0), ("void", 1.0)], name
