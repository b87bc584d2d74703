"""pixelproof qa's printed summary: each distance with its unit, images in mm and px never averaged
together (one line per unit), and a mean that counts an ∞ as the image diagonal marked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import save_project
from pixelproof.core.qa import run_qa
from tests.core.test_qa_units import projects
from tests.core.test_qa_volumes import box_volume, volume_project


def printed_rows(capsys, tmp_path: Path, ref, cand) -> dict[str, list[str]]:
    save_project(ref, tmp_path / "ref.json")
    save_project(cand, tmp_path / "cand.json")
    capsys.readouterr()
    assert main(["qa", str(tmp_path / "ref.json"), str(tmp_path / "cand.json")]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    header = next(n for n, line in enumerate(lines) if line.startswith("category"))
    assert lines[header].split()[:4] == ["category", "unit", "dice", "iou"]
    return {"out": [out], **{" ".join(line.split()[:2]): line.split() for line in lines[header + 1 :]}}


def test_mixed_units_print_one_line_per_unit(capsys, tmp_path: Path) -> None:
    ref, cand = projects()
    s = run_qa(ref, cand).summary()
    rows = printed_rows(capsys, tmp_path, ref, cand)
    assert rows["cat mixed"][4:6] == ["by", "unit"]  # hd95: no mean of mm and px
    mm, px = rows["mm, 1"], rows["px, 2"]
    assert mm[3:5] == [f"{s['by_unit']['mm']['hd95']:.4f}", "mm"]
    assert px[3:5] == [f"{s['by_unit']['px']['hd95']:.4f}", "px"]
    assert "images with a pixel_spacing in mm, the others in px" in rows["out"][0]


@pytest.mark.parametrize(("spaced", "unit"), [(("mm.png", "px1.png", "px2.png"), "mm"), ((), "px")])
def test_one_unit_prints_it_beside_each_distance(capsys, tmp_path: Path, spaced, unit) -> None:
    ref, cand = projects(spaced)
    cand.remove_annotation(max(cand.annotations))  # px2.png's candidate now empty: HD95 ∞ in the mean
    s = run_qa(ref, cand).summary()
    assert s["hd95_inf_replaced"] == 1
    rows = printed_rows(capsys, tmp_path, ref, cand)
    assert rows[f"cat {unit}"][4:6] == [f"{s['hd95']:.4f}", f"{unit}*"]
    assert "* +inf replaced by the image diagonal" in rows["out"][0]


def qa_volumes_cli(capsys, tmp_path: Path, ref, cand) -> tuple[str, dict]:  # type: ignore[no-untyped-def]
    """``pixelproof qa ref.json cand.json --json qa.json`` (exit 0): its stderr and its JSON."""
    save_project(ref, tmp_path / "ref.json")
    save_project(cand, tmp_path / "cand.json")
    capsys.readouterr()
    out = tmp_path / "qa.json"
    assert main(["qa", str(tmp_path / "ref.json"), str(tmp_path / "cand.json"), "--json", str(out)]) == 0
    return capsys.readouterr().err, json.loads(out.read_text())


def test_two_slice_spacings_for_a_volume_are_warned_on_stderr_and_in_the_json(capsys, tmp_path: Path) -> None:
    """A candidate header putting a volume's slices 5 mm apart where the reference says 2.5 mm: qa takes
    the reference's, and says so as it says two pixel spacings (stderr and the JSON's problems)."""
    names = [f"case.nii.gz#z={k:03d}" for k in range(10)]
    ref = volume_project(names, box_volume(2, 6), [40.0 - 2.5 * k for k in range(10)])
    cand = volume_project(names, box_volume(4, 8), [40.0 - 5.0 * k for k in range(10)])
    err, data = qa_volumes_cli(capsys, tmp_path, ref, cand)
    line = (
        "slice_position (spacing along z) differs: reference 2.5 mm, candidate 5 mm on 1 volume "
        "(case.nii.gz); distances use the reference's"
    )
    assert f"pixelproof: warning: {line}" in err.splitlines()
    assert line in data["problems"]
    assert data["per_volume"][0]["hd"] == pytest.approx(5.0)  # two slices of the reference's 2.5 mm


def test_slice_geometry_only_in_the_candidate_is_warned_on_stderr_and_in_the_json(
    capsys, tmp_path: Path
) -> None:
    """A reference older than slice_offset: qa shifts the slices by the candidate's, and says so."""
    names = [f"case.nii.gz#z={k:03d}" for k in range(10)]
    ref = volume_project(names, box_volume(2, 6), [2.5 * k for k in range(10)])
    cand = volume_project(names, box_volume(4, 8), [2.5 * k for k in range(10)])
    for k, image in enumerate(sorted(cand.images.values(), key=lambda im: im.id)):
        image.extra["slice_offset"] = [1.0 * k, 0.0]
    err, data = qa_volumes_cli(capsys, tmp_path, ref, cand)
    line = (
        "slice_offset (shift per slice) only in the candidate on 1 volume (case.nii.gz); "
        "distances use the candidate's"
    )
    assert f"pixelproof: warning: {line}" in err.splitlines() and line in data["problems"]


def test_wide_image_distances_stay_a_column_apart(capsys, tmp_path: Path) -> None:
    """On an 8192x1024 line scan a 3 px pit missed on one image makes the HD95 mean half the diagonal:
    ``4127.8760 px*`` is 13 characters and ran into the figure before it (``4127.8760 px*4127.8760 px*``:
    the column is 13 wide). Each figure ends under its column's name, a space before it."""

    def project(boxes: list[tuple[int, list[float]]]) -> dict:
        return {
            "images": [{"id": i, "file_name": f"scan{i}.tif", "width": 8192, "height": 1024} for i in (1, 2)],
            "categories": [{"id": 1, "name": "pit"}],
            "annotations": [
                {"id": n, "image_id": i, "category_id": 1, "bbox": b, "area": b[2] * b[3], "iscrowd": 0}
                for n, (i, b) in enumerate(boxes, start=1)
            ],
        }

    pits = [(1, [10.0, 10.0, 3.0, 3.0]), (2, [8100.0, 1000.0, 3.0, 3.0])]
    (tmp_path / "ref.json").write_text(json.dumps(project(pits)))
    (tmp_path / "cand.json").write_text(json.dumps(project(pits[:1])))  # scan2's pit missed: HD95 ∞ there
    capsys.readouterr()
    assert main(["qa", str(tmp_path / "ref.json"), str(tmp_path / "cand.json")]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = next(line for line in lines if line.startswith("category"))
    row = next(line for line in lines if line.startswith("pit"))
    fields = row.split()
    assert fields[4:6] == [fields[4], "px*"] and float(fields[4]) > 1000  # hd95 alone, then its unit
    for name in ("dice", "iou", "hd95", "assd", "nsd", "pq"):
        end = header.index(f" {name}") + len(name) + 1
        assert row[end - 1] != " " and (end == len(row) or row[end] == " "), name
