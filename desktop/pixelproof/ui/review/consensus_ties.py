"""The Annotators view's tie controls: the Ties box kept in the app's settings (the choice a lead made is the
next Consensus's, in this window, the next one and the next session, as the mask tools keep theirs), and
Accept / Reject All Ties: every object exactly half of the annotators drew still pending, decided in one
undo step (``core.consensus.decide_ties``), each button saying how many it decides."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QComboBox, QPushButton

from pixelproof.core.consensus import decide_ties, ties_left_pending
from pixelproof.core.wording import plural
from pixelproof.ui.settings import settings

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell

TIES_KEY = "teams/consensus_ties"


def remember_ties_box(box: QComboBox) -> None:
    """Show the kept choice (a damaged or unknown value: the default stays) and keep every change at once,
    so a choice made before a crash is kept too."""
    index = box.findData(settings().value(TIES_KEY))
    if index >= 0:
        box.setCurrentIndex(index)
    box.currentIndexChanged.connect(lambda _i: settings().setValue(TIES_KEY, box.currentData()))


class TieButtons(QObject):
    """Accept All Ties (N) and Reject All Ties (N), over the whole project: an image whose consensus was
    accepted is no overlap image any more, yet its ties still wait."""

    def __init__(self, shell: Shell, busy: Callable[[], bool]) -> None:
        super().__init__(shell)
        self.shell = shell
        self.busy = busy  # a consensus being worked out: a decision now would outdate it
        self.accept_button = QPushButton()
        self.accept_button.clicked.connect(lambda: self.decide("accepted"))
        self.reject_button = QPushButton()
        self.reject_button.clicked.connect(lambda: self.decide("rejected"))
        self.update()

    def update(self) -> None:
        """The count in each label, and the buttons on only when there is something to decide."""
        doc = self.shell.document
        n = ties_left_pending(doc.project) if doc is not None else 0
        count = f" ({n})" if n else ""
        self.accept_button.setText(f"Accept All Ties{count}")
        self.reject_button.setText(f"Reject All Ties{count}")
        for verb, b in (("Accept", self.accept_button), ("Reject", self.reject_button)):
            b.setToolTip(
                f"{verb} every object drawn by exactly half of the annotators still pending ({n}; one undo "
                "step, in every image)"
                if n
                else "No object drawn by exactly half of the annotators is pending"
            )
        for b in (self.accept_button, self.reject_button):
            b.setEnabled(bool(n) and not self.busy())

    def decide(self, decision: str) -> None:
        doc = self.shell.document
        if doc is None or self.busy():
            return
        n = ties_left_pending(doc.project)
        edit = decide_ties(doc.project, decision)
        if edit is None:
            self.shell.status("No object drawn by half of the annotators (a tie) is pending")
            return
        doc.push(edit)
        self.update()
        self.shell.status(f"{plural(n, 'tie object')} {decision} · Ctrl+Z undoes")
