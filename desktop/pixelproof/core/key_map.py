"""A user's key map, without Qt: which keys each action has once the user's own keys (kept in the settings,
or shared by a team as a small JSON file) are laid over the defaults, which keys two actions would share,
and the key map file itself (read strictly: a bad file is refused whole, naming where, and changes nothing).

Keys are portable key text ("Ctrl+S", "Shift+T"); the app's shortcut registry (``ui.shortcuts``) turns Qt's
key sequences into that text and back, and hands ``normalize`` to the reader to check a key's spelling.

The file, as Preferences > Keyboard exports it::

    {"format": "pixelproof-keys", "version": 1, "keys": {"file.save": ["Ctrl+Alt+S"], "view.labels": []}}

``keys`` names only the actions whose keys differ from the defaults (``[]``: no key); importing it gives
every other action its default keys, so a team member ends with the same layout as the one who exported.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from pixelproof.core.atomic import atomic_output
from pixelproof.core.limits import NAME_IN_TEXT, LimitError, read_text, short_repr
from pixelproof.core.names import shown_name

FORMAT = "pixelproof-keys"
VERSION = 1
MAX_BYTES = 64 * 1024  # ~150 actions with two keys each take under 8 KB
MAX_KEYS = 4  # keys one action may have
MAX_KEY_CHARS = 40  # "Ctrl+Alt+Shift+Meta+Backspace" is 29
MAX_PROBLEMS = 8  # problems named in one message; the rest counted

KeyMap = dict[str, list[str]]


class KeyMapError(ValueError):
    """A key map file refused: every line names the file and where in it (up to ``MAX_PROBLEMS``)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:MAX_PROBLEMS]
        more = len(problems) - len(shown)
        super().__init__("\n".join(shown + ([f"... and {more} more"] if more else [])))


def keys_in_force(
    defaults: Mapping[str, list[str]], users: Mapping[str, list[str]], fixed: Collection[str]
) -> KeyMap:
    """Each action's keys in force: the user's own (``users``, in declaration order), else its
    ``defaults``. A key does one thing only: a user's key wins over another action's default (an update
    may give an action a default the user already gave another); of two user keys alike (a hand-edited
    settings file) the first action declared keeps it; no user key takes a ``fixed`` key (the canvas's,
    the category digits)."""
    taken_by_users: dict[str, str] = {}
    out: KeyMap = {}
    for id, keys in users.items():
        if id in defaults:
            out[id] = [k for k in keys if k not in fixed and taken_by_users.get(k, id) == id]
            for k in keys:
                taken_by_users.setdefault(k, id)
    for id, keys in defaults.items():
        if id not in users:
            out[id] = [k for k in keys if k not in taken_by_users]
    return {id: out[id] for id in defaults}


def shared_keys(keys_by_id: Mapping[str, Iterable[str]]) -> list[tuple[str, list[str]]]:
    """(key, ids) for every key more than one id has, ids sorted, keys in the order first met."""
    by_key: dict[str, list[str]] = {}
    for id, keys in keys_by_id.items():
        for key in dict.fromkeys(keys):
            by_key.setdefault(key, []).append(id)
    return [(key, sorted(ids)) for key, ids in by_key.items() if len(ids) > 1]


def refused_keys(
    defaults: Mapping[str, list[str]], users: Mapping[str, list[str]], fixed: Mapping[str, str]
) -> list[tuple[str, str, str]]:
    """(id, key, owner) for every key of ``users`` that another action would keep, or that is ``fixed``
    (key -> the id of the gesture or fixed action that has it): what Preferences refuses when one key is
    pressed, for a whole key map (an imported file). ``owner`` is the id that keeps the key."""
    out: list[tuple[str, str, str]] = []
    holder: dict[str, str] = {}
    for id, keys in defaults.items():  # the defaults the key map leaves in place
        if id not in users:
            for k in keys:
                holder.setdefault(k, id)
    for id, keys in users.items():
        for k in keys:
            owner = fixed.get(k) or holder.get(k)
            if owner is not None and owner != id:
                out.append((id, k, owner))
            else:
                holder[k] = id
    return out


def parse_key_map(
    text: str,
    where: str,
    editable: Collection[str],
    normalize: Callable[[str], str | None],
    known: Collection[str] = (),
) -> KeyMap:
    """The key map a file holds: action id -> its keys as ``normalize`` spells them (None: not a key).
    Every problem is named with ``where`` and its place in the file; any problem refuses the whole file
    (``KeyMapError``): a team's layout is taken whole or not at all. ``known`` ids beyond ``editable``
    are the fixed ones (gestures, 1-9), named as such."""
    try:
        data = json.loads(text, object_pairs_hook=_no_repeats)
    except _Repeated as e:
        raise KeyMapError([f"{where}: “{e.args[0]}” is named twice in one object"]) from None
    except json.JSONDecodeError as e:
        raise KeyMapError([f"{where}: line {e.lineno}, column {e.colno}: not JSON ({e.msg})"]) from None
    except (ValueError, RecursionError):
        raise KeyMapError([f"{where}: not JSON (nested too deeply or a number too long)"]) from None
    if not isinstance(data, dict):
        raise KeyMapError([f"{where}: a JSON object was expected, not {type_name(data)}"])
    if data.get("format") != FORMAT:
        raise KeyMapError(
            [
                f"{where}: “format” is {short_repr(data.get('format'))}, not “{FORMAT}”: "
                "not a PixelProof key map"
            ]
        )
    if data.get("version") != VERSION:
        raise KeyMapError(
            [
                f"{where}: “version” {short_repr(data.get('version'))} is not {VERSION}, "
                "the one this version reads"
            ]
        )
    problems = [
        f"{where}: unknown field “{k}” (format, version, keys)"
        for k in data
        if k not in ("format", "version", "keys")
    ]
    keys = data.get("keys")
    if not isinstance(keys, dict):
        raise KeyMapError(
            [
                *problems,
                f"{where}: “keys” must be an object of action id -> list of keys, not {type_name(keys)}",
            ]
        )
    out: KeyMap = {}
    editable, known = set(editable), set(known)  # a file of thousands of ids: each looked up once
    for id, value in keys.items():
        at = f'{where}: keys["{shown_name(id, NAME_IN_TEXT)}"]'  # one line, short: an id of \n or 10**4 chars
        if id not in editable:
            problems.append(f"{at}: {'its keys cannot be changed' if id in known else 'no such action'}")
            continue
        if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
            problems.append(f"{at}: a list of key texts was expected, not {short_repr(value)}")
            continue
        if len(value) > MAX_KEYS:
            problems.append(f"{at}: {len(value)} keys; at most {MAX_KEYS}")
            continue
        parsed: list[str] = []
        for i, key in enumerate(value):
            portable = normalize(key) if len(key) <= MAX_KEY_CHARS else None
            if not portable:
                problems.append(f"{at}[{i}]: {short_repr(key)} is not one key (such as “Ctrl+Shift+S”)")
            elif portable not in parsed:
                parsed.append(portable)
        out[id] = parsed
    if problems:
        raise KeyMapError(problems)
    return out


def read_key_map(
    path: str | Path,
    editable: Collection[str],
    normalize: Callable[[str], str | None],
    known: Collection[str] = (),
) -> KeyMap:
    """``parse_key_map`` of a file (a regular file of at most ``MAX_BYTES``, UTF-8); a file that cannot be
    read is a ``KeyMapError`` naming it too."""
    where = str(path)
    try:
        text = read_text(path, where, MAX_BYTES)
    except LimitError as e:
        raise KeyMapError([str(e)]) from None
    except OSError as e:
        raise KeyMapError([f"{where}: cannot be read ({e.strerror or e})"]) from None
    return parse_key_map(text, where, editable, normalize, known)


def dump_key_map(users: Mapping[str, list[str]]) -> str:
    """The file's text for the user's own keys (only those: the rest are the defaults)."""
    body = {"format": FORMAT, "version": VERSION, "keys": {id: list(keys) for id, keys in users.items()}}
    return json.dumps(body, indent=1, ensure_ascii=False) + "\n"


def write_key_map(path: str | Path, users: Mapping[str, list[str]]) -> None:
    """Write the key map file whole or not at all (an existing file is replaced only once the new one is
    written). Raises ``OSError``."""
    with atomic_output(path, text=True) as f:
        f.write(dump_key_map(users))


def type_name(value: Any) -> str:
    """A JSON value's kind, as a message names it."""
    names = {dict: "an object", list: "a list", str: "a text", bool: "true/false", type(None): "null"}
    return names.get(type(value), "a number")


class _Repeated(ValueError):
    pass


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose names are all different: json keeps the last of two alike, silently."""
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _Repeated(k)
        out[k] = v
    return out
