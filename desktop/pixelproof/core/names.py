"""Names from files and from people: which category names PixelProof makes (``MAX_CATEGORY_NAME``
characters on one line, ``check_category_name``) and how any name is shown (``shown_name``); the limits
themselves are in ``core.limits``, with the others."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping
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


def distinct_file_names(file_names: Mapping[int, str]) -> dict[int, str]:
    """Image id -> its name with as many of its folders as tell it from every other image's (whole folder
    names), for the images of a folder holding a file whose ``base_file_name`` another image shares: MVTec
    AD numbers every defect folder's images from ``000.png``, which the Images panel showed ten times over;
    now ``dent/000.png``, ``dent/001.png``, ``test/good/000.png``, ``train/good/002.png``. Every image of a
    folder shows as many folders (the most one of them needs), so a folder's name finds all of its images
    in the filter. Images absent from the result are told apart by their base name (most projects: the
    result is empty)."""
    seen_base = Counter(name.rpartition("/")[2] for name in file_names.values())  # no path made per name
    if len(seen_base) == len(file_names):
        return {}
    groups: dict[str, list[int]] = {}
    for image_id, name in file_names.items():
        if seen_base[base := name.rpartition("/")[2]] > 1:
            groups.setdefault(base, []).append(image_id)
    depth: dict[str, int] = {}  # folder -> path parts its images show
    for ids in groups.values():
        parts = {i: [p for p in file_names[i].split("/") if p] or [""] for i in ids}
        ends = {i: parts[i][-1] for i in ids}  # each name's last k parts: one more put in front each turn,
        left, k = ids, 2  # not k joined again (20,000 names differing 200 folders up: 13 s -> 5 s)
        while left:
            for i in left:
                if len(parts[i]) >= k:
                    ends[i] = f"{parts[i][-k]}/{ends[i]}"
            seen = Counter(ends[i] for i in left)
            still = []
            for i in left:
                if seen[ends[i]] == 1 or k >= len(parts[i]):
                    folder = "/".join(parts[i][:-1])
                    depth[folder] = max(depth.get(folder, 1), min(k, len(parts[i])))
                else:
                    still.append(i)
            left, k = still, k + 1
    if not any(d > 1 for d in depth.values()):
        return {}
    out = {}
    for i, name in file_names.items():
        p = [q for q in name.split("/") if q] or [""]
        if depth.get("/".join(p[:-1]), 1) > 1:
            out[i] = "/".join(p[-depth["/".join(p[:-1])] :])
    return out


_DEVICES = frozenset(
    ["con", "prn", "aux", "nul"]
    + [f"{d}{n}" for d in ("com", "lpt") for n in [*"123456789", "\u00b9", "\u00b2", "\u00b3"]]
)


def windows_device(name: str) -> bool:
    """Whether Windows takes a file called ``name`` for a device (``CON``, ``nul.json``, ``com1.d_000``: any
    case, with or without an extension, blanks before it): writing ``CON.json`` there writes to the console
    and the file is never made. A name PixelProof makes a file of must not be one."""
    return name.split(".", 1)[0].rstrip(" ").casefold() in _DEVICES


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


def blank_name_problem(name: str) -> str | None:
    """Why an imported class is said to have no name (None: it has one): empty or only blanks, as a LabelMe
    shape saved with no label. Kept all the same (COCO files from other tools name one "", a taxonomy
    carries it), but no list, menu or export can name it."""
    if name.strip():
        return None
    return "is blank: a class needs a visible name" if name else "is empty: a class needs a name"


def check_category_name(name: str, where: str = "") -> None:
    """A category name a person makes in PixelProof: ``LimitError`` naming the problem and the name
    (shortened) when ``category_name_problem`` finds one, or when it is not UTF-8 text."""
    problem = category_name_problem(name)
    if problem is not None:
        raise LimitError(where, f"category name “{shown_name(name, 60)}” {problem}")
    check_text(name, where, "category name")


MAX_ANNOTATOR_NAME = 64  # characters
MAX_ANNOTATOR_BYTES = 128  # UTF-8 bytes, composed and decomposed (macOS's HFS+ stores names decomposed)
_NAME_PUNCTUATION = "._-"
# letters and marks that show nothing: the grapheme joiner, the Hangul fillers, the variation selectors
_BLANK_LETTERS = frozenset(
    "\u034f\u115f\u1160\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
    + "".join(map(chr, range(0xE0100, 0xE01F0)))
)


def annotator_name(name: str) -> str:
    """An annotator's name in one Unicode form (NFC): 'Björn' typed on macOS (o + combining diaeresis) and
    on Linux (one 'ö') is one annotator, one shard file and one author."""
    return unicodedata.normalize("NFC", name)


def annotator_name_problem(name: str) -> str | None:
    """Why ``name`` (in NFC, ``annotator_name``) cannot be an annotator's (None: it can): it becomes a file
    name, ``<name>.json``, on Linux, macOS and Windows, and an ``author`` in every change log. Letters of any
    script (Björn, 张伟, Анна), digits, '.', '_' and '-'; a letter or digit first, no '.' last (Windows
    drops it); no device name (CON, NUL, COM1); at most ``MAX_ANNOTATOR_NAME`` characters and
    ``MAX_ANNOTATOR_BYTES`` bytes."""
    if not name:
        return "is empty"
    bad = next((c for c in name if not _name_character(c)), None)
    if bad is not None:
        if _unseen(bad) or bad in _BLANK_LETTERS or unicodedata.category(bad) == "Cf":
            return f"holds an invisible character ({_escaped(bad)}), which can hide or reverse text"
        what = "a space" if bad.isspace() else f"'{bad}'"
        return f"holds {what}: use letters, digits, '.', '_' or '-'"
    if not unicodedata.category(name[0]).startswith(("L", "N")):
        return "must start with a letter or a digit"
    if name.endswith("."):
        return "ends in '.', which Windows drops from a file name"
    if len(name) > MAX_ANNOTATOR_NAME:
        return f"is {len(name)} characters long (at most {MAX_ANNOTATOR_NAME})"
    size = max(len(name.encode("utf-8")), len(unicodedata.normalize("NFD", name).encode("utf-8")))
    if size > MAX_ANNOTATOR_BYTES:
        return f"is {size} bytes long in UTF-8 (at most {MAX_ANNOTATOR_BYTES})"
    if windows_device(name):
        return f"is a name Windows keeps for a device ({name}.json would be no file)"
    return _mixed_lookalikes(name)


_LOOKALIKE_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC")


def _mixed_lookalikes(name: str) -> str | None:
    """Why ``name`` mixes Latin, Greek and Cyrillic letters (None: it does not). 'Аnna' with a Cyrillic 'А'
    looks like 'Anna' but is another annotator, file and author; as browsers do for domain names (UTS #39),
    one name keeps to one of these scripts. Other scripts mix freely ('李Anna')."""
    seen: dict[str, str] = {}
    for c in name:
        if c.isalpha():
            script = unicodedata.name(c, "").split(" ")[0]
            if script in _LOOKALIKE_SCRIPTS:
                seen.setdefault(script, c)
    if len(seen) < 2:
        return None
    first, second = sorted(seen, key=lambda s: name.index(seen[s]))[:2]
    return (
        f"mixes {first.title()} and {second.title()} letters ('{seen[first]}' and '{seen[second]}' "
        "look alike across them): type it in one script"
    )


def _name_character(c: str) -> bool:
    """A letter (with its combining marks), a decimal digit, '.', '_' or '-'."""
    if c in _BLANK_LETTERS:
        return False
    return c in _NAME_PUNCTUATION or unicodedata.category(c) in ("Nd", "Mn", "Mc") or c.isalpha()
