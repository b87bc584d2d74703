"""Class taxonomy and guidelines: what each category means, and changes to the list (issue 16).

A category can carry, under its ``"pixelproof"`` key in the project file, a ``description`` (one line), a
``guideline`` (Markdown) and ``examples``: crops that show it, either a reference into the project
(``{"file_name": ..., "bbox": [x, y, w, h]}``) or an embedded PNG (``{"png": base64}``), each with an
optional ``caption``. A taxonomy file (JSON or YAML) carries the same per category, examples embedded so it
travels to other projects.

Changes to the list - rename, merge two classes, split one into two, delete with reassignment, apply a
taxonomy - are built here as ``core.edits`` edits (one undoable step in the app, the same object in the
CLI); the change log records them when the project is saved.
"""

from __future__ import annotations

import base64
import binascii
import copy
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixelproof.core.category_colors import default_color, is_color
from pixelproof.core.edits import (
    AddCategory,
    Compound,
    Edit,
    RemoveCategory,
    ReplaceAnnotations,
    ReplaceCategory,
    set_category,
)
from pixelproof.core.edits.lint import SetLintRules, drop_rules, move_rules, rename_dismissed
from pixelproof.core.edits.model_mapping import retarget_mappings
from pixelproof.core.geometry import clone
from pixelproof.core.keypoints import KeypointsRefused, require_same_keypoints, taking_keypoints
from pixelproof.core.limits import MAX_CLASSES, NAME_IN_TEXT, LimitError
from pixelproof.core.model import LAST_CATEGORY_ID, Category, Project
from pixelproof.core.name_fold import fold
from pixelproof.core.names import check_category_name, shown_name
from pixelproof.core.object_lock import locked_among
from pixelproof.core.wording import plural

FORMAT = 1
INFO_KEYS = ("description", "guideline", "examples")
MAX_TEXT = 1_000_000  # characters of a guideline or description
MAX_EXAMPLES = 50  # per category
MAX_PNG = 2_000_000  # bytes of one embedded example
MAX_FILE = 50_000_000  # bytes of a taxonomy file
CROP_SIDE = 256  # embedded examples are scaled down to this longest side


class TaxonomyError(ValueError):
    """A taxonomy file or change is not valid; ``problems`` lists each reason with its location."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class ClassLockedError(TaxonomyError):
    """A class merged or deleted while some of its objects are locked (``core.object_lock``: the change
    would reclassify or delete them, which the edit refuses anyway): said before anything is built, naming
    the class and how many of its objects are locked; ``name`` and ``locked`` let the app and the CLI each
    add how to unlock them (Alt+L; ``pixelproof unlock PROJECT --category NAME``)."""

    def __init__(self, name: str, locked: int, doing: str) -> None:
        self.name, self.locked = name, locked
        them = "it" if locked == 1 else "them"
        super().__init__([f"cannot {doing}: it has {plural(locked, 'locked object')}; unlock {them} first"])


def _require_unlocked_class(project: Project, category: Category, doing: str) -> None:
    """Refuse (``ClassLockedError``) a merge or delete of ``category`` while any of its objects is locked."""
    locked = locked_among(project, [a.id for a in project.annotations_with_category(category.id)])
    if locked:
        raise ClassLockedError(category.name, len(locked), doing)


# ------------------------------------------------------------------------------------------------
# per-category information


def info(category: Category) -> dict[str, Any]:
    """The description, guideline and examples of a category (empty when it has none)."""
    return {k: copy.deepcopy(category.app_extra[k]) for k in INFO_KEYS if k in category.app_extra}


def with_info(category: Category, **values: Any) -> Category:
    """A copy of ``category`` with these info fields set (None or "" / [] removes one)."""
    out = copy.deepcopy(category)
    for key, value in values.items():
        if key not in INFO_KEYS:
            raise KeyError(key)
        if value in (None, "", []):
            out.app_extra.pop(key, None)
        else:
            out.app_extra[key] = copy.deepcopy(value)
    return out


def check_info(data: Any, where: str) -> list[str]:
    """Problems of one category's info fields (types, sizes, examples), each with its location."""
    problems = []
    for key in ("description", "guideline"):
        v = data.get(key)
        if v is not None and (not isinstance(v, str) or len(v) > MAX_TEXT):
            problems.append(f"{where}.{key}: expected a string of at most {MAX_TEXT} characters")
    examples = data.get("examples")
    if examples is None:
        return problems
    if not isinstance(examples, list) or len(examples) > MAX_EXAMPLES:
        return [*problems, f"{where}.examples: expected a list of at most {MAX_EXAMPLES} examples"]
    for i, ex in enumerate(examples):
        problems += _check_example(ex, f"{where}.examples[{i}]")
    return problems


def _check_example(ex: Any, where: str) -> list[str]:
    if not isinstance(ex, dict):
        return [f"{where}: expected an object"]
    if ex.get("caption") is not None and not isinstance(ex["caption"], str):
        return [f"{where}.caption: expected a string"]
    if "png" in ex:
        png = ex["png"]
        if not isinstance(png, str) or len(png) > MAX_PNG * 4 // 3 + 4:
            return [f"{where}.png: expected base64 PNG data of at most {MAX_PNG} bytes"]
        try:
            raw = base64.b64decode(png, validate=True)
        except (binascii.Error, ValueError):
            return [f"{where}.png: not base64"]
        if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
            return [f"{where}.png: not a PNG image"]
        return []
    fn, box = ex.get("file_name"), ex.get("bbox")
    if not isinstance(fn, str) or not fn:
        return [f"{where}: needs 'png' data or a 'file_name' and 'bbox'"]
    ok = isinstance(box, list) and len(box) == 4 and all(isinstance(v, int | float) for v in box)
    if not ok or not all(abs(float(v)) < 1e9 for v in box) or box[2] <= 0 or box[3] <= 0:
        return [f"{where}.bbox: expected [x, y, w, h] with w, h > 0"]
    return []


def example_png(project: Project, example: dict[str, Any]) -> bytes | None:
    """The example as PNG bytes: embedded, or cropped from the project image (None if unreadable)."""
    if "png" in example:
        return base64.b64decode(example["png"])
    image = project.image_by_file_name(example.get("file_name", ""))
    if image is None:
        return None
    from PIL import Image

    from pixelproof.core.imageio import read_project_image, to_display8

    try:
        pixels = to_display8(read_project_image(project, image))
    except Exception:  # any unreadable image: the example is shown as missing
        return None
    x, y, w, h = (round(float(v)) for v in example["bbox"])
    crop = pixels[max(0, y) : max(0, y + h), max(0, x) : max(0, x + w)]
    if crop.size == 0:
        return None
    im = Image.fromarray(crop)
    im.thumbnail((CROP_SIDE, CROP_SIDE))
    buf = io.BytesIO()
    im.save(buf, format="PNG")
    return buf.getvalue()


# ------------------------------------------------------------------------------------------------
# taxonomy files


def export_taxonomy(project: Project, embed_examples: bool = True) -> tuple[dict[str, Any], list[str]]:
    """The project's taxonomy (every category with its info; examples embedded as PNG) and warnings."""
    warnings = []
    cats = []
    for c in project.categories.values():
        entry: dict[str, Any] = {"name": c.name}
        for key, value in (("supercategory", c.supercategory), ("color", c.color), ("shortcut", c.shortcut)):
            if value is not None:
                entry[key] = value
        data = info(c)
        examples = data.pop("examples", [])
        entry.update(data)
        out_examples = []
        for ex in examples:
            if not embed_examples or "png" in ex:
                out_examples.append(ex)
                continue
            png = example_png(project, ex)
            if png is None:
                warnings.append(
                    f"{c.name}: example {ex.get('file_name')} cannot be read; kept as a reference"
                )
                out_examples.append(ex)
                continue
            embedded = {"png": base64.b64encode(png).decode("ascii")}
            if ex.get("caption"):
                embedded["caption"] = ex["caption"]
            out_examples.append(embedded)
        if out_examples:
            entry["examples"] = out_examples
        cats.append(entry)
    return {"pixelproof_taxonomy": FORMAT, "categories": cats}, warnings


def write_taxonomy(data: dict[str, Any], path: str | os.PathLike[str]) -> None:
    """JSON, or YAML when the name ends in .yaml / .yml (written atomically). ``ProjectSaveError`` when
    ``path`` cannot be written, or is an existing file that is not a taxonomy: a project, a data.yaml,
    a picture a mistyped name points at is never overwritten (there is no backup of it)."""
    from pixelproof.core.coco import ProjectSaveError, atomic_write
    from pixelproof.core.save_targets import check_output_path

    p = Path(path)
    check_output_path(p)
    if os.path.lexists(p) and not _is_taxonomy_file(p):
        raise ProjectSaveError(f"{p}: exists and is not a taxonomy file; not overwritten")
    if p.suffix.lower() in (".yaml", ".yml"):
        import yaml

        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    else:
        import json

        text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    atomic_write(p, text.encode("utf-8"))


def _is_taxonomy_file(p: Path) -> bool:
    """An existing file holds a taxonomy (an object with 'categories' and no 'images'), or nothing."""
    from pixelproof.core.limits import read_text, read_yaml

    try:
        if p.suffix.lower() in (".yaml", ".yml"):
            data = read_yaml(p, max_bytes=MAX_FILE)
        else:
            data = _parse_json(p, read_text(p, max_bytes=MAX_FILE)) if p.stat().st_size else None
    except (OSError, ValueError):  # TaxonomyError and LimitError too
        return False
    return data is None or (isinstance(data, dict) and "categories" in data and "images" not in data)


def read_taxonomy(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read and check a taxonomy file; ``TaxonomyError`` lists every problem with its location. YAML is
    read by the project's one safe YAML reader (no aliases, bounded nesting); a BOM is allowed."""
    from pixelproof.core.limits import read_text, read_yaml

    p = Path(path)
    try:
        if p.suffix.lower() in (".yaml", ".yml"):
            data = read_yaml(p, max_bytes=MAX_FILE)
        else:
            data = _parse_json(p, read_text(p, max_bytes=MAX_FILE))
    except OSError as e:
        raise TaxonomyError([f"{p}: cannot read: {e.strerror or e}"]) from None
    except ValueError as e:  # LimitError too: each names the file
        raise TaxonomyError([str(e)]) from None
    problems = check_taxonomy(data)
    if problems:
        raise TaxonomyError([f"{p}: {x}" for x in problems])
    return data


def _parse_json(p: Path, text: str) -> Any:
    import json

    try:
        return json.loads(text)
    except (ValueError, RecursionError) as e:  # ValueError: also an int of more digits than int() takes
        where = f" at line {e.lineno} column {e.colno}" if isinstance(e, json.JSONDecodeError) else ""
        raise TaxonomyError([f"{p}: not valid JSON{where}"]) from None


def check_taxonomy(data: Any) -> list[str]:
    """Every problem of a parsed taxonomy, each with its location."""
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        return ["expected an object with a 'categories' list"]
    fmt = data.get("pixelproof_taxonomy", FORMAT)
    if not isinstance(fmt, int) or fmt > FORMAT:
        return [f"pixelproof_taxonomy: version {fmt!r} is not one this PixelProof reads ({FORMAT})"]
    if len(data["categories"]) > MAX_CLASSES:
        return [f"categories: {len(data['categories'])} classes, more than {MAX_CLASSES}"]
    problems = []
    seen: set[str] = set()
    for i, c in enumerate(data["categories"]):
        where = f"categories[{i}]"
        if not isinstance(c, dict):
            problems.append(f"{where}: expected an object")
            continue
        name = c.get("name")
        if not isinstance(name, str):  # any name a project file holds, "" too (export writes them)
            problems.append(f"{where}.name: expected a string")
        elif name in seen:
            problems.append(f"{where}.name: {name!r} appears twice")
        else:
            seen.add(name)
        for key in ("supercategory", "shortcut"):
            if c.get(key) is not None and not isinstance(c[key], str):
                problems.append(f"{where}.{key}: expected a string")
        color = c.get("color")
        if color is not None and not is_color(color):
            problems.append(f"{where}.color: expected '#rrggbb'")
        problems += check_info(c, where)
    return problems


@dataclass
class TaxonomyPlan:
    """What applying a taxonomy does: the edit, and what it changes (for the report and the log)."""

    edit: Edit
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    not_in_taxonomy: list[str] = field(default_factory=list)


def apply_taxonomy(project: Project, data: dict[str, Any]) -> TaxonomyPlan:
    """The edit that brings the project's categories in line with a (checked) taxonomy, matched by name.

    Categories of the taxonomy missing from the project are added; existing ones get its colour,
    shortcut, supercategory and info. Project categories the taxonomy does not name are kept and listed.
    """
    parts: list[Edit] = []
    plan = TaxonomyPlan(Compound([]))
    new_ids = project.id_counter(LAST_CATEGORY_ID)
    names = {c["name"] for c in data["categories"]}
    by_name = {c.name: c for c in project.categories.values()}  # not a scan per class: 100,000 are allowed
    made = [c["name"] for c in data["categories"] if c["name"] not in by_name]
    refused = [f"categories: {p}" for p in map(_made_name_problem, made) if p]  # kept names stay as they are
    if refused:
        raise TaxonomyError(refused[:20])
    for c in data["categories"]:
        current = by_name.get(c["name"])
        values = {k: c.get(k) for k in INFO_KEYS}
        if current is None:
            cid = new_ids.take()
            cat = Category(cid, c["name"], c.get("supercategory"), c.get("color") or default_color(cid))
            cat.shortcut = c.get("shortcut")
            parts.append(AddCategory(with_info(cat, **values)))
            plan.added.append(c["name"])
            continue
        after = with_info(current, **values)
        for key in ("supercategory", "color", "shortcut"):
            if c.get(key) is not None:
                setattr(after, key, c[key])
        if after != current:
            parts.append(ReplaceCategory(after, f"Update category {_n(current.name)}"))
            plan.updated.append(current.name)
    plan.not_in_taxonomy = [c.name for c in project.categories.values() if c.name not in names]
    plan.edit = Compound(parts, "Apply taxonomy")
    return plan


# ------------------------------------------------------------------------------------------------
# changes to the category list (each one edit)


def _category(project: Project, name: str) -> Category:
    c = project.category_by_name(name)
    if c is None:
        near = [x.name for x in project.categories.values() if fold(x.name.strip()) == fold(name.strip())]
        if near:  # ' car ' or 'Car' for 'car': the list below would show them alike
            raise TaxonomyError([f"no category {name!r}; did you mean {' or '.join(map(repr, near))}?"])
        known = ", ".join(x.name for x in project.categories.values())
        raise TaxonomyError([f"no category {name!r} (categories: {known})"])
    return c


def _made_name_problem(name: str) -> str | None:
    try:
        check_category_name(name)
    except LimitError as e:
        return str(e)
    return None


def name_taken(project: Project, name: str, own_id: int | None = None) -> Category | None:
    """The other category (not ``own_id``) whose name is ``name`` but for case (``name_fold``): QA pairs
    classes, and the image filter's ``class:`` finds them, without case, and a folder named after each
    (MVTec) is one folder on Windows and macOS; so 'Cat' beside 'cat' would be one class there, two here."""
    wanted = fold(name)
    return next((c for c in project.categories.values() if c.id != own_id and fold(c.name) == wanted), None)


def _free_name(project: Project, name: str, own_id: int | None = None) -> None:
    """A name a rename or split gives a class: visible, one line, no blanks around it (the app trims
    them; CVAT's and LabelMe's readers strip them, so ' car ' would come back as another class), and no
    other class's but for case (``name_taken``)."""
    if not name.strip():
        raise TaxonomyError(["a category name cannot be empty"])
    if name != name.strip():
        raise TaxonomyError([f"category name {name!r} has blanks around it; give it as {name.strip()!r}"])
    if (problem := _made_name_problem(name)) is not None:
        raise TaxonomyError([problem])
    if (other := name_taken(project, name, own_id)) is not None:
        same = (
            "" if other.name == name else f" (as {other.name!r}: names differing only in case are one class)"
        )
        raise TaxonomyError([f"a category {name!r} exists already{same}; merge into it instead"])


def _n(name: str) -> str:
    """A class name in an undo step's label: one short line (the Edit menu showed a 10,000-character name
    whole); the edit itself acts on the whole name."""
    return shown_name(name, NAME_IN_TEXT)


def rename_category(project: Project, old: str, new: str) -> Edit:
    cat = _category(project, old)
    _free_name(project, new, cat.id)
    after = copy.deepcopy(cat)
    after.name = new
    label = f"Rename class {_n(old)} to {_n(new)}"
    parts = [ReplaceCategory(after, label), *_renamed_elsewhere(project, old, new)]
    return parts[0] if len(parts) == 1 else Compound(parts, label, focus=parts[0].focus)


def _renamed_elsewhere(project: Project, old: str, new: str, merged: bool = False) -> list[Edit]:
    """What else names class ``old`` and follows its rename or merge into ``new``: remembered model
    mappings, lint rules, "not a problem" decisions naming the class (its missing objects, its being
    empty)."""
    found = (retarget_mappings(project, old, new), move_rules(project, old, new))
    return [e for e in (*found, rename_dismissed(project, old, new, merged)) if e is not None]


def merge_categories(project: Project, source: str, target: str, label: str | None = None) -> Edit:
    """Objects of ``source`` go to ``target``; ``source`` is deleted."""
    src, dst = _category(project, source), _category(project, target)
    if src.id == dst.id:
        raise TaxonomyError([f"cannot merge {source!r} into itself"])
    _require_unlocked_class(project, src, f"merge class {_n(source)!r} into {_n(target)!r}")
    ids = [a.id for a in project.annotations_with_category(src.id)]
    parts: list[Edit] = _keypoints_taken(project, src, dst)
    if not parts:
        try:
            require_same_keypoints(project, ids, dst.id)
        except KeypointsRefused as e:
            raise TaxonomyError([f"cannot merge {source!r} into {target!r}: {e}"]) from None
    moved = set_category(project, ids, dst.id)
    parts += ([moved] if moved is not None else []) + [RemoveCategory(src.id)]
    parts += _renamed_elsewhere(project, source, target, merged=True)  # as a rename, the target's rules kept
    return Compound(parts, label or f"Merge class {_n(source)} into {_n(target)}", focus=ids or None)


def _keypoints_taken(project: Project, src: Category, dst: Category) -> list[Edit]:
    """A merge into a class that names no keypoints gives it the merged class's (``taking_keypoints``), so
    its objects' points keep their names and lines; nothing when it names some or holds keypoints of its
    own."""
    after = taking_keypoints(project, dst, src)
    return [ReplaceCategory(after, f"{_n(dst.name)} takes {_n(src.name)}'s keypoints")] if after else []


def rules_note(edit: Edit) -> str:
    """What a rename, merge or delete did to lint rules (the label of its rules part), for the CLI to say; ""
    when the class had none."""
    parts = edit.parts if isinstance(edit, Compound) else [edit]
    return next((p.label for p in parts if isinstance(p, SetLintRules)), "")


def split_category(project: Project, name: str, first: str, second: str) -> tuple[Edit, list[int]]:
    """Split a class into ``first`` (the class renamed, keeping its id and objects) and ``second`` (new,
    empty). Its objects are set to review "pending": they are listed for review, to move the ones that
    belong to ``second``. Returns the edit and those objects' ids."""
    cat = _category(project, name)
    if first == second:
        raise TaxonomyError(["the two parts of a split need different names"])
    if first != name:
        _free_name(project, first, cat.id)
    _free_name(project, second)
    if fold(first) == fold(second):
        raise TaxonomyError(
            [f"the two parts of a split need names that differ in more than case ({first!r}, {second!r})"]
        )
    parts: list[Edit] = []
    if first != name:
        renamed = copy.deepcopy(cat)
        renamed.name = first
        parts.append(ReplaceCategory(renamed))
        parts += _renamed_elsewhere(project, name, first)
    new_id = project.next_category_id()
    parts.append(AddCategory(Category(new_id, second, cat.supercategory, default_color(new_id))))
    objects = list(project.annotations_with_category(cat.id))
    pending = []
    for a in objects:
        b = clone(a)
        b.review = "pending"
        pending.append(b)
    if pending:
        parts.append(ReplaceAnnotations(pending, "List for review"))
    ids = [a.id for a in objects]
    return Compound(
        parts, f"Split class {_n(name)} into {_n(first)} and {_n(second)}", focus=ids or None
    ), ids


def delete_category(project: Project, name: str, reassign_to: str | None) -> Edit:
    """Delete a class: its objects go to ``reassign_to``, or (None) are deleted with it."""
    if reassign_to is not None:
        doing = f"delete class {_n(name)!r} (its objects to {_n(reassign_to)!r})"
        _require_unlocked_class(project, _category(project, name), doing)
        return merge_categories(
            project, name, reassign_to, f"Delete class {_n(name)} (objects to {_n(reassign_to)})"
        )
    cat = _category(project, name)
    _require_unlocked_class(project, cat, f"delete class {_n(name)!r} and its objects")
    label = f"Delete class {_n(name)} and its objects"
    edit = RemoveCategory(cat.id, label)
    # its model classes are ignored from now on; its lint rules go (no class has its name any more)
    found = [e for e in (retarget_mappings(project, name, None), drop_rules(project, name)) if e is not None]
    return Compound([edit, *found], label, focus=edit.focus) if found else edit


def describe_category(project: Project, name: str, **values: Any) -> Edit:
    """Set a category's description / guideline / examples (checked)."""
    cat = _category(project, name)
    current = info(cat)
    current.update({k: v for k, v in values.items() if v is not None})
    problems = check_info(current, name)
    if problems:
        raise TaxonomyError(problems)
    return ReplaceCategory(with_info(cat, **current), f"Describe class {_n(name)}")
