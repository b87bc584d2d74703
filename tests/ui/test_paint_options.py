"""The app-wide mask-tool settings tell their listeners of changes without keeping them alive."""

from __future__ import annotations

import gc
import weakref

from pixelproof.ui.tools.paint_options import PaintOptions


class Listener:
    def __init__(self) -> None:
        self.calls = 0

    def changed(self) -> None:
        self.calls += 1


def test_a_method_listener_is_held_weakly_and_dropped_with_its_object() -> None:
    options = PaintOptions()
    kept, dropped = Listener(), Listener()
    options.listen(kept.changed)
    options.listen(kept.changed)  # once only
    options.listen(dropped.changed)
    gone = weakref.ref(dropped)
    del dropped
    gc.collect()
    assert gone() is None  # the settings did not keep it (a closed window's menu, with its window)
    options.set(width=25)
    options.set(width=25)  # no change: nobody is told
    assert kept.calls == 1 and len(options._listeners) == 1
    options.unlisten(kept.changed)
    options.set(width=7)
    assert kept.calls == 1


def test_a_function_listener_is_kept() -> None:
    options = PaintOptions()
    seen: list[int] = []
    options.listen(lambda: seen.append(options.width))
    gc.collect()
    options.set(width=41)
    assert seen == [41]
