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


def about(path: str | os.PathLike[str], message: str, between: str = "") -> str:
    """``path: message`` for a reader's error, without naming the path twice: most readers' messages start
    with the file they failed on already (``clip.txt: ...``), so prefixing it again read ``clip.txt:
    clip.txt: ...``. ``between`` (``cannot be read as COCO``) goes after the path either way."""
    named = os.fspath(path)
    for spelt in dict.fromkeys([named, os.path.normpath(named)]):
        if message.startswith(f"{spelt}: "):
            message = message[len(spelt) + 2 :]
            break
    return f"{named}: {between}: {message}" if between else f"{named}: {message}"
