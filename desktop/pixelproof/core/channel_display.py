"""A multichannel image's display settings kept in the project, as QuPath keeps them per image: the shown
channels, display ranges, gamma and chosen colours one annotator set (``Composite.display_settings``), so a
team splitting a slide set and the reviewer of the merged project see what the one who labelled saw.

``pixelproof.channel_display`` maps an image id to ``{"names", "shown", "ranges", "gamma", "colors",
"updated", "author"}`` (``names``: the channels it is for). What is read is checked with located messages
(``check_display_map``, from the project reader); whether it fits the file (the same channel names) is
only known when the file is shown (``for_file``: settings for other channels are not applied, and said).

The project's settings are the shared baseline; what a user changes on top of them stays personal (the
app's per-file memory, ``core.view_memory``) until saved to the project. A personal change remembers the
baseline it was made over (``token``): once the project's settings change (saved again, a merge, an undo)
it gives way to them (``choose``)."""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from pixelproof.core.channels import MAX_CHANNELS, MIN_CHANNELS, shown_name
from pixelproof.core.coco_values import typename
from pixelproof.core.composite import GAMMA_MAX, GAMMA_MIN
from pixelproof.core.limits import short_repr
from pixelproof.core.model import Project, id_key, utc_now
from pixelproof.core.volumes import parse_slice_ref

KEY = "channel_display"  # top-level pixelproof map: image id -> display settings
STAMPS = ("updated", "author")  # when and by whom they were saved: not part of what is shown
OVER = "over"  # in a personal entry: the ``token`` of the project's settings it was made over


def check_display_map(value: Any, err: Callable[[str], None]) -> None:
    """Each problem of a project's ``pixelproof.channel_display`` passed to ``err``, located."""
    where = f"pixelproof.{KEY}"
    if value is None:
        return
    if not isinstance(value, dict):
        err(f"{where}: expected an object, got {typename(value)}")
        return
    for key, entry in value.items():
        if id_key(key) is None:
            err(f"{where}: key {short_repr(key)} is not an image id")
            continue
        for problem in entry_problems(entry):
            err(f"{where}.{key}{problem}")


def entry_problems(entry: Any) -> list[str]:
    """What is wrong with one image's display settings, each as ``.field: what`` (empty: none)."""
    if not isinstance(entry, dict):
        return [f": expected an object, got {typename(entry)}"]
    names = entry.get("names")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return [f".names: expected a list of channel names, got {short_repr(names)}"]
    n = len(names)
    if not MIN_CHANNELS <= n <= MAX_CHANNELS:
        return [f".names: {n} channels (a composite has {MIN_CHANNELS} to {MAX_CHANNELS})"]
    out = []
    shown = entry.get("shown")
    if not isinstance(shown, list) or len(shown) != n or not all(isinstance(v, bool) for v in shown):
        out.append(f".shown: expected {n} true / false values (one a channel), got {short_repr(shown)}")
    for field, check in (("ranges", _range_problem), ("colors", _color_problem)):
        per = entry.get(field, {})
        if not isinstance(per, dict):
            out.append(f".{field}: expected an object, got {typename(per)}")
            continue
        for k, v in per.items():
            if k not in {str(i) for i in range(n)}:
                out.append(f".{field}.{short_repr(k)}: not a channel (0 to {n - 1})")
            elif (why := check(v)) is not None:
                out.append(f".{field}.{k}: {why}")
    gamma = entry.get("gamma", 1.0)
    if not _number(gamma) or not (math.isfinite(float(gamma)) and GAMMA_MIN <= float(gamma) <= GAMMA_MAX):
        out.append(f".gamma: expected a number of {GAMMA_MIN:g} to {GAMMA_MAX:g}, got {short_repr(gamma)}")
    for field in STAMPS:
        if field in entry and not isinstance(entry[field], str):
            out.append(f".{field}: expected a string, got {typename(entry[field])}")
    return out


def _number(v: Any) -> bool:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return False
    try:
        float(v)
    except OverflowError:  # an integer of hundreds of digits
        return False
    return True


def _range_problem(v: Any) -> str | None:
    if not isinstance(v, list) or len(v) != 2 or not all(_number(x) for x in v):
        return f"expected [minimum, maximum], got {short_repr(v)}"
    lo, hi = float(v[0]), float(v[1])
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return f"{short_repr(v)} is not finite"
    if hi <= lo:
        return f"the maximum {hi:g} is not above the minimum {lo:g}"
    return None


def _color_problem(v: Any) -> str | None:
    ok = isinstance(v, list) and len(v) == 3
    ok = ok and all(isinstance(x, int) and not isinstance(x, bool) and 0 <= x <= 255 for x in v)
    return None if ok else f"expected [r, g, b] of 0 to 255, got {short_repr(v)}"


def display_entries(project: Project) -> dict[int, dict[str, Any]]:
    """A project's display settings, by image id (those of images it has, that hold)."""
    entries = project.app.get(KEY)
    if not isinstance(entries, dict):
        return {}
    out = {}
    for k, v in entries.items():
        i = id_key(k)
        if i is not None and i in project.images and not entry_problems(v):
            out[i] = v
    return out


def entry_of(project: Project, image_id: int) -> dict[str, Any] | None:
    """Image ``image_id``'s display settings in the project, None when it has none (or none that hold)."""
    entries = project.app.get(KEY)
    entry = entries.get(str(image_id)) if isinstance(entries, dict) else None
    return entry if entry is not None and not entry_problems(entry) else None


def stamped(settings: dict[str, Any], author: str) -> dict[str, Any]:
    """``settings`` (``Composite.display_settings``) as a project entry: when and by whom saved."""
    return {**settings, "updated": utc_now(), "author": author}


def view_part(entry: dict[str, Any]) -> dict[str, Any]:
    """What an entry shows (no stamps, no personal mark): what ``Composite.apply_view_settings`` takes."""
    return {k: v for k, v in entry.items() if k not in (*STAMPS, OVER)}


def token(entry: dict[str, Any] | None) -> str | None:
    """What identifies a project entry as saved (its content and stamps); None for none."""
    if entry is None:
        return None
    return hashlib.sha1(orjson.dumps(entry, option=orjson.OPT_SORT_KEYS)).hexdigest()[:16]


def for_file(entry: dict[str, Any], names: Sequence[str], where: str = "") -> tuple[dict | None, str]:
    """(the settings to show, "") when ``entry`` is for channels of these ``names``; else (None, why)."""
    if list(entry.get("names", [])) == list(names):
        return view_part(entry), ""
    theirs = ", ".join(shown_name(str(n)) for n in entry.get("names", []))  # a hand edit's: one short line
    ours = ", ".join(names)
    head = f"{where}: " if where else ""
    return None, (
        f"{head}the project's display settings are for channels {theirs}; this file has {ours}: not applied"
    )


@dataclass(frozen=True)
class Choice:
    """What an image shows: ``settings`` (None: automatic), whether the user's own apply (``personal``),
    the personal memory to forget (made over other project settings) and what to say ("" nothing)."""

    settings: dict[str, Any] | None
    personal: bool = False
    forget: bool = False
    note: str = ""


def choose(entry: dict[str, Any] | None, personal: Any, names: Sequence[str], where: str = "") -> Choice:
    """The project's settings (``entry``) as the baseline, the user's own (``personal``, from the app's
    memory) over it when made over this very baseline (``OVER``); own settings made over other project
    settings (before they were saved, merged or undone) give way to the project's, and are forgotten."""
    base, why = for_file(entry, names, where) if entry is not None else (None, "")
    over = token(entry) if base is not None else None
    if isinstance(personal, dict) and personal.get(OVER) == over:
        return Choice(view_part(personal), personal=True, note=why)
    if personal is not None and base is not None:
        assert entry is not None  # base came from it
        author, updated = (shown_name(str(entry.get(k, ""))) for k in ("author", "updated"))
        who, when = f" by {author}" if author else "", f" {updated}" if updated else ""
        note = (
            f"{where + ': ' if where else ''}display settings saved to the project{who}{when} replace yours"
        )
        return Choice(base, forget=True, note=note)
    return Choice(base, forget=personal is not None, note=why)


def same_file(project: Project, image_id: int) -> list[int]:
    """The images of the file image ``image_id`` is in (a stack's planes share their display settings)."""
    source = _source(project.images[image_id].file_name)
    return [i for i, im in project.images.items() if _source(im.file_name) == source]


def _source(name: str) -> str:
    ref = parse_slice_ref(name)
    return ref.source if ref is not None else name


def file_channel_names(path: str | os.PathLike[str]) -> tuple[str, ...] | None:
    """The channel names of a multichannel TIFF (a stack's too), from its header; None for any other file
    or one that cannot be read (nothing decoded)."""
    from pixelproof.core.channels import channel_layout
    from pixelproof.core.tiff_stack import parse_stack, stack_layout

    ref = parse_slice_ref(str(path))
    p = Path(ref.source if ref is not None else path)
    if p.suffix.lower() not in (".tif", ".tiff"):
        return None
    try:
        stack = stack_layout(p)
        if stack is not None:
            return tuple(c.name for c in stack.channels) or None
        with parse_stack(p) as tif:  # though a later channel page is stored otherwise than the first
            layout = channel_layout(tif)
    except Exception:  # unreadable or damaged: not of this kind
        return None
    return tuple(c.name for c in layout.channels) if layout is not None else None


def images_with_channels(
    files: dict[int, str],
    names: Sequence[str],
    step: Callable[[int, int], None] | None = None,
    read: Callable[[str], tuple[str, ...] | None] = file_channel_names,
) -> list[int]:
    """The images of ``files`` (image id -> its path, in project order) whose file has channels of exactly
    these ``names`` (each file's header read once: a stack's planes are one file); ``step(done, total)``
    after each file. Takes paths, not the project, so it runs in a worker while the project is edited."""
    by_file: dict[str, list[int]] = {}
    for i, path in files.items():
        by_file.setdefault(_source(path), []).append(i)
    found: set[int] = set()
    for done, (source, ids) in enumerate(by_file.items(), 1):
        if read(source) == tuple(names):
            found.update(ids)
        if step is not None:
            step(done, len(by_file))
    return [i for i in files if i in found]
