"""Names from files and from people: which category names PixelProof makes (``MAX_CATEGORY_NAME``
characters on one line, ``check_category_name``) and how any name is shown (``shown_name``); the limits
themselves are in ``core.limits``, with the others."""

from __future__ import annotations

import unicodedata
from pathlib import PurePosixPath

from pixelproof.core.limits import MAX_CATEGORY_NAME, NAME_SHOWN, LimitError, check_text

_DIRECTION_MARKS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _unseen(c: str) -> bool:
    """A character that changes how the text around it is laid out instead of showing: a control
    character, a line or paragraph separator, a bidi embedding, override or mark."""
    return unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in _DIRECTION_MARKS


def _escaped(c: str) -> str:
    return _ESCAPES.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def shown_name(name: str, limit: int = NAME_SHOWN) -> str:
    """``name`` (a category's, an attribute's) as one line of visible text: at most ``limit`` characters
    and "…", control characters as escapes (``\\n``, ``\\x1b``, ``\\u202e``). For display and messages
    only: the stored name is never changed, and two names differing by a line break or a space stay
    told apart."""
    cut = name[:limit]
    if any(_unseen(c) for c in cut):
        cut = "".join(_escaped(c) if _unseen(c) else c for c in cut)
    return cut + "…" if len(name) > limit else cut


FILE_NAME_SHOWN = 120  # characters of a file name a report shows at most (its whole in the JSON)


def short_file_name(name: str, limit: int = FILE_NAME_SHOWN) -> str:
    """``name`` (a file name, a path) in at most ``limit`` characters and "…" for a report's text: cut in
    the middle, so its start (the folder) and its end (the stem's end and the extension: which file)
    both show, as the app's Images list elides it. Markup and controls are the caller's (``html_text``)."""
    if len(name) <= limit:
        return name
    tail = min(len(name) // 2, limit // 2)
    return name[: limit - tail] + "…" + name[len(name) - tail :]


def base_file_name(file_name: str) -> str:
    """The last part of a project's file name (``images/img1.png``: ``img1.png``), as
    ``PurePosixPath(file_name).name`` gives it, without making a path for the usual name: the Images panel
    shows it and its filter searches it, and a path per image was 0.13 s of the first keystroke over
    100,000 images. A name ending in '/' or '/.' (pathlib drops those parts) is left to pathlib."""
    tail = file_name.rpartition("/")[2]
    return tail if tail and tail != "." else PurePosixPath(file_name).name


def category_name_problem(name: str) -> str | None:
    """Why PixelProof would not make a category called ``name`` (None: it would): over
    ``MAX_CATEGORY_NAME`` characters, or holding a character that is not shown (``shown_name``)."""
    if len(name) > MAX_CATEGORY_NAME:
        return f"is {len(name):,} characters long (a name made in PixelProof has at most {MAX_CATEGORY_NAME})"
    bad = next((c for c in name if _unseen(c)), None)
    if bad is None:
        return None
    if bad in "\n\r\x85" or unicodedata.category(bad) in ("Zl", "Zp"):
        what = "a line break"
    elif bad in _DIRECTION_MARKS:
        what = "a text direction control"
    else:
        what = "a control character"
    return f"holds {what} ({_escaped(bad)}); a name is one line of visible text"


def check_category_name(name: str, where: str = "") -> None:
    """A category name a person makes in PixelProof: ``LimitError`` naming the problem and the name
    (shortened) when ``category_name_problem`` finds one, or when it is not UTF-8 text."""
    problem = category_name_problem(name)
    if problem is not None:
        raise LimitError(where, f"category name “{shown_name(name, 60)}” {problem}")
    check_text(name, where, "category name")
