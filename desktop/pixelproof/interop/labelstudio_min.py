"""Label Studio's JSON-MIN export read as the tasks of its JSON export, so a team that exported JSON-MIN
keeps its regions instead of getting "no data.image" on every record.

JSON-MIN (label-studio-converter's ``convert_to_json_min``) writes one flat record per annotation that
was not cancelled: the task's data keys (``image``), ``id`` (the task), ``annotation_id``, ``annotator``,
``created_at``, ``updated_at``, ``lead_time`` and, under each control's ``from_name``, its values: a
list of region values, each with its labels key (``rectanglelabels``...) and ``original_width/height``,
or for a single choice or text only the string. Records of one task id (several annotators) become one
task with several annotations, so the reader keeps the most recent one and names the others, as for JSON.
What JSON-MIN never held (cancelled annotations, predictions, region ids and so polygon parts) cannot
come back; a value whose type it dropped (a bare string: a choice or a text) is named, not guessed.
"""

from __future__ import annotations

from typing import Any

META_KEYS = ("id", "annotation_id", "annotator", "created_at", "updated_at", "lead_time", "agreement")
REGION_KEYS = (
    "rectanglelabels",
    "polygonlabels",
    "ellipselabels",
    "brushlabels",
    "keypointlabels",
    "choices",
    "textarea",
)


def is_json_min(items: Any) -> bool:
    """A list of flat records carrying ``annotation_id`` and no ``data`` / ``annotations``: JSON-MIN."""
    first = items[0] if isinstance(items, list) and items else None
    return (
        isinstance(first, dict)
        and "data" not in first
        and "annotations" not in first
        and ("annotation_id" in first or "annotator" in first)
    )


def _region(value: dict) -> str | None:
    """The result type of a JSON-MIN value, from the one labels key it holds (``text`` is a TextArea's)."""
    found = [k for k in REGION_KEYS if k in value]
    if len(found) == 1:
        return found[0]
    return "textarea" if not found and "text" in value else None


_TOP = ("original_width", "original_height", "item_index")  # a JSON result's keys JSON-MIN puts in its value


def _results(key: str, image_key: str | None, values: Any) -> list[dict] | None:
    """The JSON results of one output key, or None when it is no output JSON-MIN kept a type for."""
    values = values if isinstance(values, list) else [values]
    if not values or not all(isinstance(v, dict) and _region(v) for v in values):
        return None
    out = []
    for v in values:
        value = {k: x for k, x in v.items() if k not in _TOP}
        result: dict[str, Any] = {"type": _region(v), "from_name": key, "value": value}
        if image_key is not None:  # several pictures: the reader finds each control's from the config
            result["to_name"] = image_key
        for k in _TOP:
            if k in v:
                result[k] = v[k]
        out.append(result)
    return out


def tasks_from_min(items: list, image_keys: list[str]) -> tuple[list[Any], list[str]]:
    """JSON-MIN records as JSON tasks (one per task id, in first-seen order), and the other keys, left
    out: JSON-MIN dropped their type (``weather``: a single choice written as a string) or they are data
    columns, which the JSON reader does not read either. ``image_keys``: the data keys of the task's
    pictures; with several, a result keeps no ``to_name`` (JSON-MIN has none: the config's tells)."""
    data_keys = (*image_keys, "split")
    image_key = image_keys[0] if len(image_keys) == 1 else None
    tasks: dict[Any, dict] = {}
    order: list[Any] = []
    untyped: list[str] = []
    for k, record in enumerate(items):
        if not isinstance(record, dict):
            order.append(record)  # the reader reports it where it is
            continue
        tid = record.get("id")
        key = tid if isinstance(tid, int | str) and not isinstance(tid, bool) else ("#", k)
        task = tasks.get(key)
        if task is None:
            task = tasks[key] = {"id": tid, "data": {}, "annotations": []}
            order.append(task)
        results: list[dict] = []
        for name, value in record.items():
            if name in META_KEYS:
                continue
            made = None if name in data_keys else _results(name, image_key, value)
            if made is not None:
                results += made
            elif name in data_keys:  # the image, and the split our writer keeps in data
                task["data"].setdefault(name, value)
            elif name not in untyped:
                untyped.append(name)
        if record.get("annotation_id") is not None or results:  # a task nobody annotated has None
            task["annotations"].append(
                {
                    "id": record.get("annotation_id"),
                    "completed_by": record.get("annotator"),
                    "created_at": record.get("created_at"),
                    "updated_at": record.get("updated_at"),
                    "result": results,
                }
            )
    return order, untyped
