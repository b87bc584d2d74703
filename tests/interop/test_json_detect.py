"""A JSON file's format is told by its top-level keys, read as far as they go (``interop/json_keys.py``),
not by its first 64 KB: LVIS writes ~1 MB of categories before ``images``, and a panoptic file's
``segments_info`` comes after its whole ``images`` list. Hostile files end the scan, never hang it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pixelproof.interop import json_keys
from pixelproof.interop.formats import FORMATS, detect_format
from pixelproof.interop.json_keys import top_level_keys


def _lvis_ordered(path: Path) -> Path:
    """An LVIS-shaped file (lvis_v1_val.json's key order and category fields), categories > 1 MB first."""
    categories = [
        {
            "id": i,
            "name": f"thing_{i}",
            "synonyms": [f'thing {i} "alias" {k}' + " long" * 20 for k in range(4)],
            "def": 'a \\ described {thing} [with] brackets, "quotes" and escapes ' * 8,
            "synset": f"thing_{i}.n.01",
            "frequency": "f",
            "image_count": 1,
            "instance_count": 1,
        }
        for i in range(1, 1204)
    ]
    doc = {
        "info": {"description": "LVIS-like"},
        "licenses": [],
        "categories": categories,
        "images": [
            {
                "id": 1,
                "file_name": "a.jpg",
                "width": 64,
                "height": 48,
                "coco_url": "http://images.cocodataset.org/val2017/a.jpg",
                "neg_category_ids": [2],
                "not_exhaustive_category_ids": [],
            }
        ],
        "annotations": [
            {
                "id": 1,
                "image_id": 1,
                "category_id": 1,
                "bbox": [2.0, 3.0, 10.0, 8.0],
                "area": 80.0,
                "segmentation": [[2.0, 3.0, 12.0, 3.0, 12.0, 11.0]],
            }
        ],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert path.read_bytes().index(b'"images"') > 1 << 20
    return path


def test_an_lvis_ordered_file_is_detected_and_read_as_coco(tmp_path: Path) -> None:
    path = _lvis_ordered(tmp_path / "lvis_v1_val.json")
    fmt = detect_format(path)  # what `convert` / `import` without --from and the Import dialog ask
    assert fmt is not None and fmt.name == "coco"
    result = fmt.read(path)
    assert len(result.project.categories) == 1203 and len(result.project.annotations) == 1


def test_keys_cut_by_a_chunk_end_and_escaped_keys_are_found(tmp_path: Path) -> None:
    for pad in range(4070, 4100):  # "images" straddles the first 4 KB read at some pad
        path = tmp_path / f"p{pad}.json"
        path.write_bytes(b'{"info": "' + b"x" * pad + b'\\"", "images": [], "annotations": []}')
        assert [k for k, _ in top_level_keys(path)] == ["info", "images", "annotations"]
    path = tmp_path / "escaped.json"
    path.write_bytes(b'{"imag\\u0065s": [], "annotations": []}')
    assert FORMATS["coco"].looks_like(path)


def test_a_coco_file_with_shapes_inside_its_images_stays_coco(tmp_path: Path) -> None:
    """A project read from CVAT keeps polylines under ``shapes`` in its images; only top-level keys count,
    however far the images list starts (categories named "shapes" over 64 KB first)."""
    categories = [{"id": i, "name": "shapes", "supercategory": "x" * 100} for i in range(1, 1000)]
    images = [{"id": 1, "file_name": "a.png", "width": 8, "height": 8, "shapes": [{"type": "points"}]}]
    path = tmp_path / "project.json"
    path.write_text(json.dumps({"categories": categories, "images": images, "annotations": []}))
    assert detect_format(path).name == "coco"  # type: ignore[union-attr]
    assert not FORMATS["labelme"].looks_like(path)


def test_labelme_files_with_shapes_first_or_after_a_huge_image_data(tmp_path: Path) -> None:
    shape = {"label": "cat", "points": [[1, 1], [5, 5]], "shape_type": "rectangle"}
    written = {"version": "5.4.1", "flags": {}, "shapes": [shape], "imagePath": "a.png", "imageData": None}
    late = {"version": "5.4.1", "imageData": "QUJD" * 500_000, "shapes": [shape], "imagePath": "a.png"}
    for name, doc in (("written.json", written), ("late.json", late)):
        path = tmp_path / name
        path.write_text(json.dumps(doc))
        assert detect_format(path).name == "labelme", name  # type: ignore[union-attr]
        assert not FORMATS["coco"].looks_like(path)


def test_a_panoptic_file_whose_segments_info_follows_a_long_images_list(tmp_path: Path) -> None:
    images = [{"id": i, "file_name": f"{i:012d}.jpg", "width": 640, "height": 480} for i in range(5000)]
    doc = {
        "images": images,
        "annotations": [
            {"segments_info": [{"id": 1, "category_id": 1}], "file_name": "a.png", "image_id": 0}
        ],
        "categories": [{"id": 1, "name": "thing", "isthing": 1}],
    }
    path = tmp_path / "val.json"  # no panoptic*.json name, no PNG folder beside it
    path.write_text(json.dumps(doc))
    assert path.read_bytes().index(b"segments_info") > 65536
    assert detect_format(path).name == "coco-panoptic"  # type: ignore[union-attr]
    assert not FORMATS["coco"].looks_like(path)


def test_a_file_rewritten_in_another_format_is_detected_anew(tmp_path: Path) -> None:
    """The layout is remembered per file version (size, time, inode), never for a path."""
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"annotations": [{"segments_info": []}], "images": []}))
    assert detect_format(path).name == "coco-panoptic"  # type: ignore[union-attr]
    path.write_text(json.dumps({"version": "5.4.1", "shapes": [], "imagePath": "a.png"}))
    assert detect_format(path).name == "labelme"  # type: ignore[union-attr]


def _sparse(path: Path, head: bytes, size: int, tail: bytes = b"") -> Path:
    with open(path, "wb") as f:
        f.write(head)
        f.truncate(size)
        f.seek(size)
        f.write(tail)
    return path


@pytest.mark.parametrize(
    "content",
    [
        b'{"info": {"a": [1, 2',  # truncated
        b'{"info": ' + b"[" * 3_000_000 + b'], "images": []}',  # deeply nested, never closed
        b'{"info": NaN, "x": [NaN, Infinity, -Infinity], "categories": "\\',  # NaN, a backslash at the end
        b'[{"images": []}]',  # a list, not an object
        b"",
        b"\xff\xfe{\x00",
        b'{"a": 1' + b', "k": 1' * 20_000 + b', "images": []}',  # keys past MAX_TOKENS
    ],
)
def test_hostile_files_say_no(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    assert detect_format(path) is None


def test_a_bom_before_a_coco_object_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b'\xef\xbb\xbf \n{"images": [], "annotations": []}')
    assert [k for k, _ in top_level_keys(path)] == ["images", "annotations"]


def test_a_2gb_string_is_read_no_further_than_the_cap(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = _sparse(tmp_path / "huge.json", b'{"info": "', 2 << 30, b'", "images": []}')
    reads: list[int] = []
    real = json_keys._scan

    class Counting:
        def __init__(self, f) -> None:  # type: ignore[no-untyped-def]
            self.f = f

        def read(self, n: int) -> bytes:
            data = self.f.read(n)
            reads.append(len(data))
            return data

    monkeypatch.setattr(json_keys, "_scan", lambda f, cap: real(Counting(f), cap))
    assert [k for k, _ in top_level_keys(path, cap=8 << 20)] == ["info"]
    assert sum(reads) == 8 << 20
    assert not FORMATS["coco"].looks_like(path)  # the default cap: 256 MB read, no images found


def test_a_fifo_or_a_folder_named_json_says_no(tmp_path: Path) -> None:
    (tmp_path / "dir.json").mkdir()
    assert list(top_level_keys(tmp_path / "dir.json")) == [] and detect_format(tmp_path / "dir.json") is None
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.json")
        assert list(top_level_keys(tmp_path / "pipe.json")) == []  # opened without blocking, refused
        assert detect_format(tmp_path / "pipe.json") is None


_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=False)
    | st.text(alphabet='ab"\\{}[]:, \n\u00e9\U0001f600'),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    doc=st.dictionaries(st.text(alphabet='k"\\{[:\u00e9', max_size=8), _VALUES, max_size=6),
    pad=st.integers(0, 5000),
    ascii_only=st.booleans(),
)
def test_the_keys_are_those_json_reads_in_its_order(
    tmp_path: Path, doc: dict, pad: int, ascii_only: bool
) -> None:  # type: ignore[type-arg]
    """Strings full of quotes, backslashes and brackets, cut anywhere by a chunk's end (``pad`` moves them
    over the first 4 KB read), leave the keys as ``json.loads`` gives them."""
    text = json.dumps({"pad": "x" * pad, **doc}, ensure_ascii=ascii_only)
    path = tmp_path / "doc.json"
    path.write_bytes(text.encode("utf-8"))
    found = list(top_level_keys(path))
    assert [k for k, _ in found] == list(json.loads(text))
    for _key, offset in found:  # each offset is where the key's value starts
        json.JSONDecoder().raw_decode(text.encode("utf-8")[offset:].decode("utf-8").lstrip())


@pytest.mark.parametrize("gap", [4096, 70_000])
def test_whitespace_longer_than_a_read_before_the_object_or_a_colon(tmp_path: Path, gap: int) -> None:
    """Valid JSON that json.loads reads: more than the first 4 KB read of spaces before ``{``, or a key's
    ':' after whitespace running past a chunk's end (the key was dropped unless within 4 KB of it)."""
    lead = tmp_path / "lead.json"
    lead.write_bytes(b" " * gap + b'{"images": [], "annotations": []}')
    colon = tmp_path / "colon.json"
    colon.write_bytes(
        b'{"info": "' + b"x" * 4090 + b'", "images"' + b"\r\n" * gap + b': [], "annotations": []}'
    )
    for path in (lead, colon):
        found = list(top_level_keys(path))
        assert [k for k, _ in found] == list(json.loads(path.read_bytes()))
        data = path.read_bytes()
        for _key, offset in found:
            json.JSONDecoder().raw_decode(data[offset:].decode("utf-8").lstrip())
        assert detect_format(path).name == "coco"  # type: ignore[union-attr]


def test_panoptic_only_when_the_first_annotation_has_a_segments_info_key(tmp_path: Path) -> None:
    """The first 64 KB after ``annotations`` were searched for ``"segments_info":``: a COCO box whose
    attributes held that key, or a later top-level object, made the file panoptic (its boxes then came in
    as nothing, "folder of its PNGs not found")."""
    box = {"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 10, 10], "area": 100, "iscrowd": 0}
    images = [{"id": 1, "file_name": "a.png", "width": 64, "height": 48}]
    cases = {
        "coco": [
            {"images": images, "annotations": [{**box, "attributes": {"segments_info": "x"}}]},
            {"images": images, "annotations": [], "info": {"segments_info": []}},
            {"images": images, "annotations": [box, {"segments_info": []}]},
            {"images": images, "annotations": {"segments_info": []}},
        ],
        "coco-panoptic": [
            {"images": images, "annotations": [{"file_name": "a.png", "image_id": 1, "segments_info": []}]},
        ],
    }
    for want, docs in cases.items():
        for k, doc in enumerate(docs):
            path = tmp_path / f"{want}{k}.json"
            path.write_text(json.dumps(doc, indent=1))
            first = json.loads(path.read_text())["annotations"]
            panoptic = isinstance(first, list) and bool(first) and "segments_info" in first[0]
            assert (want == "coco-panoptic") == panoptic  # what json.loads says
            assert detect_format(path).name == want, (want, k)  # type: ignore[union-attr]
