"""The main window fits a common 1366x768 laptop screen (minus title bar and taskbar), all docks shown."""

from __future__ import annotations


def test_main_window_minimum_size_fits_a_laptop_screen(window) -> None:
    hidden = [name for name, dock in window.docks.items() if not dock.isVisible()]
    assert hidden == ["problemsDock"]  # shown by Problems > Find Problems
    for dock in window.docks.values():
        dock.show()
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366, f"minimum width {hint.width()} px"
    assert hint.height() <= 700, f"minimum height {hint.height()} px (tall dock content must scroll)"
    window.resize(1366, 700)
    assert window.height() <= 700 and window.width() <= 1366
