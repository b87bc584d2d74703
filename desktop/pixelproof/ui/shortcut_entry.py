"""One declared shortcut (``Shortcut``) and the words for where its keys act: the registry's entries, apart
from the registry (``ui.shortcuts``) that holds them, binds them to actions and keeps a user's keys."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

Std = QKeySequence.StandardKey
Keys = tuple[str | QKeySequence.StandardKey, ...]
CONTEXTS = ("window", "labeling", "review", "canvas")
VIEW_CONTEXT = "shortcut_context"  # a window's property: the context of the central view it shows
WORKS_IN = "works_in"  # a control's property: the one view it works in (no Tab stop in another: Shell)
# where a context's keys act, as Help > Shortcuts says it (its Where column, and the cell's tooltip):
# README's table names the context itself
WHERE = {
    "window": ("anywhere", "In every view"),
    "labeling": (
        "labeling view",
        "Only while the labeling view (or Annotators Side by Side) is shown: "
        "in the review view it does nothing",
    ),
    "review": ("review view", "Only in the review view (Ctrl+Tab): in the labeling view it does nothing"),
    "canvas": ("canvas", "On the canvas, by the tool in hand or a gesture (cannot be changed)"),
}
REVIEW_PANES = ("review view", "On the review view's three image panes (cannot be changed)")


@dataclass(frozen=True)
class Shortcut:
    id: str
    text: str  # menu text, with its & mnemonic (unique in its menu: a shared letter triggers nothing)
    keys: Keys = ()  # default keys: portable text ("Ctrl+S") or a platform standard key
    context: str = "window"
    editable: bool = True  # False: listed for the user (gestures, digit keys), not rebindable
    takes: tuple[str, ...] = ()  # a canvas gesture's keys that the canvas handles (no action may have them)
    note: str = ""  # what the key does beyond its name in one view (Help > Shortcuts and README say it)

    @property
    def label(self) -> str:
        """The action's name as a list shows it."""
        return self.text.replace("&", "").replace("…", "")

    @property
    def described(self) -> str:
        """Its name and, when it has one, its note: what Help > Shortcuts and README's table say."""
        return f"{self.label} ({self.note})" if self.note else self.label

    @property
    def where(self) -> tuple[str, str]:
        """Where its keys act, in words, and a sentence more (Help > Shortcuts' Where column); a gesture
        of the review view's panes says so, not "canvas"."""
        if self.context == "canvas" and self.id.startswith("review."):
            return REVIEW_PANES
        return WHERE[self.context]

    def default_sequences(self) -> list[QKeySequence]:
        """A standard key gives its platform's main binding (as ``QKeySequence(StandardKey)`` does)."""
        return [QKeySequence(k) for k in self.keys]


def _(
    id: str, text: str, keys: Keys = (), context: str = "window", editable: bool = True, note: str = ""
) -> Shortcut:
    return Shortcut(id, text, keys, context, editable, note=note)


def gesture(id: str, text: str, *how: str, takes: tuple[str, ...] = ()) -> Shortcut:
    return Shortcut(id, text, how, "canvas", editable=False, takes=takes)


def portable(seq: QKeySequence) -> str:
    return seq.toString(QKeySequence.SequenceFormat.PortableText)


def shown_context(action: QAction) -> str | None:
    """The context of the view shown by ``action``'s window (``VIEW_CONTEXT``, found up its parents or a
    widget it is added to); None when no window says (an action outside a main window acts as declared)."""
    starts: list[QObject | None] = [action.parent(), *action.associatedObjects()]
    for obj in starts:
        while obj is not None:
            shown = obj.property(VIEW_CONTEXT)
            if shown is not None:
                return str(shown)
            obj = obj.parent()
    return None


def menu_item(id: str, menu: str = "Review") -> str:
    """``Review > Export Report``: an action's menu path as the menu shows it (its name from the shortcut
    registry, so a rename follows), what the app's text names instead of a command-line flag."""
    from pixelproof.ui.shortcuts import REGISTRY  # here: shortcuts imports this module

    return f"{menu} > {REGISTRY.get(id).label}"
