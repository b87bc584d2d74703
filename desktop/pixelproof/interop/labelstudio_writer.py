"""Writing Label Studio tasks (``tasks.json``, to import into a Label Studio project), the label config
that goes with them (``label_config.xml``: paste it into the project's Labeling Interface first) and the
images in ``images/``; the reader and the format's declaration are in :mod:`pixelproof.interop.labelstudio`.

Coordinates are percentages of the image with ``original_width/height``; boxes are ``rectanglelabels``,
polygons ``polygonlabels`` (the parts of a multi-part polygon after the first nested under it with
``parentID``), masks ``brushlabels`` in Label Studio's RLE. A model's pending objects go to the task's
``predictions`` (one per model, with their scores); everything else to its one annotation, which only
an image that is labelled gets (a task without annotations is To do in Label Studio). Regions, the image
tag and its ``data`` key take the names of the imported config (``control_names``), so the tasks import
into the user's own project as its config is.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson

from pixelproof.core.category_colors import default_color
from pixelproof.core.category_keys import key_of
from pixelproof.core.limits import LimitError, check_image_size, short_repr
from pixelproof.core.model import DONE_STATES, Annotation, ImageRecord, Project, is_pending_prediction
from pixelproof.core.overlap_versions import ANNOTATOR_KEY, versions_side_by_side
from pixelproof.core.wording import noted_counts
from pixelproof.interop import labelstudio_rle
from pixelproof.interop._util import (
    ProgressCallback,
    as_dict,
    fresh_output,
    with_progress,
    write_fresh,
)
from pixelproof.interop.image_guard import make_folders
from pixelproof.interop.image_placing import image_exists, image_suffix, place_image
from pixelproof.interop.labelstudio_hotkeys import SAID_AT_MOST
from pixelproof.interop.labelstudio_keypoints import KIND, keypoint_results
from pixelproof.interop.labelstudio_origin import origin_of
from pixelproof.interop.labelstudio_views import imported_views, task_data, task_groups, view_controls
from pixelproof.interop.safe_xml import XML_NAME, make_valid_xml
from pixelproof.interop.splits import spelled
from pixelproof.interop.stems import unique_stems

TASKS_NAME = "tasks.json"
CONFIG_NAME = "label_config.xml"
TO_NAME = "image"
# the project's top-level key holding the imported config's tags of kept results (their every choice)
CONFIG_KEY = "labelstudio_config"
# under it: the imported config's region tags' names (tag -> names) and its images ("Image" -> [name, key])
NAMES_KEY = "names"
BOUND_KEY = "toName"  # under NAMES_KEY: [control name, its toName] pairs, when a task shows several pictures
SPLIT_KEY = "split"  # the task data field holding an image's split (Label Studio has none)
# under an image's ``pixelproof.labelstudio``: the version a reviewer marked ground truth in Label Studio, its
# annotator's name (annotators' versions side by side) or True (the one annotation kept)
GROUND_TRUTH_KEY = "ground_truth"
# region type -> (config tag, its from_name)
REGION_TAGS = {
    "rectanglelabels": ("RectangleLabels", "label"),
    "polygonlabels": ("PolygonLabels", "polygon"),
    "brushlabels": ("BrushLabels", "brush"),
}
# region type -> the Annotation.kind it writes
REGION_KINDS = {"rectanglelabels": "box", "polygonlabels": "polygon", "brushlabels": "mask"}
# kept results written back, and the config tag that declares them (their values as children)
KEPT_TAGS = {
    "choices": ("Choices", "Choice"),
    "keypointlabels": ("KeyPointLabels", "Label"),
    "textarea": ("TextArea", ""),
    "rating": ("Rating", ""),
    "number": ("Number", ""),
}


def write_labelstudio(
    project: Project,
    out_dir: str | os.PathLike[str],
    *,
    images: str = "link",
    url_prefix: str = "/data/local-files/?d=",
    progress: ProgressCallback | None = None,
) -> list[str]:
    """``tasks.json``, ``label_config.xml`` and ``images/`` in ``out_dir``; returns warnings."""
    if images not in ("link", "copy"):
        raise ValueError(f"images: expected link or copy, got {images!r}")
    out = Path(out_dir)
    make_folders(out)
    warnings: list[str] = []
    counts: Counter[str] = Counter()
    kept_seen: dict[tuple[str, str], dict[str, None]] = {}
    # a task gets an annotation (Label Studio: labelled) when it has objects a person made or accepted, or
    # is marked Done or Reviewed, or - in a project that marks no image so - has no pending predictions
    # either (checked and empty); one with only a model's proposals is To do, as one not looked at
    status = as_dict(project.app.get("image_status"))
    marked = any(s in DONE_STATES for s in status.values())
    stems = unique_stems(project)
    held = versions_side_by_side(project)
    controls = control_names(project)
    imported = as_dict(as_dict(project.extra.get(CONFIG_KEY)).get(NAMES_KEY))
    groups, counts["clash"] = task_groups(project, imported_views(imported))
    region_tags = {k: t for k, (t, _) in REGION_TAGS.items()}
    # the pictures of imported tasks of several (view name -> its names, reads pages), for the config
    pictures: dict[str, tuple[ControlNames, bool]] = {}
    kept_to: dict[tuple[str, str], dict[str, None]] = {}  # a kept result's control -> the pictures it is on
    written: set[str] = set()  # the region types written on images of no such task
    plain = False  # an image of no task of several pictures: the config's own <Image>
    tasks = []
    for group in with_progress(groups, len(groups), progress):
        urls: list[str] = []
        used: set[str] = set()  # region ids: unique in the task
        annotations: dict[str | None, list[dict]] = {}  # annotator's version (None: of none) -> results
        labelled = False
        loose = False  # an object of no annotator's version: the task's first annotation is of none
        predictions: dict[str, tuple[list[dict], list[float]]] = {}
        for member in group:
            image = member.image
            src = project.image_path(image)
            name = stems[image.id] + image_suffix(src)
            if image_exists(src):
                placed = place_image(src, out / "images" / name, images, image, project.applies_exif)
                if placed is not None:
                    warnings.append(placed)
            else:
                counts["missing"] += 1
            urls.append(url_prefix + "images/" + quote(name))
            if member.view is None:
                names, plain = controls, True
            else:
                view = member.view
                names = pictures.setdefault(
                    view.name, (view_controls(controls, view, imported, region_tags), view.pages)
                )[0]
            page = member.page if member.view is not None and member.view.pages else None
            by_who, pending = _results(project, image, names, counts, warnings, used)
            for r in [*(r for rs in by_who.values() for r in rs), *(r for p in pending for r in p["result"])]:
                if page is not None:
                    r["item_index"] = page  # the page of the task's list it is on, as Label Studio writes
                if member.view is None:
                    written.add(r["type"])
                if r["type"] == KIND:  # an object's keypoints: their names on the config's KeyPointLabels tag
                    kept_seen.setdefault((KIND, r["from_name"]), {}).update(dict.fromkeys(r["value"][KIND]))
                    kept_to.setdefault((KIND, r["from_name"]), {})[r["to_name"]] = None
            done = [r for regions in by_who.values() for r in regions]
            checked = status.get(str(image.id)) in DONE_STATES
            if done or checked or (not marked and not pending):
                labelled = True
                kept = _kept_results(image, names, kept_seen, counts, page)
                for r in kept:
                    kept_to.setdefault((r["type"], r["from_name"]), {})[r["to_name"]] = None
                # one annotation per annotator's version (the first: the objects of none, kept results)
                who = [None, *held.get(image.id, [])] if image.id in held else [None]
                results = [by_who.get(n, []) for n in who]
                results[0] = [*results[0], *(r for n, rs in by_who.items() if n not in who for r in rs)]
                loose = loose or bool(results[0])
                results[0].extend(kept)
                for n, rs in zip(who, results, strict=True):
                    annotations.setdefault(n, []).extend(rs)
            for p in pending:
                merged = predictions.setdefault(p["model_version"], ([], []))
                merged[0].extend(p["result"])
                merged[1].extend([p["score"]] if "score" in p else [])
        first = group[0].image
        task: dict[str, Any] = {"id": first.id, "data": task_data(group, urls, controls.key)}
        if split := spelled(first, "labelstudio"):  # Label Studio has no split: a data field (a column)
            if SPLIT_KEY in task["data"]:  # the config's image reads $split: the image, not its split
                counts["split"] += 1
            else:
                task["data"][SPLIT_KEY] = split
        if labelled:
            counts["versions"] += len(annotations) > 1
            if len(annotations) > 1 and not loose:
                # no object outside the versions: the first annotator's (the most recent, whose choices and
                # texts were kept) is the first and holds them, not an annotation of its own
                kept = annotations.pop(None)
                first_version = annotations[next(iter(annotations))]
                first_version.extend(kept)
            truth = _ground_truth(group, list(annotations))
            task["annotations"] = [
                {"result": r, "was_cancelled": False, "ground_truth": n == truth}
                for n, r in enumerate(annotations.values())
            ]
            task["annotations"][0] = {"id": first.id, **task["annotations"][0]}  # Label Studio's import_id
        if predictions:
            task["predictions"] = [
                {"model_version": m, "result": rs, **({"score": sum(sc) / len(sc)} if sc else {})}
                for m, (rs, sc) in predictions.items()
            ]
        tasks.append(task)
    write_fresh(out / TASKS_NAME, orjson.dumps(tasks))  # compact: a brush RLE is thousands of numbers
    if plain and (said := controls.unsure(written)):
        warnings.append(
            f"{CONFIG_NAME}: the imported label config has not exactly one tag for {said}: written with "
            f"PixelProof's names (paste {CONFIG_NAME} into the Label Studio project, or rename them there)"
        )
    shown = [(controls, False)] if plain or not pictures else []
    config = _config(project, [*shown, *pictures.values()], kept_seen, kept_to, warnings)
    counts["xml"] += make_valid_xml(config)
    ET.indent(config)
    with fresh_output(out / CONFIG_NAME) as f:
        ET.ElementTree(config).write(f, encoding="utf-8")
    messages = {
        "missing": ("image file", "not found; only their tasks were written"),
        "void": ("void region", "written as ordinary labels (Label Studio has no void)"),
        "crowd": ("crowd object", "written as ordinary objects (Label Studio has no crowd flag)"),
        "empty": ("mask", "without a pixel left out"),
        "kept": ("kept result", "in the image extras that Label Studio cannot take left out"),
        "versions": (
            "image",
            "holding annotators' versions side by side written with one annotation each "
            "(Label Studio gives them all to the user who imports them)",
        ),
        "clash": (
            "image",
            "of an imported task whose picture another image of that task is too (one <Image>, one page) "
            "written as a task of its own",
        ),
        "xml": ("text", "of label_config.xml with characters XML cannot hold written with U+FFFD"),
        "split": (
            "image",
            f"whose split is not written: the imported config's image reads ${SPLIT_KEY}, where it goes",
        ),
    }
    warnings += noted_counts(counts, messages)
    return warnings


def _ground_truth(group: list, versions: list[str | None]) -> int | None:
    """Which of a task's annotations (``versions``: whose each is, None for the objects of none) is the
    one a reviewer marked ground truth in Label Studio (``GROUND_TRUTH_KEY`` on its images), None when
    none is or that version is gone (a consensus accepted since)."""
    for member in group:
        app = as_dict(as_dict(member.image.extra.get("pixelproof")).get("labelstudio"))
        truth = app.get(GROUND_TRUTH_KEY)
        if truth is True:
            return 0
        if isinstance(truth, str) and truth in versions:
            return versions.index(truth)
    return None


@dataclass
class ControlNames:
    """The names an export's results and config use: the image tag's (``to_name``), its task ``data`` key
    and each region type's ``from_name``; ``missing``: the tags the imported config had none or several
    of (tag -> how many), whose names are PixelProof's."""

    image: str = TO_NAME
    key: str = "image"
    regions: dict[str, str] = field(default_factory=lambda: {k: n for k, (_, n) in REGION_TAGS.items()})
    missing: dict[str, int] = field(default_factory=dict)

    def unsure(self, written: set[str]) -> str:
        """The tags of ``written`` region types (and the image) not named as imported, said; "" if none."""
        tags = {"Image": "Image", **{k: t for k, (t, _) in REGION_TAGS.items() if k in written}}
        said = [f"<{t}> ({self.missing[t] or 'none'})" for t in tags.values() if t in self.missing]
        return ", ".join(said)


def control_names(project: Project) -> ControlNames:
    """The names of the imported label config's image and region tags (``CONFIG_KEY``) where it has
    exactly one of each, so the regions fit the user's Label Studio project; PixelProof's otherwise (and
    for a project that never came from Label Studio: nothing missing then)."""
    names = ControlNames()
    kept = as_dict(as_dict(project.extra.get(CONFIG_KEY)).get(NAMES_KEY))
    if not kept:
        return names
    images = [i for i in _listed(kept, "Image") if isinstance(i, list) and len(i) == 2]
    images = [(n, k) for n, k in images if _valid(n) and _valid(k)]
    if len(images) == 1:
        names.image, names.key = images[0]
    else:
        names.missing["Image"] = len(images)
    for kind, (tag, _) in REGION_TAGS.items():
        found = [n for n in _listed(kept, tag) if _valid(n)]
        if len(found) == 1 and found[0] != names.image:
            names.regions[kind] = found[0]
        else:
            names.missing[tag] = len(found)
    taken = {names.image, *(names.regions[k] for k, (t, _) in REGION_TAGS.items() if t not in names.missing)}
    taken |= {str(as_dict(t).get("name")) for t in _listed(as_dict(project.extra.get(CONFIG_KEY)), "tags")}
    for kind, (tag, _) in REGION_TAGS.items():  # PixelProof's name on another tag there: made unique
        while tag in names.missing and names.regions[kind] in taken:
            names.regions[kind] += "_"
        taken.add(names.regions[kind])
    return names


def _listed(kept: dict[str, Any], key: str) -> list[Any]:
    found = kept.get(key)
    return found if isinstance(found, list) else []


def _valid(name: Any) -> bool:
    """A tag name or data key as Label Studio's config holds them (a project edited by hand: not others)."""
    return isinstance(name, str) and bool(XML_NAME.match(name)) and len(name) <= 200


def _pct(v: float, side: int) -> float:
    return float(v) * 100.0 / side


def _results(
    project: Project,
    image: ImageRecord,
    names: ControlNames,
    counts: Counter[str],
    warnings: list[str],
    used: set[str],
) -> tuple[dict[str | None, list[dict]], list[dict]]:
    """(the annotation's regions by annotator version - ``pixelproof.annotator``, None for objects of
    none - , the predictions: one per model) of an image's objects; ``used``: the task's region ids."""
    done: dict[str | None, list[dict]] = {}
    by_model: dict[str, list[dict]] = {}
    scores: dict[str, list[float]] = {}
    for a in sorted(project.annotations_of(image.id), key=lambda a: a.id):
        counts["void"] += project.is_void(a)
        counts["crowd"] += bool(a.iscrowd)
        regions = _regions(project, a, image, names, used, counts, warnings)
        # a rejected model object (not pending: ``is_pending_prediction``) reaches here only with
        # rejected="keep": a label, as in every format, not a proposal made again of what was turned down
        if is_pending_prediction(a):
            model = (a.source or "")[len("model:") :] or "pixelproof"
            by_model.setdefault(model, []).extend(regions)
            if a.score is not None:
                scores.setdefault(model, []).append(a.score)
        else:
            # Label Studio's mark of a region taken from a model's prediction (CVAT's "auto"), or edited since
            origin = origin_of(a, image)
            for r in regions:
                r["origin"] = origin
            who = a.app_extra.get(ANNOTATOR_KEY)
            done.setdefault(None if who is None else str(who), []).extend(regions)
    pending = []
    for model, regions in by_model.items():
        pred: dict[str, Any] = {"model_version": model, "result": regions}
        if scores.get(model):
            pred["score"] = sum(scores[model]) / len(scores[model])
        pending.append(pred)
    return done, pending


def _region_id(a: Annotation, used: set[str]) -> str:
    """The region's id read from Label Studio (per-region results refer to it), else ``pp<object id>``;
    never one another region of the task has."""
    kept = as_dict(a.app_extra.get("labelstudio")).get("id")
    rid = kept if isinstance(kept, str) and 0 < len(kept) <= 64 and kept not in used else f"pp{a.id}"
    while rid in used:
        rid += "_"
    used.add(rid)
    return rid


def _regions(
    project: Project,
    a: Annotation,
    image: ImageRecord,
    names: ControlNames,
    used: set[str],
    counts: Counter[str],
    warnings: list[str],
) -> list[dict]:
    w, h = image.width, image.height
    name = [project.categories[a.category_id].name]
    common: dict[str, Any] = {"original_width": w, "original_height": h, "image_rotation": 0}
    if a.score is not None:
        common["score"] = a.score
    if a.note:
        common["meta"] = {"text": [a.note]}
    values: list[tuple[str, dict[str, Any]]] = []
    kind = a.kind
    if kind == "mask":
        try:
            check_image_size(w, h, f"{image.file_name}: object {a.id}", "brush mask")
            mask = a.mask(h, w)
            rle = labelstudio_rle.encode(mask) if mask.any() else None
        except LimitError as e:
            warnings.append(f"{e}; written as its box")
            kind = "box"
        else:
            if rle is None:
                counts["empty"] += 1
                return []
            values.append(("brushlabels", {"format": "rle", "rle": rle, "brushlabels": name}))
    if kind == "box":
        x, y, bw, bh = a.bbox
        box = {"x": _pct(x, w), "y": _pct(y, h), "width": _pct(bw, w), "height": _pct(bh, h), "rotation": 0}
        values.append(("rectanglelabels", {**box, "rectanglelabels": name}))
    elif kind == "polygon":
        for ring in (p for p in a.segmentation if len(p) >= 6):
            points = [[_pct(x, w), _pct(y, h)] for x, y in zip(ring[0::2], ring[1::2], strict=False)]
            values.append(("polygonlabels", {"points": points, "closed": True, "polygonlabels": name}))
    out = []
    for kind_name, value in values:
        region = {
            "id": _region_id(a, used),
            "type": kind_name,
            "from_name": names.regions[kind_name],
            "to_name": names.image,
            **common,
            "value": value,
        }
        if out:
            region["parentID"] = out[0]["id"]  # the parts of one object, nested under the first
        out.append(region)
    if out:  # its keypoints, nested under its (first) region
        out += keypoint_results(a, image, project.categories[a.category_id], out[0]["id"], used, names.image)
    return out


def _kept_results(
    image: ImageRecord,
    names: ControlNames,
    seen: dict[tuple[str, str], dict[str, None]],
    counts: Counter,
    page: int | None = None,
) -> list[dict]:
    """The results kept from Label Studio (choices, keypoints, ...) as they were, on this image's
    ``image`` tag (one with an ``item_index`` on its ``page``); their names and values noted for the
    label config. A kept result whose type or name the config cannot declare is counted and left out
    (Label Studio refuses a result no tag declares)."""
    app = as_dict(as_dict(image.extra.get("pixelproof")).get("labelstudio"))
    kept = app.get("results")
    out = []
    for r in kept if isinstance(kept, list) else []:
        r = as_dict(r)
        kind, from_name, value = r.get("type"), r.get("from_name"), as_dict(r.get("value"))
        if (
            kind not in KEPT_TAGS
            or not isinstance(from_name, str)
            or not XML_NAME.match(from_name)
            or from_name in {names.image, *names.regions.values()}
        ):
            counts["kept"] += 1
            continue
        values = value.get(kind)
        declared = seen.setdefault((kind, from_name), {})
        declared.update(dict.fromkeys(str(v) for v in (values if isinstance(values, list) else [])))
        out.append(
            {**r, "to_name": names.image, "original_width": image.width, "original_height": image.height}
        )
        if page is not None and "item_index" in r:
            out[-1]["item_index"] = page
    return out


def _config(
    project: Project,
    shown: list[tuple[ControlNames, bool]],
    kept: dict[tuple[str, str], dict[str, None]],
    kept_to: dict[tuple[str, str], dict[str, None]],
    warnings: list[str],
) -> ET.Element:
    """``<View>`` with each picture a task shows (``shown``: its names and whether it reads a list of
    pages, ``valueList``) and a labels tag per region type on it listing every category with its colour
    (and its number key as ``hotkey``), then a tag for each kind of kept result (its values as choices or
    labels, each with the attributes the imported config gave it: a Choice's hotkey, alias, hint...), bound
    to the pictures its results are on (``kept_to``). A kept hotkey that is a category's key here is left
    out, said in ``warnings``: one key would pick both."""
    view = ET.Element("View")
    names = shown[0][0]
    # each category's number key as its label's hotkey, under one tag (a key on several tags picks the
    # label in each, and the last one's tool): that of the kind most objects are, boxes when none, on the
    # first picture
    kinds = Counter(a.kind for a in project.annotations.values())
    keyed = max(REGION_TAGS, key=lambda t: kinds[REGION_KINDS[t]])
    keys = key_of(project.categories.values())
    for k, (picture, pages) in enumerate(shown):
        source = {"valueList" if pages else "value": "$" + picture.key}
        ET.SubElement(view, "Image", {"name": picture.image, **source, "zoom": "true"})
        for kind, (tag, _) in REGION_TAGS.items():
            node = ET.SubElement(view, tag, name=picture.regions[kind], toName=picture.image)
            for n, cat in enumerate(project.categories.values(), start=1):
                label = ET.SubElement(node, "Label", value=cat.name, background=cat.color or default_color(n))
                if kind == keyed and cat.id in keys and k == 0:
                    label.set("hotkey", keys[cat.id])
    key_holder = {key.lower(): project.categories[cid].name for cid, key in keys.items()}
    declared, clashes = _declared(project, names), []
    for kind, from_name in [*kept, *((k, n) for k, n in declared if (k, n) not in kept)]:
        tag, child = KEPT_TAGS[kind]
        attrs, values, value_attrs = declared.get((kind, from_name), ({}, [], {}))
        to = ",".join(kept_to.get((kind, from_name), {})) or names.image
        node = ET.SubElement(view, tag, {**attrs, "name": from_name, "toName": to})
        # a result holds a value's alias when it has one (Label Studio): that value, declared already
        aliases = {a["alias"] for a in value_attrs.values() if a.get("alias")}
        used = [v for v in kept.get((kind, from_name), {}) if v not in aliases]
        for v in dict.fromkeys([*values, *used]) if child else ():
            extra = dict(value_attrs.get(v, {}))
            if (holder := key_holder.get(extra.get("hotkey", "").strip().lower())) is not None:
                said = (
                    f"{short_repr(v)} {short_repr(extra.pop('hotkey'))[1:-1]} (category {short_repr(holder)})"
                )
                clashes.append(f'<{tag} name="{from_name[:40]}">: {said}')
            ET.SubElement(node, child, {**extra, "value": v})
    if clashes:
        more = len(clashes) - SAID_AT_MOST
        listed = "; ".join(clashes[:SAID_AT_MOST]) + (f"; and {more} more" if more > 0 else "")
        warnings.append(
            f"{CONFIG_NAME}: hotkeys of the imported config left out, a category's key here (one key would "
            f"pick both; Label Studio gives each its own): {listed}"
        )
    return view


def _declared(
    project: Project, names: ControlNames
) -> dict[tuple[str, str], tuple[dict[str, str], list[str], dict[str, dict[str, str]]]]:
    """The imported label config's tags of kept results (``CONFIG_KEY``): (result type, name) -> (the
    tag's attributes, its declared values, each value's other attributes), so every choice comes back
    as it was, not only those some image used. Anything malformed, or named as a region tag, is passed
    over."""
    kinds = {tag: kind for kind, (tag, _) in KEPT_TAGS.items()}
    regions = {names.image, *names.regions.values()}
    tags = as_dict(project.extra.get(CONFIG_KEY)).get("tags")
    out: dict[tuple[str, str], tuple[dict[str, str], list[str]]] = {}
    for t in tags if isinstance(tags, list) else []:
        t = as_dict(t)
        kind, name, values = kinds.get(t.get("tag")), t.get("name"), t.get("values")
        if kind is None or not isinstance(name, str) or not XML_NAME.match(name) or name in regions:
            continue
        attrs = _attributes(t.get("attrs"), ("name", "toName"))
        ok = [v for v in values if isinstance(v, str)] if isinstance(values, list) else []
        each = {v: _attributes(a, ("value",)) for v, a in as_dict(t.get("value_attrs")).items() if v in ok}
        out.setdefault((kind, name), (attrs, ok, each))
    return out


def _attributes(kept: Any, left: tuple[str, ...]) -> dict[str, str]:
    """XML attributes kept in the project (edited by hand: those of no XML name or text passed over)."""
    return {
        k: v
        for k, v in as_dict(kept).items()
        if isinstance(k, str) and XML_NAME.match(k) and isinstance(v, str) and k not in left
    }
