"""A Label Studio task of several pages: ``<Image name="img" valueList="$images"/>``, ``data.images`` a
list of URLs, each result on the page its ``item_index`` names (0 without one). The export is Label
Studio's own (``tests/data/labelstudio/data_multi_page.json``, from its editor's multi-image test; SOURCE.md
there): each page comes in as an image with its results, and goes back as the one task it was."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from pixelproof.interop.labelstudio import read_labelstudio, write_labelstudio

DATA = Path(__file__).resolve().parents[1] / "data" / "labelstudio"
# the pages' files (the export's URLs' base names) and sizes: the results' original_width/height
PAGES = [("0030019819f25b28.jpg", 576), ("00155094b7acc33b.jpg", 510), ("00133643bbf063a9.jpg", 576),
         ("0061ec6e9576b520.jpg", 512)]  # fmt: skip


def _export(tmp_path: Path, edit=None) -> Path:
    tasks = json.loads((DATA / "data_multi_page.json").read_text())
    if edit is not None:
        edit(tasks[0])
    path = tmp_path / "project-1-at-2026-01-05.json"
    path.write_text(json.dumps(tasks).replace('"NAN"', "NaN"))
    shutil.copy(DATA / "label_config_multi_page.xml", tmp_path / "label_config.xml")
    for name, height in PAGES:
        Image.new("RGB", (768, height)).save(tmp_path / name)
    return path


def _boxes(project) -> dict[str, list[tuple]]:
    return {
        im.file_name: sorted(
            (project.categories[a.category_id].name, [round(v, 2) for v in a.bbox])
            for a in project.annotations_of(im.id)
        )
        for im in project.images.values()
    }


def test_each_page_is_an_image_with_the_results_its_item_index_names(tmp_path: Path) -> None:
    result = read_labelstudio(_export(tmp_path))
    project = result.project
    assert _boxes(project) == {
        "0030019819f25b28.jpg": [
            ("Planet", [60.01, 242.22, 86.22, 60.43]),
            ("Planet", [285.62, 292.93, 115.27, 83.75]),
        ],
        "00155094b7acc33b.jpg": [("Moonwalker", [309.03, 116.69, 60.51, 95.08])],
        "00133643bbf063a9.jpg": [],
        "0061ec6e9576b520.jpg": [],
    }  # fmt: skip
    pages = [im.extra["pixelproof"]["labelstudio"] for im in project.images.values()]
    assert pages == [{"task": 1, "view": "img", "page": n} for n in range(4)]
    assert set(project.app["image_status"].values()) == {"done"}  # the task was submitted: every page checked
    assert any(
        "<Image valueList> reads a list of pictures a task (data.images)" in p for p in result.problems
    )


def test_a_round_trip_gives_the_one_task_back_with_its_list_and_item_indexes(tmp_path: Path) -> None:
    first = read_labelstudio(_export(tmp_path)).project
    out = tmp_path / "out"
    write_labelstudio(first, out, images="copy")
    (task,) = json.loads((out / "tasks.json").read_text())
    assert list(task["data"]) == ["images"]
    assert [u.rsplit("/", 1)[-1] for u in task["data"]["images"]] == [name for name, _ in PAGES]
    original = json.loads((DATA / "data_multi_page.json").read_text())[0]["annotations"][0]["result"]
    (annotation,) = task["annotations"]
    written = {r["id"]: r for r in annotation["result"]}
    for r in original:  # the same region on the same page of the same <Image>, the same size
        w = written[r["id"]]
        assert (w["from_name"], w["to_name"], w["item_index"]) == (
            r["from_name"],
            r["to_name"],
            r["item_index"],
        )
        assert (w["original_width"], w["original_height"]) == (r["original_width"], r["original_height"])
        assert w["value"].pop("rectanglelabels") == r["value"].pop("rectanglelabels")
        assert w["value"] == pytest.approx(r["value"])
    config = (out / "label_config.xml").read_text()
    assert (
        '<Image name="img" valueList="$images"' in config
        and '<RectangleLabels name="tag" toName="img"' in config
    )
    (out / "tasks.json").rename(out / "export.json")
    back = read_labelstudio(out / "export.json", image_dir=out / "images").project
    assert _boxes(back) == _boxes(first)


@pytest.mark.parametrize(
    ("index", "why"),
    [
        (-1, "item_index -1 is negative"),
        ("1", "item_index '1' is no page number"),
        (1.5, "item_index 1.5 is no page number"),
        ("NAN", "item_index nan is no page number"),  # NaN in the file: json.dump writes it
        (True, "item_index True is no page number"),
        (4, "item_index 4 is past the task's 4 pages"),
        (1e308, "item_index 1e+308 is past the task's 4 pages"),  # said as written, not in 309 digits
        (-1e308, "item_index -1e+308 is negative"),
    ],
)
def test_an_item_index_that_names_no_page_is_skipped_and_said(tmp_path: Path, index, why: str) -> None:
    def edit(task: dict) -> None:
        task["annotations"][0]["result"][1]["item_index"] = index

    result = read_labelstudio(_export(tmp_path, edit))
    boxes = _boxes(result.project)
    assert boxes["00155094b7acc33b.jpg"] == [] and len(boxes["0030019819f25b28.jpg"]) == 2  # never guessed
    said = [p for p in result.problems if why in p]
    assert (
        said and "tasks[0] (id 1): result[1] ('rectanglelabels', from_name 'tag', id 'spPCrj0omt')" in said[0]
    )
    assert result.skipped["results"] == 1
    assert result.project.app.get("image_status", {}) == {}  # not read whole: no page is a checked one


def test_a_result_without_item_index_is_on_the_first_page(tmp_path: Path) -> None:
    def edit(task: dict) -> None:
        del task["annotations"][0]["result"][1]["item_index"]
        task["annotations"][0]["result"][1]["original_height"] = 576

    boxes = _boxes(read_labelstudio(_export(tmp_path, edit)).project)
    assert len(boxes["0030019819f25b28.jpg"]) == 3 and boxes["00155094b7acc33b.jpg"] == []


@pytest.mark.parametrize("value", ["https://data.heartex.net/a.jpg", {"0": "a.jpg"}, 7])
def test_data_that_is_no_list_of_pages_is_said_with_its_results(tmp_path: Path, value) -> None:
    def edit(task: dict) -> None:
        task["data"]["images"] = value

    result = read_labelstudio(_export(tmp_path, edit))
    assert result.project.images == {}
    said = [p for p in result.problems if "data.images is not a list of image URLs (valueList)" in p]
    assert said and 'tasks[0] (id 1) <Image name="img">' in said[0] and "3 results not imported" in said[0]


def test_a_page_that_is_no_url_is_named_the_others_imported(tmp_path: Path) -> None:
    def edit(task: dict) -> None:
        task["data"]["images"][1] = None

    result = read_labelstudio(_export(tmp_path, edit))
    assert len(result.project.images) == 3
    said = [p for p in result.problems if "no data.images[1] naming the image" in p]
    assert said and '(id 1) <Image name="img"> page 1' in said[0] and "1 result not imported" in said[0]


def test_a_to_name_naming_no_image_beside_pages_is_skipped_never_put_on_a_page(tmp_path: Path) -> None:
    """A config of pages and another picture: a result whose to_name names neither is skipped."""

    def edit(task: dict) -> None:
        task["data"]["cover"] = "https://data.heartex.net/open-images/train_0/mini/00133643bbf063a9.jpg"
        task["annotations"][0]["result"][0].update(
            to_name="back", from_name="back_box"
        )  # config edited since

    path = _export(tmp_path, edit)
    config = (tmp_path / "label_config.xml").read_text()
    (tmp_path / "label_config.xml").write_text(
        config.replace("<View>", '<View><Image name="cover" value="$cover"/>')
    )
    result = read_labelstudio(path)
    boxes = _boxes(result.project)
    assert len(boxes["0030019819f25b28.jpg"]) == 1  # the other page-0 box only
    said = [p for p in result.problems if "to_name 'back' names no <Image>" in p]
    assert said and "tasks[0] (id 1): result[0]" in said[0] and "id 'SBHuSbuOoI'" in said[0]


def test_two_image_tags_reading_one_list_write_one_list_of_every_page(tmp_path: Path) -> None:
    """A project edited by hand (or a config of two ``<Image valueList="$images">``): pages of two views
    on one data key are written as that key's one list, not an IndexError."""
    project = read_labelstudio(_export(tmp_path)).project
    project.extra["labelstudio_config"]["names"]["Image"] = [
        ["img", "images", "list"],
        ["b", "images", "list"],
    ]
    second = list(project.images.values())[1]
    second.extra["pixelproof"]["labelstudio"]["view"] = "b"
    out = tmp_path / "out"
    write_labelstudio(project, out, images="copy")
    (task,) = json.loads((out / "tasks.json").read_text())
    assert [u.rsplit("/", 1)[-1] for u in task["data"]["images"]] == [name for name, _ in PAGES]
