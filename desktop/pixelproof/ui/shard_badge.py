"""Whose shard is open. A project ``split`` dealt to an annotator says so where a user looks: the window
title (``ann's shard — ann.json — PixelProof``) and the status bar (``ann's shard``, its tooltip saying
what that means). An annotator handed ``bob.json`` by mistake, or a lead opening one to check it, could not
tell from the app before; and the objects added or changed there are credited to the shard's annotator when
the lead merges it (``merge_image._own``), whatever File > Your Name says (that names the change log's
author and the time spent), which the app never said."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QLabel

from pixelproof.core.names import shown_name
from pixelproof.core.shard_match import shard_annotator
from pixelproof.ui.shortcut_entry import menu_item

if TYPE_CHECKING:
    from pixelproof.core.model import Project
    from pixelproof.ui.shell import Shell


def shard_owner(project: Project | None) -> str | None:
    """The annotator whose shard ``project`` is, as one line of visible text (None: no shard)."""
    who = shard_annotator(project) if project is not None else None
    return shown_name(who) if who else None


def title_name(name: str, project: Project | None) -> str:
    """The window title's name of a project file ``name``: an annotator's shard says whose it is first."""
    who = shard_owner(project)
    return f"{who}'s shard — {name}" if who else name


def credit_text(who: str) -> str:
    """Who merging the shard credits, in words (the badge's tooltip, the Your Name dialog)."""
    return (
        f"Objects you add or change in {who}'s shard are credited to {who} when the lead merges it, "
        f"whatever name {menu_item('teams.name', 'File')} gives (that name goes in the shard's change log)"
    )


class ShardBadge(QObject):
    """The status bar's ``ann's shard`` label, shown while an annotator's shard is open."""

    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.label = QLabel()
        self.label.setObjectName("shardBadge")
        self.label.setStyleSheet("font-weight: bold")
        self.label.hide()
        shell.status_bar.addPermanentWidget(self.label)
        shell.documentChanged.connect(self.update)
        self.update()

    def update(self, *_: object) -> None:
        doc = self.shell.document
        who = shard_owner(doc.project if doc is not None else None)
        self.label.setVisible(who is not None)
        if who is None:
            return
        self.label.setText(f"{who}'s shard")
        self.label.setToolTip(
            f"This project is {who}'s shard: the images the lead's split dealt to {who}.\n"
            f"{credit_text(who)}.\nSave it and hand the file back to the lead, who merges it "
            f"({menu_item('teams.merge', 'File')})."
        )
