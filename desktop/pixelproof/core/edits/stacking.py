"""Bring to Front / Send to Back: which of overlapping objects is drawn on top, as CVAT's ``z_order`` and
LabelMe's shape order say it.

The stacking is the order of an image's objects in the project (``Project.annotations_of``), back to front:
the canvas draws them in it, a click takes the front one of overlapping objects, the mask exports paint
them in it (the front one keeps a shared pixel) and the CVAT writer gives ``z_order`` by it. No field is
added: an object drawn last is on top, as before, and a COCO file keeps its stacking in its own order."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pixelproof.core.edits.base import ANNOTATION_ORDER, Change, Changes, Compound, Edit, applied, require
from pixelproof.core.model import Annotation, Project
from pixelproof.core.wording import plural


def stacked(project: Project, ids: Iterable[int], front: bool) -> dict[int, list[int]]:
    """Image id -> its objects' new order with ``ids`` moved to the front (``front``) or the back, kept in
    their order among themselves; only the images whose order would change."""
    wanted = set(ids)
    images = dict.fromkeys(project.annotations[i].image_id for i in wanted if i in project.annotations)
    out: dict[int, list[int]] = {}
    for image_id in images:
        now = project.annotation_ids_of(image_id)
        moved = [i for i in now if i in wanted]
        others = [i for i in now if i not in wanted]
        after = others + moved if front else moved + others
        if after != now:
            out[image_id] = after
    return out


class Restack(Edit):
    """Give images' objects a new stacking (``Project.restack_annotations``); revert puts back the order
    each had. The objects themselves are not touched (their ``updated`` stays): only where they are drawn."""

    def __init__(self, orders: dict[int, list[int]], label: str, focus: list[int] | None = None) -> None:
        self.orders = {k: list(v) for k, v in orders.items()}
        self.label = label
        self.focus = self.revert_focus = focus
        self._before: dict[int, list[int]] | None = None

    def apply(self, project: Project) -> Changes:
        for image_id, order in self.orders.items():
            require(image_id in project.images, f"image {image_id} does not exist")
            ids = project.annotation_ids_of(image_id)
            require(sorted(ids) == sorted(order), f"image {image_id}: its objects changed since")
        self._before = {i: project.annotation_ids_of(i) for i in self.orders}
        return self._put(project, self.orders)

    def revert(self, project: Project) -> Changes:
        applied(self._before)
        return self._put(project, self._before)  # type: ignore[arg-type]

    @staticmethod
    def _put(project: Project, orders: dict[int, list[int]]) -> Changes:
        changes = Changes()
        for image_id, order in orders.items():
            project.restack_annotations(image_id, order)
            changes.append(Change(ANNOTATION_ORDER, image_id=image_id))
        return changes


def restack(project: Project, ids: Iterable[int], front: bool) -> Restack | None:
    """The edit that brings ``ids`` to the front of their images' objects (``front``) or sends them to the
    back, or None when they are there already (or name no object)."""
    ids = list(dict.fromkeys(ids))
    missing = [i for i in ids if i not in project.annotations]
    require(not missing, f"annotation {missing[:1]} does not exist")
    orders = stacked(project, ids, front)
    if not orders:
        return None
    what = plural(len(ids), "object") if len(ids) > 1 else "object"
    label = f"Bring {what} to front" if front else f"Send {what} to back"
    return Restack(orders, label, focus=ids)


class InPlaces(Compound):
    """``parts`` that remove objects and add ``added`` (a refill's: the fills next to a key made again),
    each added object then put where the removed one it stands for stood in its image's stacking (the one
    of its image for which ``same`` gives what it gives the added one: its track), not on top: a box filled
    again stays under the box it was under, and so does CVAT's ``z_order`` written from the stacking."""

    def __init__(
        self, parts: Iterable[Edit], added: list[Annotation], same: Callable[[Annotation], object], label: str
    ) -> None:
        super().__init__(parts, label)
        self.added, self.same = added, same
        self._restack: Restack | None = None

    def apply(self, project: Project) -> Changes:
        images = {a.image_id for a in self.added if a.image_id in project.images}
        before = {i: [(a.id, self.same(a)) for a in project.annotations_of(i)] for i in images}
        changes = super().apply(project)
        orders: dict[int, list[int]] = {}
        for image_id, was in before.items():
            now = project.annotation_ids_of(image_id)
            present = set(now)
            gone = [(n, key) for n, key in was if n not in present]
            stands_for: dict[int, int] = {}  # a removed object -> the added one put in its place
            for a in (a for a in self.added if a.image_id == image_id):
                old = next((n for n, key in gone if key == self.same(a) and n not in stands_for), None)
                if old is not None:
                    stands_for[old] = a.id
            order = [stands_for.get(n, n) for n, _key in was if n in present or n in stands_for]
            order += [n for n in now if n not in set(order)]
            if order != now:
                orders[image_id] = order
        self._restack = Restack(orders, self.label) if orders else None
        if self._restack is not None:
            changes += self._restack.apply(project)
        return changes

    def revert(self, project: Project) -> Changes:
        changes = Changes()
        if self._restack is not None:
            changes += self._restack.revert(project)
        changes += super().revert(project)
        return changes
