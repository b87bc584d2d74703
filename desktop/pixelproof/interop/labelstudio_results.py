"""Which results of a Label Studio task come in, and from where: the kept annotation's (``result[n]``), the
other annotators' versions' (``annotations[k].result[n]``, ``annotator_versions="each"``) and the
predictions' regions (``predictions[k].result[n]``, as pending model objects: ``import_predictions``).
Which annotations are kept is :mod:`labelstudio_annotators`'; the reader, :mod:`labelstudio`, puts the
results on the task's pictures."""

from __future__ import annotations

from typing import Any

from pixelproof.core.limits import short_repr
from pixelproof.core.wording import plural
from pixelproof.interop._util import Reporter, as_dict

AREA_TYPES = ("rectanglelabels", "polygonlabels", "ellipselabels", "brushlabels")
PREDICTION_CHOICES = {  # in the Import dialog's box: short, in Label Studio's words
    "all": "As proposals to accept or reject",
    "unannotated": "As proposals, on tasks nobody annotated",
    "skip": "Not imported",
}


def results_of(item: Any) -> list[Any]:
    """An annotation's or prediction's ``result`` list ([] when it has none, or not a list)."""
    result = as_dict(item).get("result")
    return result if isinstance(result, list) else []


def named(result: dict) -> str:
    """A result's type and control, as a skipped one is said (with its id when it has one)."""
    rid = f", id {short_repr(result['id'])}" if result.get("id") is not None else ""
    return f"{short_repr(result.get('type'))}, from_name {short_repr(result.get('from_name'))}{rid}"


def task_results(
    where: str, task: dict, picked: list[tuple[dict, str | None]], predictions: str, report: Reporter
) -> tuple[list[tuple[dict, str | None, Any, str, str | None]], int]:
    """(the results that come in, how many of the kept annotations' came in as nothing): each as (result,
    its model's source or None, the prediction's score, where it is in the task, whose version). ``picked``:
    the annotations kept (``pick_annotations``), the most recent first."""
    chosen = picked[0][0] if picked else None
    results: list = [(r, None, None, f"result[{n}]", picked[0][1]) for n, r in enumerate(results_of(chosen))]
    for a, who in picked[1:]:  # the other annotators' versions (annotator_versions="each")
        k = next(i for i, item in enumerate(task["annotations"]) if item is a)
        results += [
            (r, None, None, f"annotations[{k}].result[{n}]", who) for n, r in enumerate(results_of(a))
        ]
    for r, _, _, at, _ in results:
        if not isinstance(r, dict):
            report.skip("results", f"{where}: annotation {at}: {short_repr(r)} is not an object; skipped")
    lost = sum(not isinstance(item[0], dict) for item in results)
    results = [item for item in results if isinstance(item[0], dict)]
    preds = task.get("predictions")
    if predictions == "all" or (predictions == "unannotated" and chosen is None):
        parents = {as_dict(a).get("parent_prediction") for a, _ in picked} - {None}
        for k, pred in enumerate(preds if isinstance(preds, list) else []):
            pred = as_dict(pred)
            if pred.get("id") in parents:
                continue  # the kept annotation is this prediction as a person corrected it
            version = pred.get("model_version")
            source = (
                f"model:{version}" if isinstance(version, str) and version.strip() else "model:labelstudio"
            )
            regions = [(n, r) for n, r in enumerate(results_of(pred)) if as_dict(r).get("type") in AREA_TYPES]
            results += [
                (r, source, pred.get("score"), f"predictions[{k}].result[{n}]", None) for n, r in regions
            ]
            if len(regions) < len(results_of(pred)):
                left = len(results_of(pred)) - len(regions)
                report.often(
                    "tasks with prediction results that are no regions",
                    f"{where}: {plural(left, 'prediction result')} that are no regions not imported",
                    "results",
                )
    elif isinstance(preds, list) and preds:
        report.often(
            "annotated tasks' predictions not imported",
            f"{where}: {plural(len(preds), 'prediction')} not imported (the task is annotated)",
            "predictions",
        )
    return results, lost
