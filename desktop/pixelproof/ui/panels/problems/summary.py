"""The line under the Problems list: what the run saw and what it left out (as `pixelproof lint` says it)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from pixelproof.core.lint import LintResult, Problem
from pixelproof.core.lint.fixes import describe
from pixelproof.core.lint.predictions import skipped_note, unconfident_note
from pixelproof.core.wording import plural
from pixelproof.inference.class_filter import ignored_line


def run_summary(
    result: LintResult,
    shown: int,
    total: int,
    dismissed: int,
    left_out: Sequence[str],
    ignored: Mapping[str, int],
    results_file: str = "",
    source: str = "",
) -> str:
    """Counts (and the results file the predictions came from), the predictions left out, the model's
    classes the project lacks (named: what to map), what pending predictions pre-labeled skipping the
    labelled objects cannot judge, unread pictures. ``source``: the run's (``runner.SOURCES``); "pending"
    with none pending says to pre-label, not to check what the model was run on."""
    model = "no model" if result.predictions is None else plural(result.predictions, "prediction")
    if results_file and result.predictions is not None:
        model += f" from {results_file}"
    images = plural(result.images, "image")
    text = f"{shown} shown of {total} found ({dismissed} not a problem) in {images}, {model}."
    # first: why a kind is empty (kinds spelt as the Kind column spells them)
    other = "choose “+ the Model panel's backend” or “+ a results file…” above"
    if note := unconfident_note(
        result.options, "“confident” under Rules…", pending=source == "pending", other=other
    ):
        text += f" {note[0].upper()}{note[1:].replace('_', ' ')}."
    if left_out:
        text += f" {len(left_out)} left out: {left_out[0]}{', …' if len(left_out) > 1 else ''}."
    if ignored:  # named, as `lint --backend` names them
        text += (
            f" {plural(sum(ignored.values()), 'prediction')} of classes the project lacks ignored: "
            f"{ignored_line(ignored)} (map them under Class mapping in the Model panel)."
        )
    if (skipped := result.options.get("predictions_skipped_overlapping")) is not None:
        note = skipped_note(skipped, result.options.get("images_skipped_overlapping", 0))
        text += f" {note[0].upper()}{note[1:]}; choose “+ the Model panel's backend” above to judge them."
    unread = result.options.get("pictures", {}).get("unreadable", [])
    if unread:
        first = unread[0]
        text += (
            f" {plural(len(unread), 'picture')} not read: {first['file_name']} ({first['reason']})"
            f"{', …' if len(unread) > 1 else ''}."
        )
    return text


def detail_html(problem: Problem, names: dict[int, str], dismissed: bool) -> str:
    """The lines under the list for the selected problem: kind and score, what is wrong, the fix."""
    fix_line = (
        f"<span style='color:#0072b2'>Fix: {html.escape(describe(problem.fix, names))}</span>"
        if problem.fix
        else "<i>No automatic fix: edit it by hand.</i>"
    )
    marked = " <i>(marked not a problem)</i>" if dismissed else ""
    kind = problem.kind.replace("_", " ")
    return f"<b>{kind}</b> {problem.score:.2f}{marked}<br>{html.escape(problem.message)}<br>{fix_line}"
