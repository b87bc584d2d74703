"""The Images panel's context-menu entries setting the dataset split of the row clicked or of every
selected row ("Set 4 images to val"), one undo step whatever their number; the same edit as the CLI's
``set-split`` (``core.edits.image_split``). The split every selected image already has is checked."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu

from pixelproof.core.edits import SetImageSplit
from pixelproof.core.split_names import CANONICAL, split_of
from pixelproof.ui.document import Document


def add_split_actions(menu: QMenu, document: Document, ids: list[int]) -> None:
    """After a separator: set the split of ``ids`` to train, val or test, or to none (cleared); checked:
    the split they all have, so "none" reads as a state, not a command already done."""
    menu.addSeparator()
    images = document.project.images
    current = {split_of(images[i]) for i in ids if i in images}
    n = len(ids)
    for split in (*CANONICAL, None):
        if split is None:
            text = "Set split to none" if n == 1 else f"Set {n} images to no split"
        else:
            text = f"Set split to {split}" if n == 1 else f"Set {n} images to {split}"
        act = menu.addAction(text)
        act.setObjectName(f"setSplit_{split or 'none'}")
        act.setCheckable(True)
        act.setChecked(current == {split})
        act.triggered.connect(lambda _=False, s=split: set_split(document, ids, s))


def set_split(document: Document, ids: list[int], split: str | None) -> None:
    """One undo step for the images whose split changes; none when every one already has it."""
    images = document.project.images
    todo = [i for i in ids if i in images and split_of(images[i]) != split]
    if todo:
        document.push(SetImageSplit(todo, split))
