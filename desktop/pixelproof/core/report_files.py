"""The report files of a QA run, written by kind: ``pixelproof qa``'s ``--json``, ``--csv``, ``--images-csv``,
``--class-csv``, ``--objects-csv``, ``--tracks-csv`` and ``--html``, and the review view's Review > Export
Report…, so a report saved from the app is the one the command writes for the same pair (one writer per
report: ``report``, ``report_images``, ``report_ap``, ``qa_tracks``; each writes through ``atomic_output``,
so a file that cannot be written leaves none behind)."""

from __future__ import annotations

import os
from typing import Any

from pixelproof.core import qa_tracks, report, report_ap, report_images
from pixelproof.core.qa import QAResult
from pixelproof.core.wording import plural

#: report kind -> what it is, as the file dialog and the command's option name it
KINDS: dict[str, tuple[str, str]] = {
    "html": ("HTML report", "--html"),
    "json": ("JSON, the full result", "--json"),
    "csv": ("CSV per image and class", "--csv"),
    "images_csv": ("CSV per image", "--images-csv"),
    "class_csv": ("CSV per class", "--class-csv"),
    "objects_csv": ("CSV per object", "--objects-csv"),
    "tracks_csv": ("CSV of tracks", "--tracks-csv"),
}
SUFFIX = {kind: ".html" if kind == "html" else ".json" if kind == "json" else ".csv" for kind in KINDS}


def nothing_to_report(result: QAResult) -> str | None:
    """Why a run has no report worth writing (no image paired, no class, every pair skipped: a Dice of 0
    would be a lie), or None."""
    if not result.pairs:
        return "no image of the candidate matches an image of the reference by file name"
    if not result.categories:  # no class to score: rows per image and class, none
        return "nothing to score: neither project has an object (void regions aside)"
    scored = result.streamed.overall.n_rows if result.streamed is not None else len(result.per_image)
    if not scored:
        first = f" (first: {result.problems[0]})" if result.problems else ""
        return (
            f"nothing comparable was scored: {plural(len(result.pairs), 'matched image')}, all skipped{first}"
        )
    return None


def write_reports(
    result: QAResult,
    candidate: Any,
    outputs: dict[str, str | os.PathLike[str]],
    reference_name: str = "",
    candidate_name: str = "",
) -> dict[str, Any]:
    """Write each ``outputs`` kind (a key of ``KINDS``) to its path; returns the report data
    (``report.to_dict``). ``candidate``: the candidate project as scored (the HTML's overlays). Raises
    OSError for a file that cannot be written (the reports before it are written)."""
    data = report.to_dict(result, reference_name, candidate_name)
    writers = {
        "json": lambda path: report.write_json(data, path),
        "csv": lambda path: report.write_csv(data, path),
        "images_csv": lambda path: report_images.write_images_csv(
            report_images.result_image_rows(result), path, data["image_reviews"]
        ),
        "class_csv": lambda path: report_ap.write_class_csv(data, path),
        "objects_csv": lambda path: report_ap.write_objects_csv(data, path),
        "tracks_csv": lambda path: qa_tracks.write_tracks_csv(data["tracks"], path),
        # the reference as paired: its classes named as the candidate's
        "html": lambda path: report.write_html(data, path, result, result.reference, candidate),
    }
    for kind in writers:  # the command's order: the HTML last
        if outputs.get(kind):
            writers[kind](outputs[kind])
    return data
