"""``report_images``: an Images-table row as a CSV row. A semantic reference (a label volume, a DICOM SEG)
matches no objects, so its counts are NaN: ``int()`` of them would stop ``qa --images-csv``."""

from __future__ import annotations

import csv
import math

from pixelproof.core.report_images import IMAGE_CSV_COLUMNS, image_csv_row, write_images_csv


def test_semantic_rows_leave_counts_empty_and_keep_the_problem_rule(tmp_path) -> None:
    nan = math.nan
    counts = {"pq": nan, "tp": nan, "fp": nan, "fn": nan, "wrong_class": nan}
    semantic = {"file_name": "=ct#z=001", "image_id": 3, "dice": 0.5, "iou": 1 / 3, **counts, "n_rows": 2}
    perfect = {**semantic, "image_id": 4, "dice": 1.0, "iou": 1.0}
    rows = [image_csv_row(semantic), image_csv_row(perfect)]
    assert rows[0]["fp"] is None and rows[0]["problem"] is True and rows[1]["problem"] is False
    path = tmp_path / "images.csv"
    n = write_images_csv(rows, path, [{"image_id": 3, "review": "rejected", "note": "redo"}])
    with open(path, newline="", encoding="utf-8-sig") as fh:
        read = list(csv.DictReader(fh))
    assert n == 2 and list(read[0]) == list(IMAGE_CSV_COLUMNS)
    assert read[0]["file_name"] == "'=ct#z=001"  # never a formula in a spreadsheet
    assert float(read[0]["iou"]) == 1 / 3 and read[0]["fp"] == "" and read[0]["pq"] == ""
    assert read[0]["fp_reason"] == read[0]["pq_reason"] == "semantic reference"  # why the cells are empty
    assert read[0]["dice_reason"] == ""  # measured
    assert (read[0]["image_review"], read[0]["image_review_note"]) == ("rejected", "redo")
    assert read[1]["image_review"] == ""
