"""Limits and path rules, in one place: what PixelProof refuses to read, decode or write, and why.

Every reader, loader, exporter and command calls these checks; a violation raises ``LimitError`` (a
``ValueError``) whose message names the file or JSON location, the value and the limit, so bad input
becomes one clear line instead of a native crash, a hang or gigabytes of memory. The limits guard
against crashes, not against unusual data.

Sizes
    ``max_pixels()``: pixels decoded at once (default ``DEFAULT_MAX_PIXELS`` = 2**28, e.g. 16384 x 16384).
    Raised by ``PIXELPROOF_MAX_PIXELS`` in the environment, by ``set_max_pixels`` (the CLI's
    ``--max-pixels`` option and the app's setting call it). Tiled pyramids read tile by tile check
    each tile, not the whole slide. ``parse_pixel_count("300M")`` reads the option's value.
    ``check_image_size(width, height, where)``: positive integer sides, at most ``MAX_SIDE`` each, and
    at most ``max_pixels()`` pixels - call it with the *header* size before decoding anything.
    ``check_declared_size(width, height, where)``: what a project may declare for an image it does not
    decode at once (sides up to ``MAX_SIDE``).
    ``check_rle_size(height, width, where)``: pycocotools counts RLE runs in 32-bit integers, so an RLE
    covers fewer than ``RLE_MAX_PIXELS`` (2**32) pixels; masks on bigger images are stored cropped
    (docs/format.md, ``rle_origin``).

Numbers
    ``check_id(value, where)``: an integer id in the signed 64-bit range.
    ``check_finite(value, where)``: a finite int or float (not bool), returned as float.
    ``coordinate_range(side)``: coordinates may lie outside the image by ``COORD_MARGIN`` image sides
    (at least 1024 px; the problem finder reports out-of-bounds shapes);
    ``check_coordinates(xy, width, height, where)``.
    ``check_polygon_work(polygons, where)``: pycocotools rasterizes a polygon by walking its outline at
    5x resolution; outlines longer than ``MAX_OUTLINE`` px are refused before that allocates.
    ``MAX_VERTICES``: positions one object's outline may have when read from a file (a QuPath brush
    annotation has ~10,000): more is a broken or hostile file, refused before any array is made.

Structure
    ``read_text(path)``: a text file a user names, bounded, from a regular file.
    ``read_yaml(path)``: a small YAML file (``MAX_YAML_BYTES``) without aliases, from a regular file.
    ``read_lines(f, where, max_bytes)``: the lines of a file written a line at a time, each read with a
    bound (``MAX_JOURNAL_LINE`` for a resumable job's journal), so a line of gigabytes is refused, naming
    its number, before more of it than the bound is read.
    ``MAX_CLASSES``: the longest class list a dataset file may declare. ``MAX_NESTING_TESTS``: ring
    containment tests an RT Structure Set file may cost to nest its contours into holes (read or written).
    ``MAX_JSON_DEPTH``: nesting of any JSON value kept as it was read (orjson writes at most 254
    levels, so anything deeper could be loaded but never saved); ``check_json_depth(value, where)``. Also
    the levels a GeoJSON file may nest, counted on its bytes as read (``json_nesting``).
    ``short_repr(value)``: a value quoted in a message, never megabytes long.
    ``MAX_KEYPOINTS``: the keypoints (named parts) one category's skeleton or one object may have (COCO
    person: 17, whole-body: 133): every object of a category holds a triple per name, so 10**5 names made
    objects x names slots. ``check_keypoint_count(count, where)``; a reader refuses such a skeleton for its
    category (its objects' points kept as read, said) and ``core.keypoints`` reads no keypoints past it.
    ``MAX_NOTE``: the characters a review note holds: the app's editor stops there and the core edit
    (``ReviewDecision``) refuses a longer one, as a longer category name is refused. A note already in a
    file may be longer (made before the limit, or by hand) and loads and saves whole: ``cut_note``
    shortens it where a page shows every note (QA's HTML); ``note_preview`` where the app shows one in a
    tooltip, a table cell or a line (with its length), the note itself kept whole.
    ``MAX_CATEGORY_NAME``: a category name made in PixelProof (typed, ``taxonomy rename``/``split``, a
    taxonomy file, ``--categories``) is one line of at most this many characters:
    ``names.check_category_name`` refuses a longer one or one holding a control character (a line
    break, a tab, a bidi override). A name read from another tool's file is kept whole (it is how that
    dataset names its class) and said in the import's report (``names.category_name_problem``);
    ``names.shown_name`` is how any name is shown: one line, control characters as visible escapes, at
    most ``NAME_SHOWN`` characters and "…" (a 10,000-character name made a canvas tag 118,602 px wide).

Files and paths
    ``check_regular_file(path, where, allow_dir=False)``: refuses FIFOs, devices, sockets and folders
    (reading them hangs or never ends); a caller may allow a folder (a DICOM series).
    ``open_regular(path, where)``: opens without blocking on a FIFO, then checks what was opened.
    ``check_inside_root(path, root, where, allow_outside=False)`` / ``is_inside(path, root)``: an
    imported dataset's images lie under the folder the user gave, judged on the *lexical* path (``..``
    resolved, symlinks not followed, so PixelProof's own exports, which may link images, re-import).
    Readers flag images outside it; exports copy or link them only when ``outside_root_allowed()``
    (``set_outside_root_allowed``, the CLI's ``--allow-outside-root``).
    ``check_output_not_input(output, inputs, where, output_is_dir)``: a derived output (a conversion, a
    report, an export) may not be, contain or lie inside what it was derived from.
"""

from __future__ import annotations

import math
import os
import re
import reprlib
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import orjson

DEFAULT_MAX_PIXELS = 2**28
ENV_MAX_PIXELS = "PIXELPROOF_MAX_PIXELS"
MAX_SIDE = 2**31 - 1  # OpenCV, Qt and numpy index with 32-bit ints along one axis
RLE_MAX_PIXELS = 2**32
RLE_ORIGIN = "rle_origin"  # pixelproof.rle_origin: [x, y] of a mask stored cropped to its box
ID_MIN, ID_MAX = -(2**63), 2**63 - 1
COORD_MARGIN = 4
MIN_MARGIN_SIDE = 256  # tiny images still allow coordinates 1024 px outside them
MAX_OUTLINE = 2**24
MAX_VERTICES = 2**22
MAX_JSON_DEPTH = 200
MAX_CLASSES = 100_000  # a class list longer than this is a broken or hostile file, not a dataset
MAX_NESTING_TESTS = 200_000  # ring containment tests per RT Structure Set file: ~20 us each, ~4 s
MAX_KEYPOINTS = 1_000  # keypoints of one skeleton or object: COCO whole-body has 133
MAX_NOTE = 2_000  # characters of a review note: a paragraph, not a pasted log (500 of them make a 1 MB page)
MAX_CATEGORY_NAME = 200  # characters of a category name made in PixelProof: a name, not a description
NAME_SHOWN = MAX_CATEGORY_NAME  # characters of a name shown at most, then "…" (its whole in the file)
NAME_IN_TEXT = 60  # characters of a name quoted in a sentence (a message, an undo step's label), then "…"
MAX_YAML_BYTES = 1 << 20  # data.yaml and rules files are a few lines
# a line of a resumable job's journal (a part's record: a few KB; its failures and new categories, a few MB
# for a part of thousands of pictures failing), and its manifest (digests and options: a few KB)
MAX_JOURNAL_LINE = 64 << 20
MAX_TILE_SIDE = 8192  # a TIFF tile larger than this is not a tile: refuse rather than decode gigabytes
MAX_JPEG_SCANS = 500  # a progressive JPEG has about 10; each scan is a pass over the whole picture
RAISE_HINT = f"raise it with --max-pixels, the app's Image > Pixel Limit or {ENV_MAX_PIXELS}"
_override: int | None = None
_outside_root_allowed = False
_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlist = _repr.maxdict = _repr.maxtuple = 6
_repr.maxlevel = 3


class LimitError(ValueError):
    """Input over a limit or against a path rule; the message names where, the value and the limit."""

    def __init__(self, where: str, message: str) -> None:
        self.where = str(where)
        self.message = message
        super().__init__(f"{self.where}: {message}" if self.where else message)


def short_repr(value: Any) -> str:
    """``repr`` bounded in length and depth, for quoting bad values in messages."""
    try:
        return _repr.repr(value)
    except RecursionError:  # pragma: no cover - reprlib stops at maxlevel
        return "<deeply nested value>"


# ------------------------------------------------------------------------------------------------
# sizes


def cut_note(text: str) -> str:
    """``text`` when at most ``MAX_NOTE`` characters, else its first ``MAX_NOTE`` and "…": a page listing
    hundreds of notes stays readable and small, whatever a note made outside the app holds."""
    return text if len(text) <= MAX_NOTE else text[:MAX_NOTE] + "…"


NOTE_SHOWN = 300  # characters of a note a tooltip, table cell or line of the app shows


def note_preview(text: str) -> str:
    """``text`` when at most ``NOTE_SHOWN`` characters, else its start, "…" and its length ('… (10,000
    characters)'): a note made before ``MAX_NOTE``, or outside the app, is kept whole but never spread
    across the screen, and the reader sees there is more."""
    return text if len(text) <= NOTE_SHOWN else f"{text[:NOTE_SHOWN]}… ({len(text):,} characters)"


def parse_pixel_count(text: str | int) -> int:
    """A pixel count as users write it: ``300000000``, ``300M``, ``1.5G``, ``2**30``; raises ValueError."""
    if isinstance(text, int) and not isinstance(text, bool):
        value = text
    else:
        s = str(text).strip().replace("_", "").replace(",", "")
        scale = {"k": 10**3, "m": 10**6, "g": 10**9}.get(s[-1:].lower(), 1)
        if scale != 1:
            s = s[:-1]
        try:
            if "**" in s:
                base, _, exp = s.partition("**")
                value = int(base) ** int(exp)
            else:
                f = float(s)
                if not math.isfinite(f):
                    raise ValueError
                value = int(f * scale)
        except (ValueError, OverflowError):
            raise ValueError(
                f"expected a pixel count such as 300000000, 300M or 2**30, got {text!r}"
            ) from None
    if value <= 0:
        raise ValueError(f"a pixel count must be positive, got {text!r}")
    return value


def set_max_pixels(value: int | None) -> None:
    """Set the pixel limit for this process (None: back to the environment or the default)."""
    global _override
    if value is not None and value <= 0:
        raise ValueError(f"max pixels must be positive, got {value}")
    _override = value


def max_pixels() -> int:
    """Pixels decoded at once: ``set_max_pixels``, else ``PIXELPROOF_MAX_PIXELS``, else the default."""
    if _override is not None:
        return _override
    env = os.environ.get(ENV_MAX_PIXELS)
    if env:
        try:
            return parse_pixel_count(env)
        except ValueError:
            pass  # a broken variable must not stop the app; the default applies
    return DEFAULT_MAX_PIXELS


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def check_declared_size(width: Any, height: Any, where: str) -> None:
    """Sides a file may declare: positive integers up to ``MAX_SIDE`` (no decoding implied)."""
    for name, v in (("width", width), ("height", height)):
        if not _is_int(v) or v <= 0:
            raise LimitError(where, f"{name} must be a positive integer, got {short_repr(v)}")
        if v > MAX_SIDE:
            raise LimitError(where, f"{name} {v} is over the limit of {MAX_SIDE} pixels per side")


def check_image_size(width: Any, height: Any, where: str, what: str = "image") -> None:
    """An image about to be decoded (or a full-size mask about to be made, or the box of one: ``what``)
    fits ``max_pixels()``."""
    check_declared_size(width, height, where)
    limit = max_pixels()
    if width * height > limit:
        raise LimitError(
            where,
            f"{what} of {width} x {height} = {width * height:,} pixels is over the limit of {limit:,} "
            f"pixels decoded at once ({RAISE_HINT})",
        )


def check_rle_size(height: int, width: int, where: str) -> None:
    """An RLE mask of ``height`` x ``width`` must count fewer than 2**32 pixels (pycocotools' uint32)."""
    if height * width >= RLE_MAX_PIXELS:
        raise LimitError(
            where,
            f"an RLE of {height} x {width} = {height * width:,} pixels is over pycocotools' limit of "
            f"{RLE_MAX_PIXELS - 1:,} (its counts are 32-bit); store the mask cropped to its box "
            "(pixelproof.rle_origin, see docs/format.md)",
        )


# ------------------------------------------------------------------------------------------------
# numbers


def check_id(value: Any, where: str) -> int:
    """An integer id in the signed 64-bit range (numpy and pycocotools store ids as int64)."""
    if not _is_int(value):
        raise LimitError(where, f"expected an integer id, got {short_repr(value)}")
    if not ID_MIN <= value <= ID_MAX:
        raise LimitError(where, f"id {value} is outside the signed 64-bit range [{ID_MIN}, {ID_MAX}]")
    return value


def check_finite(value: Any, where: str) -> float:
    """A finite number (int or float, not bool), as float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LimitError(where, f"expected a number, got {short_repr(value)}")
    try:
        f = float(value)
    except OverflowError:
        f = math.inf
    if not math.isfinite(f):
        raise LimitError(where, f"expected a finite number, got {short_repr(value)}")
    return f


def check_keypoint_count(count: int, where: str) -> None:
    """A skeleton (or an object's keypoints) of ``count`` points is at most ``MAX_KEYPOINTS``: each object
    of its category holds a slot per point, so more is a broken or hostile file, refused before the slots
    are made."""
    if count > MAX_KEYPOINTS:
        raise LimitError(where, f"{count:,} keypoints, over the limit of {MAX_KEYPOINTS:,}")


def surely_finite(values: Iterable[Any]) -> bool:
    """True when ``values`` (numbers, None) are all finite, seen at C speed by their sum (NaN or infinity
    makes it so; none at all are): a slide's million cells are not looked at number by number. False is
    no verdict (a sum of finite numbers that overflows, anything not a number): look one by one. The sum
    is a float from its start, so each int is taken as a float (10**400 - 10**400, summed as ints, is 0)."""
    try:
        return math.isfinite(sum(filter(None, values), 0.0))
    except (TypeError, OverflowError):  # not numbers; an int too large for a float
        return False


# ------------------------------------------------------------------------------------------------
# structure


def json_depth(value: Any, stop: int = MAX_JSON_DEPTH + 1) -> int:
    """Nesting depth of lists/dicts in ``value`` (0 for a scalar), counted level by level without
    recursion; stops counting at ``stop``."""
    depth = 0
    level = [value] if type(value) in (dict, list) else []
    while level and depth < stop:
        depth += 1
        nxt: list[Any] = []
        for v in level:
            children = v.values() if type(v) is dict else v
            nxt.extend(c for c in children if type(c) in (dict, list))
        level = nxt
    return depth


def check_text(text: str, where: str, what: str = "text") -> None:
    """``text`` can be saved as UTF-8. A file name in another encoding (``caf\\xe9.png`` on Linux reaches
    Python as ``caf\\udce9.png``) or an unpaired ``\\ud800`` escape read by a lenient JSON parser would
    make every later save of the project fail. A file name holding NUL, which no file system allows,
    would make the project refuse to load."""
    if what == "file name" and "\0" in text:
        raise LimitError(where, "file name holds a NUL character, which no file name can")
    if text.isascii():
        return
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        if what == "file name":  # ``where`` names the file (its bytes not UTF-8 shown as ``ls -b`` does)
            message = f"file name is not UTF-8 text (character {e.start + 1}): rename the file"
            raise LimitError(escaped_bytes(where), message) from None
        raise LimitError(
            where, f"{what} is not UTF-8 text (character {e.start + 1} of {short_repr(text)})"
        ) from None


def escaped_bytes(name: str) -> str:
    r"""``name``'s undecoded bytes (lone surrogates, ``\udcff``) as ``\xff``, as ``ls -b`` shows them."""
    return re.sub("[\udc80-\udcff]", lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", name)


_SCALARS = {float, int, bool, type(None)}


def check_json_depth(value: Any, where: str) -> None:
    """A kept JSON value (extras PixelProof keeps without understanding them) can be saved again: it
    nests at most ``MAX_JSON_DEPTH`` levels and holds no NaN or Infinity (JSON has neither) and no text
    that is not UTF-8 (``check_text``). Most values pass ``_surely_savable`` at C speed (a slide's
    million cells each keep their measurements); the rest are walked level by level."""
    if not _surely_savable(value):
        _walk_json(value, where)


def _walk_json(value: Any, where: str) -> None:
    level, depth = [value], 0
    while level:
        nxt: list[Any] = []
        for v in level:
            t = type(v)
            if t is float and not math.isfinite(v):
                raise LimitError(where, f"holds {v!r}: not a finite number (JSON cannot store it)")
            if t is str:
                check_text(v, where)
            elif t is dict or t is list:
                if depth >= MAX_JSON_DEPTH:
                    raise LimitError(where, f"nested deeper than {MAX_JSON_DEPTH} levels")
                if t is dict and not (set(map(type, v)) == {str} and "".join(v).isascii()):
                    for key in v:
                        check_text(str(key), where, "key")
                children = v.values() if t is dict else v
                if not (set(map(type, children)) <= _SCALARS and surely_finite(children)):
                    nxt.extend(children)
        level, depth = nxt, depth + 1


def _surely_savable(value: Any) -> bool:
    """True when orjson writes ``value`` with no ``null`` and at most ``MAX_JSON_DEPTH`` brackets: then
    ``check_json_depth`` would pass it (orjson refuses text that is not UTF-8, so also such keys, and keys
    that are not text; it writes NaN and Infinity as ``null``, so a value holding neither None nor them,
    and nesting no deeper than its brackets, is what the walk accepts). False is no verdict."""
    try:
        text = orjson.dumps(value)
    except (TypeError, orjson.JSONEncodeError):
        return False
    return b"null" not in text and text.count(b"[") + text.count(b"{") <= MAX_JSON_DEPTH


MAX_YAML_NESTING = 100  # PyYAML's time grows with the cube of the nesting: 600 levels take seconds


def yaml_nesting(text: str) -> int:
    """An upper bound of a YAML text's nesting, found without parsing it: the deepest flow brackets
    (``[``/``{`` outside quotes and comments) plus half the deepest indentation in columns."""
    import re

    bare = re.sub(r"'[^'\n]*'|\"(?:[^\"\\\n]|\\.)*\"|(?:^|(?<=\s))#[^\n]*", "", text)
    flow = depth = 0
    for bracket in re.findall(r"[\[\]{}]", bare):
        depth += 1 if bracket in "[{" else -1
        flow = max(flow, depth)
    indent = max((len(line) - len(line.lstrip(" ")) for line in text.splitlines()), default=0)
    return flow + indent // 2  # two columns per block level, as YAML is usually indented


def read_text(path: str | os.PathLike[str], where: str | None = None, max_bytes: int = MAX_YAML_BYTES) -> str:
    """A text file a user names (UTF-8, a BOM allowed), from a regular file (a FIFO is refused without
    blocking) of at most ``max_bytes``. Raises ``LimitError`` naming ``where``, or ``OSError``."""
    where = where if where is not None else str(path)
    with open_regular(path, where) as f:
        raw = f.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise LimitError(where, f"larger than {max_bytes:,} bytes; refused")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise LimitError(where, f"not UTF-8 text (byte {e.start})") from None


def read_lines(f: BinaryIO, where: str, max_bytes: int) -> Iterator[bytes]:
    """The lines of ``f`` (each with its newline; a last one without it is as it was read: an append cut
    short), none longer than ``max_bytes`` without its newline: a longer one raises ``LimitError`` naming
    ``where`` and its line number once ``max_bytes`` + 1 of its bytes are read, never the rest of it."""
    number = 0
    while piece := f.readline(min(max_bytes + 1, 1 << 20)):
        number += 1
        pieces, size = [piece], len(piece)  # in pieces: ``readline(limit)`` holds twice what it reads
        while not piece.endswith(b"\n") and size <= max_bytes and (piece := f.readline(1 << 20)):
            pieces.append(piece)
            size += len(piece)
        if size > max_bytes and not (size == max_bytes + 1 and pieces[-1].endswith(b"\n")):
            raise LimitError(f"{where}: line {number}", f"longer than {max_bytes:,} bytes; refused")
        yield pieces[0] if len(pieces) == 1 else b"".join(pieces)


def read_yaml(path: str | os.PathLike[str], where: str | None = None, max_bytes: int = MAX_YAML_BYTES) -> Any:
    """A small YAML file, safely: a regular file (a FIFO is refused without blocking) of at most
    ``max_bytes``, UTF-8, without anchors/aliases (an alias bomb expands a few lines into gigabytes).
    Raises ``LimitError`` for those, ``ValueError`` for YAML that does not parse, ``OSError``."""
    import yaml

    where = where if where is not None else str(path)
    text = read_text(path, where, max_bytes)
    nesting = yaml_nesting(text)
    if nesting > MAX_YAML_NESTING:
        raise LimitError(where, f"YAML nested {nesting} levels deep (at most {MAX_YAML_NESTING} are read)")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10x faster on long lists
    try:
        if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(text, Loader=loader)):
            raise LimitError(where, "YAML aliases (*name) are not accepted (they can expand without bound)")
        return yaml.load(text, Loader=loader)  # a safe loader (C or Python)
    except RecursionError:
        raise LimitError(where, "YAML nested too deeply to read") from None
    except (yaml.YAMLError, ValueError) as e:  # ValueError: an integer of more digits than int() takes
        raise ValueError(f"{where}: not valid YAML: {e}") from None


# ------------------------------------------------------------------------------------------------
# files and paths


def file_kind(mode: int) -> str:
    """What a stat mode names, for messages: "a folder", "a FIFO (named pipe)", "a device"..."""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def not_a_file(path: str | os.PathLike[str]) -> str | None:
    """What ``path`` is (``file_kind``) when it exists and is not a regular file, else None (a file, or
    nothing there yet): an output checked before a run, not refused once the run is done."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    return None if stat.S_ISREG(mode) else file_kind(mode)


def check_regular_file(
    path: str | os.PathLike[str], where: str | None = None, allow_dir: bool = False
) -> os.stat_result:
    """``path`` (symlinks followed) is a regular file - or a folder when ``allow_dir``; returns its stat.

    FIFOs, devices and sockets are refused: reading them blocks or never ends.
    Raises ``LimitError``; ``FileNotFoundError`` when it does not exist.
    """
    st = os.stat(path)
    if stat.S_ISREG(st.st_mode) or (allow_dir and stat.S_ISDIR(st.st_mode)):
        return st
    raise LimitError(
        where if where is not None else str(path), f"is {file_kind(st.st_mode)}, not a file to read"
    )


def open_regular(path: str | os.PathLike[str], where: str | None = None) -> BinaryIO:
    """Open a regular file for reading in binary; a FIFO or device is refused without blocking on it.

    Raises ``LimitError`` or the ``OSError`` of ``open``.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise LimitError(
                where if where is not None else str(path), f"is {file_kind(st.st_mode)}, not a file to read"
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def lexical_path(path: str | os.PathLike[str]) -> Path:
    """Absolute, with ``.`` and ``..`` resolved on the text, symlinks not followed."""
    return Path(os.path.normpath(os.path.abspath(path)))


def is_inside(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> bool:
    """``path`` is ``root`` or lies under it, lexically."""
    p, r = lexical_path(path), lexical_path(root)
    return p == r or r in p.parents


def set_outside_root_allowed(allowed: bool) -> None:
    """``--allow-outside-root``: exports may copy or link images that lie outside the dataset folder
    they were imported from (for this process)."""
    global _outside_root_allowed
    _outside_root_allowed = bool(allowed)


def outside_root_allowed() -> bool:
    return _outside_root_allowed


def check_inside_root(
    path: str | os.PathLike[str], root: str | os.PathLike[str], where: str, allow_outside: bool = False
) -> Path:
    """An imported dataset's file lies under its root folder (lexically); returns the lexical path.

    Raises ``LimitError`` unless ``allow_outside`` (``--allow-outside-root``).
    """
    p = lexical_path(path)
    if allow_outside or is_inside(p, root):
        return p
    raise LimitError(
        where,
        f"{path} is outside the dataset folder {lexical_path(root)}; refused "
        "(use --allow-outside-root to accept files outside it)",
    )


def same_file(a: Path, b: Path) -> bool:
    """One file or folder: same real path, same lexical path, or hard links to one file."""
    if os.path.realpath(a) == os.path.realpath(b) or lexical_path(a) == lexical_path(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _inside(a: Path, b: Path) -> bool:
    """``a`` lies strictly inside folder ``b``, by real path (symlinks followed) or lexically."""
    return (
        Path(os.path.realpath(b)) in Path(os.path.realpath(a)).parents
        or lexical_path(b) in lexical_path(a).parents
    )


def check_output_not_input(
    output: str | os.PathLike[str],
    inputs: Iterable[str | os.PathLike[str] | None],
    where: str,
    output_is_dir: bool = False,
) -> None:
    """Refuse a derived output that is an input, lies inside an input folder, or (as a folder) holds an
    input: writing it could overwrite what it is derived from.

    Explicit in-place edits of a project (``prelabel`` without ``-o``) do not call this.
    """
    out = Path(output)
    for item in inputs:
        if item is None or not Path(item).exists():
            continue
        src = Path(item)
        if same_file(out, src):
            problem = "is the input"
        elif src.is_dir() and _inside(out, src):
            problem = f"lies inside the input folder {src}"
        elif output_is_dir and _inside(src, out):
            problem = f"holds the input {src}"
        else:
            continue
        raise LimitError(where, f"{out} {problem}; writing there could overwrite it - choose another output")
