"""Label Studio tasks of several pictures, written back whole: the images the import made of one task's
``<Image>`` tags (``front``, ``side``) or of the pages of one ``<Image valueList="$pages">`` keep the task
id, the tag's name and the page (``pixelproof.labelstudio``: ``task``, ``view``, ``page``); the export
gathers them into that one task again, each picture under its data key (a valueList's pages as a list,
in page order), its results with its ``to_name`` (and ``item_index``, the page), so a round trip gives
Label Studio the task it exported. Used by :mod:`labelstudio_writer`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from pixelproof.core.model import ImageRecord, Project
from pixelproof.interop._util import as_dict
from pixelproof.interop.safe_xml import XML_NAME

if TYPE_CHECKING:
    from pixelproof.interop.labelstudio_writer import ControlNames


@dataclass(frozen=True)
class View:
    """One ``<Image>`` of a task: its name (the results' ``to_name``), its data key, and whether it reads a
    list of pages (``valueList``)."""

    name: str
    key: str
    pages: bool = False


@dataclass
class Member:
    """An image of a written task: the picture it is there (None: a task of its own, as PixelProof's)
    and its page's place in the view's list."""

    image: ImageRecord
    view: View | None = None
    page: int | None = None


def _name(v: Any) -> bool:
    return isinstance(v, str) and bool(XML_NAME.match(v)) and len(v) <= 200


def _origin(image: ImageRecord) -> tuple[int, str, int | None] | None:
    """(task id, ``<Image>`` name, page or None) the import kept, None for an image of no such task."""
    ls = as_dict(as_dict(image.extra.get("pixelproof")).get("labelstudio"))
    task, view, page = ls.get("task"), ls.get("view"), ls.get("page")
    if isinstance(task, bool) or not isinstance(task, int) or not _name(view):
        return None
    if page is not None and (isinstance(page, bool) or not isinstance(page, int) or page < 0):
        return None
    return task, view, page


def imported_views(names: dict[str, Any]) -> dict[str, View]:
    """The imported config's ``<Image>`` tags (``NAMES_KEY``'s ``Image``: [name, key] or [name, key,
    "list"]) by name; a project edited by hand: entries of no XML name passed over."""
    out: dict[str, View] = {}
    found = names.get("Image")
    for item in found if isinstance(found, list) else []:
        if isinstance(item, list) and len(item) in (2, 3) and _name(item[0]) and _name(item[1]):
            out.setdefault(item[0], View(item[0], item[1], item[2:] == ["list"]))
    return out


def task_groups(project: Project, views: dict[str, View]) -> tuple[list[list[Member]], int]:
    """The images as tasks, in image order: those of one imported task together (each on its picture,
    a list view's pages in page order), any other alone; and how many an image of its task already took
    the place of (the same picture twice: a task of its own each, counted)."""
    groups: dict[Any, list[Member]] = {}
    taken: dict[int, tuple[set[tuple[str, str, int | None]], dict[str, bool]]] = {}  # a task's, looked up
    clashes = 0  # (a set a task, not a scan of its members: 8,000 pages took 6x a task each, bench)
    for image in project.images.values():
        origin = _origin(image)
        if origin is None:
            groups[("image", image.id)] = [Member(image)]
            continue
        task, name, page = origin
        view = views.get(name) or View(name, name, page is not None)
        if view.pages != (page is not None):
            view = View(view.name, view.key, page is not None)  # the config edited since: as the image says
        places, kinds = taken.setdefault(task, (set(), {}))
        if ("name", name, page) in places or ("key", view.key, page) in places:
            clashes += 1
            groups[("image", image.id)] = [Member(image, view, page)]
        elif kinds.get(view.key, view.pages) != view.pages:
            clashes += 1  # one data key as a picture and as pages: not one task
            groups[("image", image.id)] = [Member(image, view, page)]
        else:
            places.update((("name", name, page), ("key", view.key, page)))
            kinds[view.key] = view.pages
            groups.setdefault(("task", task), []).append(Member(image, view, page))
    out = []
    for members in groups.values():
        lists: dict[str, list[Member]] = {}
        for m in members:
            if m.view and m.view.pages:
                lists.setdefault(m.view.key, []).append(m)
        for listed in lists.values():  # pages renumbered from 0
            for n, m in enumerate(sorted(listed, key=lambda m: m.page or 0)):
                m.page = n
        out.append(members)
    return out, clashes


def view_controls(
    controls: ControlNames, view: View, names: dict[str, Any], tags: dict[str, str]
) -> ControlNames:
    """The names a picture's results use: its ``<Image>`` and data key, and each region type's control
    bound to it in the imported config (``BOUND_KEY``) when it has exactly one, else
    ``<PixelProof's name>_<view>``; ``tags``: region type -> its config tag."""
    from pixelproof.interop.labelstudio_writer import BOUND_KEY

    bound: dict[str, list[str]] = {}
    pairs = names.get(BOUND_KEY)
    for pair in pairs if isinstance(pairs, list) else []:
        if isinstance(pair, list) and len(pair) == 2 and _name(pair[0]) and isinstance(pair[1], str):
            bound.setdefault(pair[0], [n.strip() for n in pair[1].split(",")])
    regions = {}
    for kind, tag in tags.items():
        listed = names.get(tag)
        found = [
            n
            for n in (listed if isinstance(listed, list) else [])
            if _name(n) and view.name in bound.get(n, [])
        ]
        regions[kind] = found[0] if len(found) == 1 else f"{controls.regions[kind]}_{view.name}"
    return replace(controls, image=view.name, key=view.key, regions=regions, missing={})


def task_data(members: list[Member], urls: list[str], key: str) -> dict[str, Any]:
    """A task's ``data``: each picture's URL under its key, a list view's pages as a list (``key``: the
    data key of an image of no imported task)."""
    data: dict[str, Any] = {}
    pages = Counter(m.view.key for m in members if m.view and m.view.pages)  # two <Image>s of one list: one
    for m, url in zip(members, urls, strict=True):
        if m.view is None:
            data[key] = url
        elif m.view.pages:
            data.setdefault(m.view.key, [""] * pages[m.view.key])[m.page or 0] = (
                url  # numbered by task_groups
            )
        else:
            data[m.view.key] = url
    return data
