"""Every "Bad input" case of issue 2: load raises ProjectFormatError listing each problem with its JSON
location, and ``pixelproof validate`` prints the same list and exits 1."""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import ProjectFormatError, load_project, validate_file
from tests.core.docs import valid_doc, write


def problems_of(path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Load must fail and validate must print exactly the same problems, one per line, and exit 1."""
    with pytest.raises(ProjectFormatError) as info:
        load_project(path)
    problems = info.value.problems
    assert problems, "ProjectFormatError without problems"
    capsys.readouterr()
    assert main(["validate", str(path)]) == 1
    err_lines = capsys.readouterr().err.splitlines()
    assert err_lines == [f"{path}: {p}" for p in problems]
    assert validate_file(path) == problems
    return problems


def test_valid_doc_is_valid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    assert len(load_project(path).annotations) == 3
    assert main(["validate", str(path)]) == 0
    assert "valid" in capsys.readouterr().out


def test_not_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.json"
    path.write_text("this is not json\n")
    [problem] = problems_of(path, capsys)
    assert problem.startswith("not valid JSON:") and "line 1 column 1" in problem


def test_empty_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.json"
    path.write_bytes(b"")
    assert problems_of(path, capsys) == ["file is empty, not JSON"]


def test_truncated_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.json"
    full = write(tmp_path / "full.json", valid_doc()).read_text()
    path.write_text(full[: len(full) // 2])
    [problem] = problems_of(path, capsys)
    assert problem.startswith("not valid JSON:") and "line 1 column" in problem


def test_unterminated_string(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.json"
    path.write_text('{"images": [{"file_name": "a.png')
    assert problems_of(path, capsys) == ["not valid JSON: Unterminated string starting at line 1 column 27"]


def test_json_not_an_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "p.json", [1, 2, 3])
    assert problems_of(path, capsys) == ["top level: expected a JSON object, got a list"]


def test_lists_of_wrong_type(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_doc()
    doc["images"] = {"id": 1}
    doc["annotations"] = []
    assert problems_of(write(tmp_path / "p.json", doc), capsys) == ["images: expected a list, got an object"]


def test_bbox_of_three_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_doc()
    doc["annotations"][2]["bbox"] = [1, 2, 3]
    assert problems_of(write(tmp_path / "p.json", doc), capsys) == [
        "annotations[2].bbox: expected 4 numbers, got 3"
    ]


def test_string_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_doc()
    doc["images"][1]["id"] = "2"
    doc["annotations"][0]["id"] = "1"
    doc["categories"][0]["id"] = "one"
    problems = problems_of(write(tmp_path / "p.json", doc), capsys)
    assert "images[1].id: expected an integer, got a string '2'" in problems
    assert "annotations[0].id: expected an integer, got a string '1'" in problems
    assert "categories[0].id: expected an integer, got a string 'one'" in problems


def test_string_image_id_in_annotation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_doc()
    doc["annotations"][1]["image_id"] = "1"
    assert problems_of(write(tmp_path / "p.json", doc), capsys) == [
        "annotations[1].image_id: expected an integer, got a string '1'"
    ]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_inf_in_bbox(tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: float) -> None:
    doc = valid_doc()
    doc["annotations"][2]["bbox"][1] = bad
    path = write(tmp_path / "p.json", doc)
    assert ("NaN" in path.read_text()) or ("Infinity" in path.read_text())
    assert problems_of(path, capsys) == [f"annotations[2].bbox[1]: expected a finite number, got {bad!r}"]


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_nan_and_inf_in_polygon(tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: float) -> None:
    doc = valid_doc()
    doc["annotations"][0]["segmentation"][0][3] = bad
    problems = problems_of(write(tmp_path / "p.json", doc), capsys)
    assert problems == [f"annotations[0].segmentation[0]: expected finite coordinates, got {bad!r}"]


def test_nan_area_and_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_doc()
    doc["annotations"][0]["area"] = math.nan
    doc["annotations"][1]["score"] = math.inf
    assert problems_of(write(tmp_path / "p.json", doc), capsys) == [
        "annotations[0].area: expected a non-negative finite number, got nan",
        "annotations[1].score: expected a finite number, got inf",
    ]


def test_negative_bbox_width(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_doc()
    doc["annotations"][2]["bbox"] = [2, 3, -4, 5]
    assert problems_of(write(tmp_path / "p.json", doc), capsys) == [
        "annotations[2].bbox: width and height must be >= 0, got -4 x 5"
    ]


def test_negative_image_width(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_doc()
    doc["images"][1]["width"] = -60
    problems = problems_of(write(tmp_path / "p.json", doc), capsys)
    assert problems[0] == "images[1].width: expected a positive integer, got -60"
    # the image is unusable, so its annotation is not loaded either: said with the reason, not as an image
    # missing from the file (which it is not)
    assert problems[1:] == ["annotations[2].image_id: image 2 is not loaded: its record images[1] is invalid"]


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("images", "images[1].id: duplicate id 1 (also images[0])"),
        ("annotations", "annotations[1].id: duplicate id 1 (also annotations[0])"),
        ("categories", "categories[1].id: duplicate id 1 (also categories[0])"),
    ],
)
def test_duplicate_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str], table: str, expected: str) -> None:
    doc = valid_doc()
    doc[table][1]["id"] = doc[table][0]["id"]
    if table == "images":
        doc["annotations"] = doc["annotations"][:2]  # keep the report to the one problem under test
    if table == "categories":
        doc["annotations"] = [a for a in doc["annotations"] if a["category_id"] == 1]
    assert problems_of(write(tmp_path / "p.json", doc), capsys) == [expected]


def test_annotation_of_missing_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_doc()
    doc["annotations"][2]["image_id"] = 99
    assert problems_of(write(tmp_path / "p.json", doc), capsys) == [
        "annotations[2].image_id: image 99 does not exist"
    ]


def test_annotation_of_missing_category(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_doc()
    doc["annotations"][0]["category_id"] = 7
    assert problems_of(write(tmp_path / "p.json", doc), capsys) == [
        "annotations[0].category_id: category 7 does not exist"
    ]


def test_polygon_with_two_points(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_doc()
    doc["annotations"][0]["segmentation"].append([1.0, 2.0, 3.0, 4.0])
    assert problems_of(write(tmp_path / "p.json", doc), capsys) == [
        "annotations[0].segmentation[1]: a polygon needs at least 3 points, got 2"
    ]


def test_polygon_with_odd_count_and_bool(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_doc()
    doc["annotations"][0]["segmentation"] = [[1, 2, 3, 4, 5, 6, 7], [1, 2, 3, True, 5, 6]]
    assert problems_of(write(tmp_path / "p.json", doc), capsys) == [
        "annotations[0].segmentation[0]: expected an even count of numbers (x, y pairs), got 7",
        "annotations[0].segmentation[1]: expected numbers, got a boolean True",
    ]


@pytest.mark.parametrize(
    ("bad", "shown"),
    [(True, "a boolean True"), (False, "a boolean False"), ("5", "a string '5'"), (None, "null None")],
)
def test_one_non_number_among_valid_coordinates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: object, shown: str
) -> None:
    """The bulk check converts every coordinate at once (bools become 0.0 / 1.0, numeric strings parse):
    a single odd value in an otherwise valid file must still be found and located."""
    doc = valid_doc()
    doc["annotations"][0]["segmentation"] = [[1, 2, 30, 4, 5, 6], [1.5, 2, 3, 0, 5, 1, 8, 9]]
    doc["annotations"][0]["segmentation"][1][3] = bad
    doc["annotations"][1]["bbox"][1] = bad
    assert problems_of(write(tmp_path / "p.json", doc), capsys) == [
        f"annotations[0].segmentation[1]: expected numbers, got {shown}",
        f"annotations[1].bbox[1]: expected a number, got {shown}",
    ]


def test_rle_size_differs_from_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_doc()
    doc["annotations"][1]["segmentation"]["size"] = [60, 40]
    assert problems_of(write(tmp_path / "p.json", doc), capsys) == [
        "annotations[1].segmentation.size: RLE size [60, 40] differs from image 1 size [40, 60] "
        "(height, width)"
    ]


def test_rle_counts_that_overrun_the_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """pycocotools would write past its buffer decoding this; it must be caught on load."""
    doc = valid_doc()
    doc["annotations"][1]["segmentation"]["counts"] += "a1"
    [problem] = problems_of(write(tmp_path / "p.json", doc), capsys)
    assert problem.startswith("annotations[1].segmentation.counts: runs cover ")
    assert problem.endswith("pixels, expected height*width = 2400")


def test_rle_counts_not_an_rle_string(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_doc()
    doc["annotations"][1]["segmentation"]["counts"] = "{{{ not rle"
    assert problems_of(write(tmp_path / "p.json", doc), capsys) == [
        "annotations[1].segmentation.counts: not a valid pycocotools compressed RLE string"
    ]


def test_uncompressed_rle_with_wrong_sum(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_doc()
    doc["annotations"][1]["segmentation"] = {"size": [40, 60], "counts": [100, 20, 100]}
    doc["annotations"][1]["iscrowd"] = 1
    assert problems_of(write(tmp_path / "p.json", doc), capsys) == [
        "annotations[1].segmentation.counts: uncompressed RLE counts sum to 220, expected height*width = 2400"
    ]


def test_unreadable_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Monkeypatched: tests run as root here, and root reads a chmod 000 file anyway."""
    path = write(tmp_path / "p.json", valid_doc())
    real = os.open

    def denied(name: object, *args: object, **kwargs: object) -> int:
        if Path(name) == path:  # type: ignore[arg-type]
            raise PermissionError(13, "Permission denied", str(name))
        return real(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", denied)
    assert problems_of(path, capsys) == ["cannot read the file: permission denied"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file_for_real(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "p.json", valid_doc())
    path.chmod(0)
    try:
        assert problems_of(path, capsys) == ["cannot read the file: permission denied"]
    finally:
        path.chmod(0o644)


def test_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "project.json"
    folder.mkdir()
    assert problems_of(folder, capsys) == ["is a folder, not a file to read"]


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert problems_of(tmp_path / "nope.json", capsys) == ["file not found"]


def test_several_problems_all_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_doc()
    doc["images"][0]["height"] = 0
    doc["categories"][1]["name"] = 5
    doc["annotations"][0]["bbox"] = [1, 2, 3]
    doc["annotations"][1]["iscrowd"] = 2
    doc["annotations"][2]["pixelproof"] = {"review": "maybe"}
    doc["pixelproof"] = {
        "format": 1,
        "image_status": {"2": "finished"},
        "overlap_annotators": {"2": ["ann", 7], "3": ["ann", "bob"]},
    }
    problems = problems_of(write(tmp_path / "p.json", doc), capsys)
    assert problems == [
        "images[0].height: expected a positive integer, got 0",
        "categories[1].name: expected a string, got a number",
        "pixelproof.image_status.2: expected one of todo, in_progress, done, reviewed, got 'finished'",
        "pixelproof.overlap_annotators.2: expected a list of annotator names, got ['ann', 7]",
        "annotations[0].image_id: image 1 is not loaded: its record images[0] is invalid",
        "annotations[0].bbox: expected 4 numbers, got 3",
        "annotations[1].image_id: image 1 is not loaded: its record images[0] is invalid",
        "annotations[1].category_id: category 2 is not loaded: its record categories[1] is invalid",
        "annotations[1].iscrowd: expected 0 or 1, got 2",
        "annotations[2].pixelproof.review: expected one of pending, accepted, rejected, got 'maybe'",
    ]


def test_every_problem_names_a_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = valid_doc()
    doc["annotations"].append({"id": 9, "image_id": 2, "category_id": 1, "segmentation": None})
    doc["annotations"].append("not an annotation")
    doc["categories"][0]["pixelproof"] = {"color": "red"}
    problems = problems_of(write(tmp_path / "p.json", doc), capsys)
    assert problems == [
        "categories[0].pixelproof.color: expected '#rrggbb', got 'red'",
        "annotations[0].category_id: category 1 is not loaded: its record categories[0] is invalid",
        "annotations[2].category_id: category 1 is not loaded: its record categories[0] is invalid",
        "annotations[3].category_id: category 1 is not loaded: its record categories[0] is invalid",
        "annotations[3].segmentation: expected a list of polygons or an RLE object, got null",
        "annotations[3].bbox: missing (an annotation without segmentation needs a bbox)",
        "annotations[4]: expected an object, got a string",
    ]


@pytest.mark.parametrize("layout", ["one line", "as saved"])
def test_unpaired_surrogate_escape_is_refused_where_it_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], layout: str
) -> None:
    """``"\\ud800"`` parses with a lenient JSON parser but no UTF-8 writer can save it: a project holding
    one could be opened and edited, then every save failed."""
    path = write(tmp_path / "p.json", valid_doc())
    if layout == "one line":
        import json

        path.write_text(json.dumps(json.loads(path.read_text())))
    text = path.read_text()
    assert text.count('"cat"') == 1
    path.write_text(text.replace('"cat"', '"c\\ud800t"'))
    line = path.read_text()[: path.read_text().index("\\ud800")].count("\n") + 1
    [problem] = problems_of(path, capsys)
    assert problem.startswith("not valid text: an unpaired surrogate") and f"line {line} column" in problem


def test_integer_of_more_digits_than_python_converts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Python refuses to turn more than 4300 digits into an int (CVE-2020-10735): a located problem, not a
    ValueError traceback out of ``validate`` (orjson gives up first, on a number past a double)."""
    full = write(tmp_path / "full.json", valid_doc()).read_text()
    path = tmp_path / "p.json"
    path.write_text(full.replace('"area": 20,', '"area": 2' + "0" * 5000 + ",", 1))
    [problem] = problems_of(path, capsys)
    assert problem.startswith("not valid JSON: a number of 5001 digits") and "line 1 column" in problem


def test_file_name_with_nul(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No file system holds a NUL in a name: an export that copies images stopped whole at that image."""
    doc = valid_doc()
    doc["images"][1]["file_name"] = "b\0.png"
    assert problems_of(write(tmp_path / "p.json", doc), capsys) == [
        "images[1].file_name: holds a NUL character, which no file name can",
        "annotations[2].image_id: image 2 is not loaded: its record images[1] is invalid",
    ]


def test_a_big_file_that_is_no_project_is_refused_from_its_first_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 2 GB sparse file of zeros named .json took 29 s and 6 GB of memory to refuse (read, hashed,
    decoded, split); its first byte already says it is no JSON object."""
    import tracemalloc

    path = tmp_path / "zeros.json"
    with path.open("wb") as f:
        f.truncate(256 << 20)
    tracemalloc.start()
    try:
        [problem] = problems_of(path, capsys)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problem == "not a project file: it starts with byte 0x00 at line 1 column 1, not with '{'"
    assert peak < 32 << 20  # nowhere near the file's 256 MB
    path.write_bytes(b"\n  [" + b"0," * (1 << 20) + b"0]")  # a big list: said as a small one is
    assert problems_of(path, capsys) == ["top level: expected a JSON object, got a list"]


def test_another_tools_json_is_no_empty_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A LabelMe file has none of COCO's lists: it loaded as an empty project (and the app showed nothing,
    saying nothing). ``{}`` stays an empty project."""
    labelme = {"version": "5.0.1", "shapes": [], "imagePath": "a.png", "imageHeight": 8, "imageWidth": 8}
    [problem] = problems_of(write(tmp_path / "a.json", labelme), capsys)
    assert problem.startswith("top level: no images, annotations or categories: not a COCO project")
    assert "version, shapes, imagePath" in problem and "File > Import" in problem
    assert len(load_project(write(tmp_path / "empty.json", {})).images) == 0
