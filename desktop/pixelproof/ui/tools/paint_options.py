"""Settings shared by the mask tools (brush, eraser, fill) and the mask display, app-wide, and the assist
tool's output (the tool options bar shows each with its tool).

A plain object with change listeners rather than a QObject so it exists before the QApplication and
tools, toolbar widgets and tests all see one value. It holds a listener that is a method weakly: this
module-wide object must not keep a closed window (its menu, its tools) alive.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass, field

from pixelproof.core.paint import clamp_width, step_tolerance, step_width

ASSIST_OUTPUTS = ("mask", "polygon")  # the model's mask, or it traced as the Masks menu's mask -> polygon


@dataclass
class PaintOptions:
    width: int = 17  # brush/eraser: pixels across (``core.paint``); 17, the 2r+1 of the former radius 8
    preserve_others: bool = False  # brush/fill: leave pixels of other annotations alone
    tolerance: float = 16.0  # fill: per-channel difference in display levels (0-255 across the window)
    connectivity: int = 4  # fill: 4 or 8
    fixed_range: bool = True  # fill: compare with the seed (True) or with the neighbour (False)
    assist_output: str = "mask"  # assist: what Enter adds, one of ASSIST_OUTPUTS
    _listeners: list[Callable[[], Callable[[], None] | None]] = field(default_factory=list, repr=False)

    def set(self, **values: object) -> None:
        """Change settings and tell the listeners (toolbar widgets, brush ring)."""
        changed = False
        for key, value in values.items():
            if key.startswith("_") or not hasattr(self, key):
                raise AttributeError(key)
            if key == "width":
                value = clamp_width(value)  # type: ignore[arg-type]
            if getattr(self, key) != value:
                setattr(self, key, value)
                changed = True
        if changed:
            for ref in list(self._listeners):
                listener = ref()
                owner = getattr(listener, "__self__", None)
                if listener is None or (owner is not None and not qt_alive(owner)):  # of a closed window
                    self._listeners.remove(ref)
                    continue
                listener()

    def step_width(self, direction: int) -> None:
        """[ and ], Shift+wheel: 1 px steps up to 10 px, then about 15 % (``core.paint.WIDTH_STEPS``)."""
        self.set(width=step_width(self.width, direction))

    def step_tolerance(self, direction: int) -> None:
        """[ and ], Shift+wheel with the wand in hand: 1 level steps up to 10, then on round numbers
        (``core.paint.TOLERANCE_STEPS``)."""
        self.set(tolerance=float(step_tolerance(self.tolerance, direction)))

    def listen(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` after each change; a method is held weakly (dropped with its object)."""
        if any(ref() == callback for ref in self._listeners):
            return
        if hasattr(callback, "__self__"):
            self._listeners.append(weakref.WeakMethod(callback))  # type: ignore[arg-type]
        else:
            self._listeners.append(lambda: callback)

    def unlisten(self, callback: Callable[[], None]) -> None:
        self._listeners[:] = [ref for ref in self._listeners if ref() != callback]


def qt_alive(obj: object) -> bool:
    """False for a Qt object whose C++ side is gone (its window was closed)."""
    try:
        import shiboken6
    except ImportError:  # pragma: no cover - PySide6 always ships it
        return True
    try:
        return shiboken6.isValid(obj)
    except TypeError:  # not a Qt object
        return True


OPTIONS = PaintOptions()
