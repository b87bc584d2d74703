"""The Qt user interface: the only package that imports Qt (DESIGN.md §2).

PySide6 is pinned below 6.12 in pyproject.toml: shiboken6 6.12.0 drops a reference to ``None`` on every
Qt call that returns nothing, which aborts CPython 3.11 ("none_dealloc") after a few thousand calls.
"""
