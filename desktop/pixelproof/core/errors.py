"""An exception as one line a user can read, the same in the CLI and the app."""

from __future__ import annotations

import os


def error_text(e: BaseException) -> str:
    """``path: reason`` of a failed file operation (its ``str`` reads ``[Errno 20] Not a directory:
    PosixPath('x')``), else ``str(e)``. A copy, link or rename names both files, ``source -> target``: a
    full disk is the target's."""
    if not isinstance(e, OSError):
        return str(e)
    reason = e.strerror or str(e)
    reason = reason[:1].lower() + reason[1:]
    if e.filename is None:
        return reason
    target = f" -> {os.fsdecode(e.filename2)}" if e.filename2 is not None else ""
    return f"{os.fsdecode(e.filename)}{target}: {reason}"
