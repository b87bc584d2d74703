"""Read, validate and write the project file: one COCO "instances" JSON (DESIGN.md §3).

Reading checks everything and reports every problem with its JSON location through
``ProjectFormatError``; it never stops at the first one. The file's bytes become JSON in
``core.project_json``, and the bytes written are ``core.coco_dump``'s (both re-exported here: this module
is the project file's one API). Writing is atomic (temporary file in the same
folder, fsync, ``os.replace``) and keeps the previous version as ``<name>.json.bak``.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import shlex
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pixelproof.core import history
from pixelproof.core.atomic import (
    FileConflictError,
    FileState,
    atomic_output,
    clean_stale_temporaries,
    same_file,
    write_target,
)
from pixelproof.core.box_outline import own_box_segmentations
from pixelproof.core.category_colors import default_color, is_color
from pixelproof.core.channel_display import KEY as DISPLAY_KEY
from pixelproof.core.channel_display import check_display_map
from pixelproof.core.coco_dump import ProjectSaveError, dumps_project
from pixelproof.core.coco_rules import read_annotations
from pixelproof.core.coco_values import MISSING, check_id, typename
from pixelproof.core.limits import ID_MAX, MAX_SIDE, LimitError, check_json_depth, short_repr
from pixelproof.core.migration import migrate
from pixelproof.core.model import (
    FORMAT_VERSION,
    IMAGE_STATES,
    LAST_ANNOTATION_ID,
    LAST_CATEGORY_ID,
    LAST_IMAGE_ID,
    Category,
    ImageRecord,
    Project,
)
from pixelproof.core.paths import Rebased, is_absolute_name, project_folder
from pixelproof.core.project_json import ProjectFormatError, parse_json, read_bytes
from pixelproof.core.project_json import read_json as read_json  # the project file's one API: here too
from pixelproof.core.save_targets import check_save_target, foreign_keys
from pixelproof.core.void_crowd import own_crowd_flags

_IMG_KEYS = {"id", "file_name", "width", "height"}
_CAT_KEYS = {"id", "name", "supercategory", "pixelproof"}
_TOP_KEYS = {"images", "annotations", "categories", "pixelproof"}


class ProjectConflictError(ProjectSaveError):
    """The project file changed on disk since it was loaded (another window or program saved it); it
    was not overwritten. ``path`` names it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"{path} was changed on disk since it was opened (by another window or program); not overwritten"
        )


# ------------------------------------------------------------------------------------------------
# reading


def _check_coco(p: Path, data: Any) -> None:
    """``ProjectFormatError`` for a JSON object with keys but none of COCO's lists: another tool's file
    (LabelMe, VIA), which would otherwise open as an empty project. ``{}`` is an empty project. A split's
    manifest is named as one: it sits beside the shards, so ``merge shards/*.json`` gives it as a shard."""
    if isinstance(data, dict) and "pixelproof_split" in data:  # split writes it beside the shards
        raise ProjectFormatError(
            p,
            [
                "top level: the manifest of a split (pixelproof split), not a shard or a project: give it "
                "as --manifest to merge or agreement (in the app: Merge Shards' Manifest field)"
            ],
        )
    if keys := foreign_keys(data):
        raise ProjectFormatError(
            p,
            [
                f"top level: no images, annotations or categories: not a COCO project (its keys: {keys}); "
                "File > Import or `pixelproof convert` reads other tools' files"
            ],
        )


def load_project(path: str | os.PathLike[str]) -> Project:
    """Load and validate a project file; raises ``ProjectFormatError`` listing every problem.

    The project remembers the file as it was read (``file_state``) so a later save can refuse to
    overwrite changes another window or program made meanwhile.
    """
    p = Path(path)
    from pixelproof.core.imageio import is_picture

    if is_picture(p):  # `labelme photo.jpg`'s habit: said so, not "byte 0xff at line 1"
        where = shlex.quote(str(p.parent.resolve()))  # typed as given: a folder 'my photos' too
        raise ProjectFormatError(
            p,
            [
                f"a picture, not a project: open its folder to label it (pixelproof {where}, or File > New "
                "Project from Folder…)"
            ],
        )
    raw, st = read_bytes(p)
    digest = _Hasher(raw)  # in a thread: hashing releases the GIL while parsing holds it
    with gc_paused(freeze=len(raw) >= FREEZE_BYTES):
        data = parse_json(raw, p)
        sha256 = digest.result()
        del raw, digest  # the file's bytes go before the project is built (peak memory)
        _check_coco(p, data)
        project = project_from_dict(data, source=p)
        del data
    project.path = p
    project.file_state = FileState(p, st.st_mtime_ns, st.st_size, sha256)
    project.ids_in_file = project.ids_given_out()
    history.capture(project)
    return project


class _Hasher:
    """SHA-256 of ``data``, computed in a thread when the data is big enough for that to pay."""

    def __init__(self, data: bytes) -> None:
        self._hash = hashlib.sha256()
        self._thread: threading.Thread | None = None
        if len(data) < 1 << 20:
            self._hash.update(data)
        else:
            self._thread = threading.Thread(target=self._hash.update, args=(data,), daemon=True)
            self._thread.start()

    def result(self) -> bytes:
        if self._thread is not None:
            self._thread.join()
        return self._hash.digest()


# A project file this big is loaded with ``gc_paused(freeze=True)``: its millions of objects are never
# rescanned by the cyclic collector (a 56 MB file: ~1.5 s per full pass, each a UI freeze).
FREEZE_BYTES = 8 << 20


@contextlib.contextmanager
def gc_paused(freeze: bool = False) -> Iterator[None]:
    """Pause the cyclic garbage collector while building or serializing a big project.

    Parsing creates millions of acyclic objects; each few hundred allocations trigger a collection and
    the older generations rescan the whole growing heap, which more than doubles load and save time.
    Nothing created here forms cycles, so nothing is lost by collecting later. With ``freeze`` the
    objects that exist at the end (the loaded project) move to the collector's permanent generation
    (``gc.freeze``): the first collection after the pause would otherwise walk all of them, and every
    full collection after it again, though they are long-lived and freed by reference counting alone.
    Garbage in cycles at that moment would be frozen too (kept for good), so it is collected first - on the
    main thread only: the app destroys Qt objects there alone (``ui.main_thread_gc``).
    """
    was_enabled = gc.isenabled()
    if freeze and threading.current_thread() is threading.main_thread():
        gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if was_enabled:
            gc.enable()


def validate_file(path: str | os.PathLike[str]) -> list[str]:
    """Every problem in a project file (empty when valid)."""
    try:
        load_project(path)
    except ProjectFormatError as e:
        return e.problems
    return []


def project_from_dict(data: Any, source: str | os.PathLike[str] = "<memory>") -> Project:
    """Validate parsed JSON and build the Project; raises ``ProjectFormatError`` with every problem.

    Files of format 1 (and COCO files from other tools) are migrated in memory to the current format:
    a later save writes format 2 (docs/format.md).
    """
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ProjectFormatError(source, [f"top level: expected a JSON object, got {typename(data)}"])
    err = problems.append
    lists = {}
    for key in ("images", "annotations", "categories"):
        value = data.get(key, [])
        if not isinstance(value, list):
            err(f"{key}: expected a list, got {typename(value)}")
            value = []
        lists[key] = value
    rejected: dict[str, dict[int, str]] = {"images": {}, "categories": {}}  # id -> where, of invalid records
    images = _read_images(lists["images"], err, rejected["images"])
    categories = _read_categories(lists["categories"], err, rejected["categories"])
    app = _read_app(data.get("pixelproof"), err)
    annotations = read_annotations(lists["annotations"], images, categories, problems, rejected)
    extra = {k: v for k, v in data.items() if k not in _TOP_KEYS}
    for key, value in extra.items():
        _depth(value, key, err)
    if problems:
        raise ProjectFormatError(source, problems)
    project = Project(images=images, categories=categories, annotations=annotations, extra=extra, app=app)
    project.loaded_format = app.get("format", 1) if "pixelproof" in data else None
    own_crowd_flags(project)  # a COCO export's void regions: crowd regions in the file
    own_box_segmentations(project)  # its box-only objects: their box's outline in the file
    if app.get("format") != FORMAT_VERSION:
        migrate(project)
    return project


def _depth(value: Any, where: str, err: Callable) -> None:
    try:
        check_json_depth(value, where)
    except LimitError as e:
        err(str(e))


def _read_images(items: list, err: Callable, rejected: dict[int, str]) -> dict[int, ImageRecord]:
    """The valid image records by id; ``rejected`` gets the id and location of each invalid one whose id is
    good (its annotations then name the real reason, not a missing image)."""
    out: dict[int, ImageRecord] = {}
    seen: dict[int, int] = {}
    for i, obj in enumerate(items):
        where = f"images[{i}]"
        if not isinstance(obj, dict):
            err(f"{where}: expected an object, got {typename(obj)}")
            continue
        n = len(seen)
        ok = check_id(obj.get("id", MISSING), where, seen, i, "images", err)
        fn = obj.get("file_name")
        if not isinstance(fn, str) or not fn:
            err(f"{where}.file_name: expected a non-empty string, got {typename(fn)}")
            ok = False
        elif "\0" in fn:  # no file system allows it: opening, copying or naming the file fails
            err(f"{where}.file_name: holds a NUL character, which no file name can")
            ok = False
        dims = []
        for key in ("width", "height"):
            v = obj.get(key)
            if type(v) is not int or v <= 0:
                err(f"{where}.{key}: expected a positive integer, got {short_repr(v)}")
                ok = False
            elif v > MAX_SIDE:
                err(f"{where}.{key}: {v} is over the limit of {MAX_SIDE} pixels per side")
                ok = False
            dims.append(v)
        extra = {k: v for k, v in obj.items() if k not in _IMG_KEYS}
        for key, value in extra.items():
            _depth(value, f"{where}.{key}", err)
        if ok and len(seen) > n:
            iid = obj["id"]
            out[iid] = ImageRecord(iid, fn, dims[0], dims[1], extra)
        elif len(seen) > n:
            rejected[obj["id"]] = where
    return out


def _read_categories(items: list, err: Callable, rejected: dict[int, str]) -> dict[int, Category]:
    """The valid categories by id; ``rejected`` as for ``_read_images``."""
    out: dict[int, Category] = {}
    seen: dict[int, int] = {}
    names: dict[str, int] = {}
    for i, obj in enumerate(items):
        where = f"categories[{i}]"
        if not isinstance(obj, dict):
            err(f"{where}: expected an object, got {typename(obj)}")
            continue
        n = len(seen)
        ok = check_id(obj.get("id", MISSING), where, seen, i, "categories", err)
        name = obj.get("name")
        if not isinstance(name, str):
            err(f"{where}.name: expected a string, got {typename(name)}")
            ok = False
        elif name in names:  # counts, exports and QA go by name: two classes would become one
            err(f"{where}.name: duplicate name {short_repr(name)} (also categories[{names[name]}])")
            ok = False
        else:
            names[name] = i
        sup = obj.get("supercategory")
        if sup is not None and not isinstance(sup, str):
            err(f"{where}.supercategory: expected a string, got {typename(sup)}")
            ok = False
        app = obj.get("pixelproof", {})
        color = shortcut = None
        app_extra: dict[str, Any] = {}
        if not isinstance(app, dict):
            err(f"{where}.pixelproof: expected an object, got {typename(app)}")
            ok = False
        else:
            color = app.get("color")
            if color is not None and not is_color(color):
                err(f"{where}.pixelproof.color: expected '#rrggbb', got {short_repr(color)}")
                ok = False
            shortcut = app.get("shortcut")
            if shortcut is not None and not isinstance(shortcut, str):
                err(f"{where}.pixelproof.shortcut: expected a string, got {typename(shortcut)}")
                ok = False
            app_extra = {k: v for k, v in app.items() if k not in ("color", "shortcut")}
        extra = {k: v for k, v in obj.items() if k not in _CAT_KEYS}
        for key, value in [*extra.items(), *((f"pixelproof.{k}", v) for k, v in app_extra.items())]:
            _depth(value, f"{where}.{key}", err)
        if len(seen) == n:
            continue
        if not ok:
            rejected[obj["id"]] = where
            continue
        if sup is None and "supercategory" in obj:
            extra["supercategory"] = None  # written back as null (many exporters write it)
        cid = obj["id"]
        out[cid] = Category(cid, name, sup, color, shortcut, extra, app_extra)
    return out


EXIF_POLICIES = ("apply", "ignore")


def _read_app(app: Any, err: Callable) -> dict[str, Any]:
    if app is None:
        return {"format": 1}
    if not isinstance(app, dict):
        err(f"pixelproof: expected an object, got {typename(app)}")
        return {}
    fmt = app.get("format", 1)
    if type(fmt) is not int:
        err(f"pixelproof.format: expected an integer, got {short_repr(fmt)}")
    elif fmt > FORMAT_VERSION:
        err(f"pixelproof.format: version {fmt} is newer than this PixelProof understands ({FORMAT_VERSION})")
    status = app.get("image_status", {})
    if not isinstance(status, dict):
        err(f"pixelproof.image_status: expected an object, got {typename(status)}")
    else:
        for k, v in status.items():
            if v not in IMAGE_STATES:
                err(
                    f"pixelproof.image_status.{k}: expected one of {', '.join(IMAGE_STATES)}, "
                    f"got {short_repr(v)}"
                )
    raters = app.get("overlap_annotators", {})
    if not isinstance(raters, dict):
        err(f"pixelproof.overlap_annotators: expected an object, got {typename(raters)}")
    else:
        for k, v in raters.items():
            if not isinstance(v, list) or not all(isinstance(n, str) for n in v):
                err(
                    f"pixelproof.overlap_annotators.{k}: expected a list of annotator names, "
                    f"got {short_repr(v)}"
                )
    for key in (LAST_ANNOTATION_ID, LAST_IMAGE_ID, LAST_CATEGORY_ID):  # above ID_MAX: ids no file holds
        issued = app.get(key, 0)
        if type(issued) is not int or not 0 <= issued <= ID_MAX:
            err(f"pixelproof.{key}: expected a non-negative integer up to {ID_MAX}, got {short_repr(issued)}")
    ref = app.get("reference")
    if ref is not None and not isinstance(ref, str):
        err(f"pixelproof.reference: expected a string, got {typename(ref)}")
    exif = app.get("exif_orientation")
    if exif is not None and exif not in EXIF_POLICIES:
        err(
            f"pixelproof.exif_orientation: expected one of {', '.join(EXIF_POLICIES)}, got {short_repr(exif)}"
        )
    check_display_map(app.get(DISPLAY_KEY), err)  # structure here; the channels when the file is shown
    for key, value in app.items():
        if key not in ("image_status",):
            _depth(value, f"pixelproof.{key}", err)
    return dict(app)


# ------------------------------------------------------------------------------------------------
# writing


def save_project(
    project: Project, path: str | os.PathLike[str] | None = None, *, overwrite: bool = False
) -> Path:
    """Write atomically to ``path`` (default: where it was loaded from); keep ``<name>.bak``.

    Saving over the file the project was loaded from (or last saved to) refuses, with
    ``ProjectConflictError``, when that file changed on disk meanwhile - unless ``overwrite``. A symlink
    is saved through (the link stays), the file keeps its permissions, and temporaries that killed saves
    left beside it are removed. When saving to another folder, relative image paths are rewritten so
    they still point at the same files. Raises ``ProjectSaveError``; on failure the previous file and
    its backup are untouched.
    """
    target = Path(path) if path is not None else project.path
    if target is None:
        raise ProjectSaveError("the project has never been saved: choose a file name")
    target = Path(os.path.abspath(target))
    state = project.file_state
    check_save_target(target, project_file=state is not None and same_file(state.path, target))
    unchanged = state if state is not None and not overwrite and same_file(state.path, target) else None
    old_folder = project_folder(project.path)
    renamed = _rebase_file_names(project, old_folder, target.parent)
    clean_stale_temporaries(target)
    if unchanged is not None and _size_changed(unchanged):  # before the change log line is written
        for step in reversed(renamed):
            step()
        raise ProjectConflictError(target)
    entry = history.prepare(project, target)  # the change log line, appended before the file is replaced
    try:
        while True:
            with gc_paused():
                try:
                    data = dumps_project(project)
                except ProjectSaveError as e:  # a value no JSON can hold (see dumps_project)
                    reason = f"could not save {target}: {e}; the previous file is unchanged"
                    raise ProjectSaveError(reason) from None
            digest = _Hasher(data)  # in a thread, while the file is written
            if entry is None and unchanged is not None and _same_bytes(unchanged, digest):
                project.ids_in_file = project.ids_given_out()  # the file holds them already
                return target  # nothing to write: the file, its time and its backup stay as they are
            if entry is None or _append_history(entry, digest.result().hex()):
                break
            history.renumber(project, entry)  # another save took its seq meanwhile (history.append)
        written = atomic_write(target, data, backup=True, unchanged=unchanged)
    except BaseException:  # any failure (Ctrl+C, a bug) leaves the open project as it was, paths and all
        for step in reversed(renamed):
            step()
        if entry is not None:
            history.abort(project, entry)
        raise
    project.path = target
    with contextlib.suppress(OSError):
        st = os.stat(written)
        project.file_state = FileState(target, st.st_mtime_ns, st.st_size, digest.result())
    project.ids_in_file = project.ids_given_out()
    history.committed(project)
    return target


def _same_bytes(state: FileState, digest: _Hasher) -> bool:
    """The file is still as loaded or last saved, and the bytes to write are those: a Ctrl+S with nothing
    changed must not rewrite it (its backup, the version before the last real save, would be lost)."""
    return digest.result() == state.sha256 and not state.changed_since()


def _size_changed(state: FileState) -> bool:
    """A cheap early look for the two-writer conflict (the full check, hash included, is atomic_write's)."""
    try:
        return os.stat(state.path).st_size != state.size
    except OSError:
        return True


def _append_history(entry: history.Pending, file_sha256: str) -> bool:
    """``history.append``, its failure a ``ProjectSaveError`` naming the log."""
    try:
        return history.append(entry, file_sha256)
    except OSError as e:
        raise ProjectSaveError(
            f"could not write the change log {entry.path}: {e.strerror or e}; the project is unchanged"
        ) from e


def _rebase_file_names(project: Project, old: Path | None, new: Path) -> list[Callable[[], None]]:
    """Rewrite the relative paths the project holds (image ``file_name``s, the taxonomy examples that
    name those images, ``pixelproof.reference``) so that from ``new`` they lead to the files they led
    to from ``old``. Returns the undo steps, for a save that fails."""
    names = Rebased(old, new)  # the rule an undo step's names follow too (``RelocateImages``)
    if not names.moves:
        return []
    undo: list[Callable[[], None]] = []
    renamed: dict[str, str] = {}
    for image in project.images.values():
        rel = names.name(image.file_name)
        if rel != image.file_name:
            renamed[image.file_name] = rel
            undo.append(lambda image=image, name=image.file_name: setattr(image, "file_name", name))
            image.file_name = rel
    from pixelproof.core.track_outside import rebase_sequences  # here: it imports the edits (and OpenCV)

    undo += rebase_sequences(project, names.folder)  # the outside marks name their video by its folder
    baseline = project.history.categories if isinstance(project.history, history.Baseline) else {}
    for category in [*project.categories.values(), *baseline.values()]:  # the log sees no change
        examples = category.app_extra.get("examples")
        for example in examples if isinstance(examples, list) else []:
            name = example.get("file_name") if isinstance(example, dict) else None
            if isinstance(name, str) and name in renamed:
                undo.append(lambda example=example, name=name: example.__setitem__("file_name", name))
                example["file_name"] = renamed[name]
    ref = project.reference
    if isinstance(ref, str) and ref and not is_absolute_name(ref) and not ref.startswith("~"):
        rel = names.name(ref)
        if rel != ref:
            undo.append(lambda ref=ref: setattr(project, "reference", ref))
            project.reference = rel
    return undo


def atomic_write(
    target: str | os.PathLike[str],
    data: bytes,
    backup: bool = False,
    unchanged: FileState | None = None,
    follow_links: bool = True,
) -> Path:
    """Write ``data`` to ``target`` so a reader sees the old file or the new one, never a torn one
    (``pixelproof.core.atomic``: symlinks written through unless ``follow_links`` is False, a side file's
    link then replaced; file mode kept; with ``unchanged``, refused with ``ProjectConflictError`` when the
    file changed since that state). Returns the file written; ``ProjectSaveError`` names the file and
    says the old one is unchanged."""
    real = write_target(target) if follow_links else Path(os.path.abspath(target))
    try:
        with atomic_output(real, backup=backup, unchanged=unchanged, follow_links=follow_links) as f:
            f.write(data)
    except FileConflictError:
        raise ProjectConflictError(Path(target)) from None
    except OSError as e:
        reason = e.strerror or str(e)
        raise ProjectSaveError(f"could not save {target}: {reason}; the previous file is unchanged") from e
    return real


def new_project(categories: list[str] | None = None) -> Project:
    """An empty project with categories numbered from 1."""
    project = Project()
    for name in categories or []:
        project.add_category(new_category(project, name))
    return project


def new_category(project: Project, name: str) -> Category:
    """A category to add to ``project``: the next id, its palette colour and the first digit key (1-9) no
    other category has. The name as given (as a file may name a class): a name a person typed goes
    through ``names.check_category_name`` first."""
    cid = project.next_category_id()
    used = {c.shortcut for c in project.categories.values()}
    key = next((str(n) for n in range(1, 10) if str(n) not in used), None)
    return Category(cid, name, color=default_color(cid), shortcut=key)
