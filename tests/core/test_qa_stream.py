"""QA streamed (issue 17): rows spooled to disk as they come and only aggregates kept give the same report
files, byte for byte, as the in-memory tables; the JSON writer is ``json.dumps(indent=1)`` exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixelproof.core import report
from pixelproof.core.qa import QAOptions, run_qa
from pixelproof.core.qa_tables import WORST_KEPT, Spool, StreamedRows
from tests.core.test_qa import disc, make_project

SIDE = (40, 48)


def scenes() -> tuple:
    """25 images (more than the worst images kept) of cats and dogs: matches, shifts, a missed object
    (one mask empty: +inf distances), a wrong class, an extra box, images without a class (both empty)."""
    images = [f"i{k:02d}.png" for k in range(WORST_KEPT + 5)]
    ref, cand = [], []
    for k, name in enumerate(images):
        r = 6 + k % 5
        ref.append((name, "cat", disc(14, 14, r, SIDE)))
        cand.append((name, "cat", disc(14 + k % 4, 14, r - k % 3, SIDE)))
        if k % 3 == 0:
            ref.append((name, "dog", disc(28, 34, 7, SIDE)))
            if k % 2 == 0:  # else missed
                cand.append((name, "dog" if k % 9 else "cat", disc(28, 33, 7, SIDE)))
        if k % 7 == 0:
            cand.append((name, "dog", [2.0, 30.0, 8.0, 6.0]))
    return make_project(ref, images, shape=SIDE), make_project(cand, images, shape=SIDE)


def write_reports(result, ref, cand, folder: Path) -> dict[str, bytes]:
    folder.mkdir(exist_ok=True)
    data = report.to_dict(result, "ref.json", "cand.json")
    report.write_json(data, folder / "qa.json")
    report.write_csv(data, folder / "qa.csv")
    report.write_html(data, folder / "qa.html", result, ref, cand)
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.mark.parametrize("both_empty_as_one", [False, True])
def test_streamed_reports_are_the_in_memory_ones_byte_for_byte(
    tmp_path: Path, both_empty_as_one: bool
) -> None:
    ref, cand = scenes()
    options = QAOptions(both_empty_as_one=both_empty_as_one)
    in_memory = run_qa(ref, cand, options)
    expected = write_reports(in_memory, ref, cand, tmp_path / "memory")

    out = tmp_path / "streamed"
    out.mkdir()
    with StreamedRows(out) as stream:
        streamed = run_qa(ref, cand, options, stream=stream)
        assert streamed.per_image == [] and streamed.per_object == []  # the rows are on disk only
        assert len(stream.image_rows) == len(in_memory.per_image) > 40
        assert streamed.worst_images(5) == in_memory.worst_images(5)
        got = write_reports(streamed, ref, cand, out)
    assert sorted(p.name for p in out.iterdir()) == ["qa.csv", "qa.html", "qa.json"]  # spools gone
    assert got == expected
    summary = json.loads(got["qa.json"])["summary"]
    assert summary["n_one_empty"] > 0 and summary["hd95_inf_replaced"] > 0 and summary["wrong_class"] > 0


def test_a_streamed_run_without_reports_keeps_no_rows_and_the_same_figures() -> None:
    ref, cand = scenes()
    with StreamedRows() as stream:
        streamed = run_qa(ref, cand, stream=stream)
        assert len(stream.image_rows) == 0 and len(stream.object_rows) == 0
    in_memory = run_qa(ref, cand)
    assert json.dumps(streamed.summary()) == json.dumps(in_memory.summary())
    assert json.dumps(streamed.per_class()) == json.dumps(in_memory.per_class())
    with pytest.raises(ValueError):
        streamed.worst_images(5, key="hd95")  # only Dice is kept for a streamed run


def test_json_writer_is_json_dumps_with_spooled_lists(tmp_path: Path) -> None:
    rows = [{"a": 1, "b": [1.5, None, {"c": "x\ny"}], "d": {}}, {"e": []}, {}]
    data = {"head": {"k": [1, 2], "e": []}, "rows": None, "empty": None, "tail": "é", "n": -0.0}
    for spooled in (False, True):
        spool, empty = Spool(tmp_path), Spool(tmp_path)
        for r in rows:
            spool.append(r)
        data["rows"], data["empty"] = (spool, empty) if spooled else (rows, [])
        report.write_json(data, tmp_path / "out.json")
        plain = {**data, "rows": rows, "empty": []}
        assert (tmp_path / "out.json").read_text() == json.dumps(plain, indent=1) + "\n"
        assert list(spool) == rows and list(spool) == rows  # read back again, in order
        spool.close()
        empty.close()
    report.write_json({}, tmp_path / "empty.json")
    assert (tmp_path / "empty.json").read_text() == "{}\n"


def test_streamed_json_images_are_read_from_disk_and_equal_the_in_memory_ones(tmp_path: Path) -> None:
    """The JSON's one-row-per-image ``images`` of a streamed run are spooled rows, never a list in memory,
    and are the in-memory run's rows."""
    ref, cand = scenes()
    in_memory = report.to_dict(run_qa(ref, cand))
    with StreamedRows(tmp_path) as stream:
        data = report.to_dict(run_qa(ref, cand, stream=stream))
        assert not isinstance(data["images"], list)
        assert len(data["images"]) == len(in_memory["images"]) == WORST_KEPT + 5
        assert list(data["images"]) == in_memory["images"]
