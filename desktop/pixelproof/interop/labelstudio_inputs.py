"""What a Label Studio export points at: its label config (category order and colours, the ``<Image>``'s
data key) and its images (found by base name); the reader is :mod:`pixelproof.interop.labelstudio`."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from pixelproof.core.limits import LimitError, short_repr
from pixelproof.core.model import Category
from pixelproof.core.name_fold import fold
from pixelproof.core.wording import plural
from pixelproof.interop._util import Builder, Reporter, as_dict, is_file
from pixelproof.interop.labelstudio_hotkeys import bound_keys, give_keys
from pixelproof.interop.labelstudio_writer import BOUND_KEY, CONFIG_KEY, KEPT_TAGS, NAMES_KEY, REGION_TAGS
from pixelproof.interop.safe_xml import read_small_xml

# the tags whose labels are categories: regions' tags. KeyPointLabels name points, kept with the image and
# written back under their own tag (KEPT_CONFIG_TAGS): their labels are no categories
LABEL_TAGS = ("RectangleLabels", "PolygonLabels", "EllipseLabels", "BrushLabels", "Labels")
KEPT_CONFIG_TAGS = dict(KEPT_TAGS.values())  # a kept result's config tag -> its values' child tag
_UPLOAD_PREFIX = re.compile(r"[0-9a-f]{8}-(.+)\Z")
_UPLOAD_URL = re.compile(r"\A/data/upload/(\d+)/([^/\\]+)\Z")  # /data/upload/<project id>/<file name>


def labelstudio_media() -> Path:
    """Label Studio's media folder, where it keeps uploaded files (``upload/<project id>/``), found as
    Label Studio finds it: ``LABEL_STUDIO_BASE_DATA_DIR``, else the platform's user data folder."""
    base = os.environ.get("LABEL_STUDIO_BASE_DATA_DIR", "").strip()
    if base:
        return Path(base).expanduser() / "media"
    home = Path.home()
    if sys.platform == "win32":
        root = (
            Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
            / "label-studio"
            / "label-studio"
        )
    elif sys.platform == "darwin":
        root = home / "Library" / "Application Support" / "label-studio"
    else:
        root = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share") / "label-studio"
    return root / "media"


def upload_path(url: str) -> Path | None:
    """Where Label Studio keeps an uploaded file (``/data/upload/7/3f2a9c1b-a.jpg``), None for another URL
    (or one whose parts are no project id and plain file name)."""
    m = _UPLOAD_URL.match(urlsplit(url).path)
    if m is None or m.group(2) in (".", ".."):
        return None
    return labelstudio_media() / "upload" / m.group(1) / m.group(2)


@dataclass
class Views:
    """The pictures a task shows: the config's ``<Image>`` tags (name -> task ``data`` key; two tags
    reading one key show one picture) and each control tag's ``toName``, so a multi-view task's result
    goes to the picture it was drawn on, never to another one."""

    keys: dict[str, str] = field(default_factory=lambda: {"image": "image"})
    bound: dict[str, list[str]] = field(default_factory=dict)  # a control's name -> the names of its toName
    unplaced: dict[str, str] = field(default_factory=dict)  # an <Image> name no result goes by -> why
    pictures: list[str] = field(default_factory=list)  # every <Image>'s data key (a shared name's too)
    lists: set[str] = field(default_factory=set)  # keys an <Image valueList="$key"> reads: lists of URLs

    def __post_init__(self) -> None:
        self.data_keys: list[str] = list(dict.fromkeys([*self.keys.values(), *self.pictures]))
        """The task ``data`` keys naming a picture, in config order (``image`` without a config)."""
        self._tags: dict[str, str] = {}
        for name, key in self.keys.items():
            self._tags.setdefault(key, name)

    @property
    def single(self) -> bool:
        """One picture a task and no other ``<Image>``: every result is on it, whatever its to_name."""
        return len(self.data_keys) == 1 and not self.unplaced

    def tag_of(self, key: str) -> str:
        """The (first) ``<Image>`` name reading ``key``: how the import names that view."""
        return self._tags.get(key, key)

    def key_of(self, result: Any) -> str | None:
        """The ``data`` key of the picture a result is on: its ``to_name`` if that names an image, else
        its control's ``toName`` when that names one picture (JSON-MIN keeps no ``to_name``); None when
        neither names one, or names several."""
        r = as_dict(result)
        to = r.get("to_name")
        if isinstance(to, str) and (to in self.keys or to in self.unplaced):
            return self.keys.get(to)
        names = self.bound.get(r["from_name"], []) if isinstance(r.get("from_name"), str) else []
        found = {self.keys.get(n) for n in names}
        return found.pop() if len(found) == 1 else None

    def why_not(self, result: Any) -> str:
        """Why ``key_of`` found no picture for ``result``: said with the result skipped."""
        r = as_dict(result)
        to, control = r.get("to_name"), r.get("from_name")
        if isinstance(to, str) and to in self.unplaced:
            return f"to_name {short_repr(to)} names {self.unplaced[to]}"
        names = self.bound.get(control, []) if isinstance(control, str) else []
        if len(names) > 1 and not (isinstance(to, str) and to in self.keys):
            return (
                f"to_name {short_repr(to)}, and its control is bound to {', '.join(names)}: not one picture"
            )
        return f"to_name {short_repr(to)} names no <Image> of the label config"


def _views(root: Any) -> Views:
    """The ``<Image>`` tags and control targets of a label config. Beside other images, an <Image> name
    shared by tags reading different keys, or an <Image> with no ``$`` value, places no result (it would
    be a guess between pictures); a lone <Image> takes every result, ``data.image`` without a value."""
    keys: dict[str, str] = {}
    unplaced: dict[str, str] = {}
    pictures: list[str] = []
    bound: dict[str, list[str]] = {}
    lists: set[str] = set()
    shown = 0
    for el in root.iter():
        if el.tag == "Image":
            shown += 1
            listed = el.get("valueList") or ""  # pages: the task's data holds a list of URLs there
            value = listed if listed.startswith("$") and len(listed) > 1 else el.get("value") or ""
            key = value[1:] if value.startswith("$") and len(value) > 1 else None
            if key and value is listed:
                lists.add(key)
            name = el.get("name") or key
            if key is None:
                if name:
                    unplaced.setdefault(name, "an <Image> without a $value: no picture")
            elif name in keys and keys[name] != key:
                unplaced.setdefault(name, f"several <Image> tags (${keys[name]}, ${key}): not one picture")
            else:
                keys.setdefault(name, key)  # type: ignore[arg-type]
            pictures += [key] if key else []
        elif el.get("name") and el.get("toName"):
            names = [n.strip() for n in el.get("toName", "").split(",") if n.strip()]
            bound.setdefault(el.get("name", ""), names)
    if shown <= 1:
        return Views(keys=keys or {"image": "image"}, bound=bound, lists=lists)
    for name in unplaced:
        keys.pop(name, None)
    return Views(
        keys=keys if pictures else {"image": "image"},
        bound=bound,
        unplaced=unplaced,
        pictures=pictures,
        lists=lists if pictures else set(),
    )


def page_of(result: dict, pages: int) -> tuple[int | None, str]:
    """(the page of a multi-page ``<Image valueList>`` a result is on, "") or (None, why not): its
    ``item_index``, 0 when it has none (as Label Studio reads it); ``pages``: how many the task holds."""
    index = given = result.get("item_index")  # said as given: 1e308, not in 309 digits
    if index is None:
        index = 0
    elif isinstance(index, float) and index.is_integer():
        index = int(index)  # 1.0: a whole number a Python tool wrote
    if isinstance(index, bool) or not isinstance(index, int):
        return None, f"item_index {short_repr(index)} is no page number (a whole number from 0)"
    if index < 0:
        return None, f"item_index {short_repr(given)} is negative"
    if index >= pages:
        return (
            None,
            f"item_index {short_repr(given)} is past the task's {plural(pages, 'page')} (pages count from 0)",
        )
    return index, ""


def read_config(path: Path, given: bool, build: Builder, report: Reporter) -> tuple[Views, Labels]:
    """Categories from the label config, in its order and with its colours and the digit keys that picked
    their labels in Label Studio (``labelstudio_hotkeys``; those not kept named in one line); returns its
    ``<Image>`` tags and controls' targets (``Views``) and the regions' labels (``Labels``)."""
    labels = Labels(build)
    if not given and not path.is_file():
        return Views(), labels
    try:
        root = read_small_xml(path, "label config")
    except (OSError, ValueError) as e:
        report(f"{e}; categories come from the results")
        return Views(), labels
    views = _views(root)
    declared = []
    for el in root.iter():
        if el.tag not in KEPT_CONFIG_TAGS or not el.get("name"):
            continue
        attrs = {k: v for k, v in el.attrib.items() if k not in ("name", "toName")}
        children = [c for c in el.iter(KEPT_CONFIG_TAGS[el.tag]) if c.get("value")]
        tag = {
            "tag": el.tag,
            "name": el.get("name"),
            "attrs": attrs,
            "values": [c.get("value") for c in children],
        }
        # each value's other attributes (a Choice's hotkey, alias, hint, selected...), the first of a value
        value_attrs: dict[str, dict[str, str]] = {}
        for c in children:
            if len(c.attrib) > 1:
                value_attrs.setdefault(
                    c.get("value", ""), {k: v for k, v in c.attrib.items() if k != "value"}
                )
        if value_attrs:
            tag["value_attrs"] = value_attrs
        declared.append(tag)
    # the tags of the image-level results, for the config written back (every choice), and the names of
    # the region tags and the image, so an export's regions fit the project's own config
    kept: dict[str, Any] = {"tags": declared} if declared else {}
    if names := _control_names(root):
        kept[NAMES_KEY] = names
    if kept:
        build.project.extra[CONFIG_KEY] = kept
    keys = bound_keys(root)
    found: list[tuple[Category, str | None, bool]] = []  # each label's category and its key there
    for tag in root.iter():
        if tag.tag not in LABEL_TAGS:
            continue
        where = f'<{tag.tag} name="{(tag.get("name") or "")[:40]}">'
        for label in tag.iter("Label"):
            key, own = keys.get(label, (None, False))
            name = label.get("value")
            if not name:
                hotkey = f" (hotkey {short_repr(key)[1:-1]})" if own else ""
                report(f"{path}: {where}: a <Label> without a value{hotkey} skipped")
                continue
            try:
                cat = build.category(name)
            except LimitError as e:
                report(f"{path}: {where}: <Label>: {e}; skipped")
                continue
            color = _hex_color(label.get("background", ""))
            if color:
                cat.color = color
            labels.configured(cat.name)
            found.append((cat, key, own))
    if said := give_keys(found, {k.lower() for k, _ in keys.values() if k}):
        report(
            f"{path}: label hotkeys not kept: {'; '.join(said)} (PixelProof chooses a category with the "
            "number keys 1-9, the Categories panel's Key column; its letters are tool keys, listed in "
            "Help > Shortcuts)"
        )
    return views, labels


def _control_names(root: Any) -> dict[str, list]:
    """The names of the config's region tags the writer uses (tag -> names, in order) and of its images
    (``Image`` -> [name, data key] pairs, [name, key, "list"] for a ``valueList``), and for a task of
    several pictures or pages each control's ``toName`` (``BOUND_KEY``); empty when it has none."""
    tags = {tag for tag, _ in REGION_TAGS.values()}
    out: dict[str, list] = {}
    for el in root.iter():
        name = el.get("name")
        if not name:
            continue
        if el.tag in tags:
            out.setdefault(el.tag, []).append(name)
        elif el.tag == "Image" and (el.get("valueList") or "").startswith("$"):  # pages of one task
            out.setdefault("Image", []).append([name, el.get("valueList", "")[1:], "list"])
        elif el.tag == "Image" and (el.get("value") or "").startswith("$"):
            out.setdefault("Image", []).append([name, el.get("value", "")[1:]])
        if el.get("toName") and el.tag != "Image":  # a control's pictures: a view's tags on export
            out.setdefault(BOUND_KEY, []).append([name, el.get("toName", "")])
    pictures = out.get("Image", [])
    if len(pictures) < 2 and not any(len(p) > 2 for p in pictures):
        out.pop(BOUND_KEY, None)  # one picture a task: the export binds every tag to it
    return out


class Labels:
    """A region's label as a category: the config's spelling of a name written in another case (a config
    edited from 'butterfly' to 'Butterfly' after regions were drawn), each such pairing said once."""

    def __init__(self, build: Builder) -> None:
        self.build = build
        self.names: set[str] = set()  # the config's labels
        self.folded: dict[str, str] = {}  # a config label without case (name_fold) -> the label
        self.paired: set[str] = set()  # labels already said to be paired

    def configured(self, name: str) -> None:
        self.names.add(name)
        self.folded.setdefault(fold(name), name)

    def category_id(self, label: str, where: str, report: Reporter) -> int:
        """The category of a region labelled ``label`` (``where`` names it in the one line said)."""
        name = label if label in self.names else self.folded.get(fold(label), label)
        if name != label and label not in self.paired:
            self.paired.add(label)
            report(
                f"{where}: label {label!r} is the config's {name!r} in another case; its regions (here "
                f"and in later tasks) go to {name!r}"
            )
        return self.build.category(name).id


# CSS's rgba() with its alpha as a fraction or percentage (Label Studio's templates: rgba(255, 0, 0, 0.7)),
# which Pillow reads only as a whole number 0-255: the colour without it
_RGBA = re.compile(r"rgba?\(([^,()]+,[^,()]+,[^,()]+),[^,()]+\)", re.IGNORECASE)


def _hex_color(text: str) -> str:
    """``#rrggbb`` for a CSS colour (``#f00``, ``red``, ``rgba(218, 1, 238, 1)``, ``rgba(0, 0, 255,
    0.7)``: the alpha left out), "" when unknown."""
    from PIL import ImageColor

    css = text.strip()
    if found := _RGBA.fullmatch(css):
        css = f"rgb({found[1]})"
    try:
        rgb = ImageColor.getrgb(css)
    except (ValueError, AttributeError):
        return ""
    return "#{:02x}{:02x}{:02x}".format(*rgb[:3])


class ImageFinder:
    """Image files by base name: in ``image_dir`` (recursively) when given, else beside the export and in
    its ``images/``. Only files found on disk are ever named, so ``..`` or an absolute path in a task's
    URL leads nowhere."""

    def __init__(self, beside: Path, image_dir: Path | None) -> None:
        self.chosen = image_dir is not None
        self.root = image_dir if image_dir is not None else beside
        if image_dir is not None:
            files = image_dir.rglob("*")
            self.searched = str(image_dir)
        else:
            files = [*beside.glob("*"), *(beside / "images").rglob("*")]
            self.searched = f"{beside} or its images/"
        self._found: dict[str, tuple[str, Path | None, str]] = {}  # a URL looked up before
        self.from_media: set[str] = set()  # URLs read from Label Studio's own upload folder
        # an upload found nowhere -> (its name, that name without Label Studio's upload prefix)
        self.unprefixed: dict[str, tuple[str, str]] = {}
        self.by_name: dict[str, list[Path]] = {}
        self.by_fold: dict[str, list[Path]] = {}  # a name written in another case (Windows, macOS)
        for f in sorted(files):
            if is_file(f):
                self.by_name.setdefault(f.name, []).append(f)
                self.by_fold.setdefault(f.name.casefold(), []).append(f)

    def find(self, url: str) -> tuple[str, Path | None, str]:
        """(base name, file or None, note on a choice among several files) for a task's image URL; with
        no images folder chosen, an upload not beside the export is read where Label Studio keeps it."""
        name, file, note = self._find(url)
        upload = upload_path(url) if file is None and not self.chosen else None
        if upload is not None and is_file(upload):
            self.from_media.add(url)
            return upload.name, upload, ""
        return name, file, note

    def report_lookup(self, where: str, urls: list[str], report: Reporter) -> None:
        """Before the tasks are read: one line for the images read from Label Studio's upload folder, one
        for those found nowhere, saying what to choose as Images folder."""
        missing = [u for u in urls if self.find(u)[1] is None]
        if self.from_media:
            report(
                f"{where}: {plural(len(self.from_media), 'task image')} found in Label Studio's "
                "upload folder "
                f"{labelstudio_media() / 'upload'} (the Images folder was left empty)"
            )
        if not missing:
            return
        uploads = [p for u in missing if (p := upload_path(u)) is not None]
        renamed = [self.unprefixed[u] for u in missing if u in self.unprefixed]
        also = (
            f", and Label Studio's upload folder {uploads[0].parent}" if uploads and not self.chosen else ""
        )
        kinds = []
        if uploads:
            kinds.append("Label Studio keeps uploaded files in media/upload/<project id>/ of its data folder")
        if any("local-files" in u for u in missing):
            kinds.append("local files are in the folder its Local Files storage served")
        if any(urlsplit(u).scheme not in ("", "file") for u in missing):
            kinds.append("images at http(s):// or cloud URLs must be downloaded first")
        report(  # what to do first: a report line is read from its start
            f"{where}: {len(missing)} of {len(urls)} task images not found - choose the folder holding them "
            "as Images folder (--image-dir; searched with its subfolders, by file name). Looked in "
            f"{self.searched}{also}{''.join('; ' + k for k in kinds)}. Until then each comes in without its "
            "picture (a task with nothing giving its size is skipped)"
            + (
                f"; {plural(len(renamed), 'upload')} named without Label Studio's 8-character upload prefix, "
                f"as the picture was before its upload ({renamed[0][0]} as {renamed[0][1]})"
                if renamed
                else ""
            )
        )

    def _find(self, url: str) -> tuple[str, Path | None, str]:
        if url in self._found:
            return self._found[url]
        self._found[url] = found = self._look_up(url)
        return found

    def _look_up(self, url: str) -> tuple[str, Path | None, str]:
        parts = urlsplit(url)
        local = parse_qs(parts.query).get("d") if "local-files" in parts.path else None
        rel = unquote(local[0] if local else parts.path).replace("\\", "/")
        name = rel.rsplit("/", 1)[-1]
        upload = _UPLOAD_PREFIX.match(name) if "/upload/" in parts.path else None
        for candidate in (name, upload.group(1) if upload else None):
            if not candidate:
                continue
            found = self.by_name.get(candidate) or self.by_fold.get(candidate.casefold()) or []
            if not found:
                continue
            tail = [f for f in found if f.as_posix().endswith("/" + rel.lstrip("/"))]
            pick = (tail or found)[0]
            note = (
                ""
                if len(tail or found) == 1
                else f"{len(tail or found)} files named {candidate}; {pick} used"
            )
            return candidate, pick, note
        # found nowhere: named as the picture was before its upload, so a reference project or candidate
        # images naming it so match it (said in ``report_lookup``)
        if upload is None:
            return name, None, ""
        self.unprefixed[url] = (name, upload.group(1))
        return upload.group(1), None, ""


def kept_results(extra: Any, longest: int = 200) -> list[str]:
    """An image's results kept from Label Studio (choices, text areas, ratings, keypoints: no regions),
    one ``name: values`` line each, for the app to show on that image (a user who sorted images by
    choices must see them); each line cut at ``longest`` characters."""
    app = as_dict(as_dict(as_dict(extra).get("pixelproof")).get("labelstudio"))
    results = app.get("results")
    lines = []
    for r in results if isinstance(results, list) else []:
        r = as_dict(r)
        kind, value = r.get("type"), as_dict(r.get("value"))
        found = value.get("text" if kind == "textarea" else str(kind))
        if isinstance(found, list):
            text = ", ".join(str(v) for v in found)
        else:
            text = str(found) if found is not None else short_repr(value)
        name = r.get("from_name")
        line = f"{name if isinstance(name, str) and name else kind}: {text}"
        lines.append(line if len(line) <= longest else line[: longest - 1] + "…")
    return lines
