"""The Qt user interface: the only package that imports Qt (DESIGN.md §2).

Importing it first guards against a refcount bug of shiboken6 6.12 on CPython < 3.12: every Qt method that
returns None drops a reference to ``None`` it never took, so a long session (or repainting thousands of
items) reaches zero and aborts with "none_dealloc: deallocating None". CPython 3.12 made None immortal
(PEP 683), which hides the bug there; on 3.11 we give None a reference count it cannot run out of.
"""

from __future__ import annotations

import ctypes
import sys


def _pin_none() -> None:
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return
    refcnt = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt is the first field of every object
    if refcnt.value < 1 << 40:
        refcnt.value += 1 << 40


_pin_none()
