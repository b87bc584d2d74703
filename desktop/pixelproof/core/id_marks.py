"""The ids a project has given out, and the one rule for new ones (``Project.new_ids``).

Each kind (objects, images, classes) keeps a high-water mark in the project file so that a removed id is
never given to a new one; ``NewIds`` hands out ids above it and ``IdsExhausted`` says when none is left.
Split out of ``core.model`` to keep it under the module size limit; ``core.model`` re-exports the names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pixelproof.core.limits import ID_MAX, LimitError

if TYPE_CHECKING:
    from pixelproof.core.model import Project

# ``pixelproof.last_annotation_id``: the highest annotation id the project has given out. A removed
# object's id is never given to a new one (a "not a problem" decision, a review note or the change log
# keyed by that id would otherwise pass to an unrelated object); split gives each shard its own range. An
# undo never frees an id the project file has held (``Project.ids_in_file``): a drawing saved then undone
# keeps its id given out.
LAST_ANNOTATION_ID = "last_annotation_id"
# ``pixelproof.last_image_id`` / ``last_category_id``: the same for images and categories. A shard of an
# earlier split knows each image and class by its id, so a photo or class added later must never take the
# id of one removed (undone, deleted, merged away): merge would take it for the one the shard was dealt.
LAST_IMAGE_ID = "last_image_id"
LAST_CATEGORY_ID = "last_category_id"
_KINDS = {LAST_ANNOTATION_ID: "object", LAST_IMAGE_ID: "image", LAST_CATEGORY_ID: "category"}
_PLURALS = {LAST_ANNOTATION_ID: "objects", LAST_IMAGE_ID: "images", LAST_CATEGORY_ID: "categories"}
# How a project whose ids reach ``ID_MAX`` goes on: ``pixelproof renumber`` (core.renumber) numbers images,
# classes and objects from 1 and every reference to them with it, into a new project
RENUMBER_HINT = (
    "to go on, renumber it from 1 into a new project: pixelproof renumber {file} -o NEW.json (everything "
    "the project holds is kept; shards split from this file cannot be merged into the new one)"
)


class IdsExhausted(LimitError):
    """No new object, image or class id is left: the next would pass ``ID_MAX`` (2**63 - 1), and a file
    holding it would not open again (ours refuses it; numpy and pycocotools hold ids as int64). The marks
    are high-water marks, so a lower id that was freed cannot be told from one never given out: the edit,
    import or command is refused rather than renumbered, before it changes anything."""

    def __init__(self, project: Project, key: str, count: int, reached: int) -> None:
        self.kind = _KINDS[key]
        name = str(project.path) if project.path is not None else "the project"
        mark = (
            f" (counting those given out before: pixelproof.{key})"
            if project.issued(key) > max(project._ids(key), default=0)
            else ""
        )
        room = (
            f"no room for {count} new {_PLURALS[key]}" if count > 1 else f"no new {self.kind} can be numbered"
        )
        # what ran out, without the file and the way on (a merge names its inputs and output instead)
        self.problem = (
            f"{self.kind} ids reach {reached}{mark}: {room} up to {ID_MAX} (2**63 - 1), the largest id a "
            "project file can hold"
        )
        super().__init__(
            name, f"{self.problem}; " + RENUMBER_HINT.format(file=project.path or "PROJECT.json")
        )


class NewIds:
    """New ids of one kind handed out one at a time (an import, a model's predictions, a merge) under the
    one rule of ``Project.new_ids``: above every id given out, never past ``ID_MAX``."""

    __slots__ = ("_key", "_project", "next")

    def __init__(self, project: Project, key: str, above: int = 0) -> None:
        self._project, self._key = project, key
        self.next = max(project.given_out(key), above) + 1

    def take(self, count: int = 1) -> int:
        """The first of ``count`` new consecutive ids; raises ``IdsExhausted`` when the last would pass."""
        first = self.next
        if first + count - 1 > ID_MAX:
            raise IdsExhausted(self._project, self._key, count, first - 1)
        self.next = first + count
        return first
