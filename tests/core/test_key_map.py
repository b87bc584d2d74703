"""The key map without Qt: the keys in force once a user's keys lie over the defaults, the keys a whole
key map (an imported file) would take from another action, and the key map file read strictly (a hostile
file refused whole, every problem located)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pixelproof.core.key_map import (
    MAX_BYTES,
    KeyMapError,
    dump_key_map,
    keys_in_force,
    parse_key_map,
    read_key_map,
    refused_keys,
    shared_keys,
    write_key_map,
)

DEFAULTS = {
    "file.save": ["Ctrl+S"],
    "tool.box": ["B", "Ctrl+R"],
    "image.next": ["D"],
    "image.previous": ["A"],
}
FIXED = {"Space": "canvas.pan", "1": "edit.category"}
EDITABLE = list(DEFAULTS)
KNOWN = [*EDITABLE, *FIXED.values()]


def normalize(text: str) -> str | None:
    """A stand-in for Qt's parser: modifiers and one key, modifiers capitalised, no unknown names."""
    *mods, key = text.split("+")
    if not key or any(m.capitalize() not in ("Ctrl", "Alt", "Shift") for m in mods) or len(key) > 9:
        return None
    return "+".join([*(m.capitalize() for m in mods), key.upper() if len(key) == 1 else key])


def parse(body: object) -> dict[str, list[str]]:
    return parse_key_map(json.dumps(body), "team.json", EDITABLE, normalize, KNOWN)


def keymap(keys: dict) -> dict:
    return {"format": "pixelproof-keys", "version": 1, "keys": keys}


def test_a_users_keys_replace_the_defaults_and_reset_gives_them_back() -> None:
    users = {"file.save": ["Ctrl+Alt+S"], "image.previous": []}
    assert keys_in_force(DEFAULTS, users, FIXED) == {
        "file.save": ["Ctrl+Alt+S"],
        "tool.box": ["B", "Ctrl+R"],
        "image.next": ["D"],
        "image.previous": [],
    }
    reset = {k: v for k, v in users.items() if k != "file.save"}  # one row back to its default
    assert keys_in_force(DEFAULTS, reset, FIXED)["file.save"] == ["Ctrl+S"]
    assert keys_in_force(DEFAULTS, {}, FIXED) == DEFAULTS  # reset all


def test_a_key_does_one_thing_whatever_the_settings_say() -> None:
    """A user's key wins over another's default; of two user keys alike the first keeps it; a fixed key
    is never a user's."""
    users = {"tool.box": ["D", "Space"], "image.previous": ["D", "Ctrl+R"]}
    force = keys_in_force(DEFAULTS, users, FIXED)
    assert force["tool.box"] == ["D"] and force["image.previous"] == ["Ctrl+R"] and force["image.next"] == []
    assert shared_keys(force) == []
    assert shared_keys({"a": ["X", "Y"], "b": ["Y"], "c": ["X", "X"]}) == [
        ("X", ["a", "c"]),
        ("Y", ["a", "b"]),
    ]


def test_a_key_map_that_takes_another_actions_key_is_refused_naming_it() -> None:
    assert refused_keys(DEFAULTS, {"tool.box": ["D"]}, FIXED) == [("tool.box", "D", "image.next")]
    assert refused_keys(DEFAULTS, {"tool.box": ["Space"]}, FIXED) == [("tool.box", "Space", "canvas.pan")]
    both = {"tool.box": ["Y"], "file.save": ["Y"]}
    assert refused_keys(DEFAULTS, both, FIXED) == [("file.save", "Y", "tool.box")]
    # a swap named whole: D and A exchanged is no conflict
    assert refused_keys(DEFAULTS, {"image.next": ["A"], "image.previous": ["D"]}, FIXED) == []


def test_a_key_map_file_round_trips_and_spells_keys_as_the_parser_does(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    write_key_map(path, {"file.save": ["Ctrl+Alt+S"], "image.previous": []})
    assert read_key_map(path, EDITABLE, normalize, KNOWN) == {
        "file.save": ["Ctrl+Alt+S"],
        "image.previous": [],
    }
    assert parse(keymap({"tool.box": ["ctrl+y", "Ctrl+Y"]})) == {"tool.box": ["Ctrl+Y"]}
    assert json.loads(dump_key_map({}))["keys"] == {}


@pytest.mark.parametrize(
    ("body", "located"),
    [
        (keymap({"file.sav": ["Ctrl+S"]}), 'team.json: keys["file.sav"]: no such action'),
        (keymap({"canvas.pan": ["X"]}), 'team.json: keys["canvas.pan"]: its keys cannot be changed'),
        (keymap({"file.save": "Ctrl+S"}), 'team.json: keys["file.save"]: a list of key texts was expected'),
        (keymap({"file.save": [5]}), 'team.json: keys["file.save"]: a list of key texts was expected'),
        (
            keymap({"file.save": ["Ctrl+Foo+S"]}),
            "team.json: keys[\"file.save\"][0]: 'Ctrl+Foo+S' is not one key",
        ),
        (keymap({"file.save": ["x" * 10_000]}), 'team.json: keys["file.save"][0]:'),
        (keymap({"file.save": ["A", "B", "C", "D", "E"]}), 'team.json: keys["file.save"]: 5 keys; at most 4'),
        (keymap(["file.save"]), "team.json: “keys” must be an object"),
        ([1, 2], "team.json: a JSON object was expected, not a list"),
        ({"keys": {}}, "team.json: “format” is None"),
        ({**keymap({}), "version": 2}, "team.json: “version” 2 is not 1"),
        ({**keymap({}), "extra": 1}, "team.json: unknown field “extra”"),
    ],
)
def test_a_bad_key_map_is_refused_with_where(body: object, located: str) -> None:
    with pytest.raises(KeyMapError) as e:
        parse(body)
    assert located in str(e.value)
    assert len(str(e.value)) < 2000  # a huge bad value quoted short


def test_every_problem_is_named_and_not_only_the_first() -> None:
    with pytest.raises(KeyMapError) as e:
        parse(keymap({"nope": [], "file.save": ["Ctrl+"], **{f"x{i}": [] for i in range(20)}}))
    lines = str(e.value).splitlines()
    assert "nope" in lines[0] and "file.save" in lines[1] and lines[-1] == "... and 14 more"


@pytest.mark.parametrize(
    ("text", "located"),
    [
        ('{"format": "pixelproof-keys",\n "keys": {,}}', "team.json: line 2, column 11: not JSON"),
        ('{"keys": {}, "keys": {}}', "team.json: “keys” is named twice"),
        ("[" * 100_000, "team.json: not JSON"),
        ("", "team.json: line 1, column 1: not JSON"),
    ],
)
def test_text_that_is_not_a_key_map_is_refused_with_where(text: str, located: str) -> None:
    with pytest.raises(KeyMapError, match="^" + located.replace("(", r"\(")):
        parse_key_map(text, "team.json", EDITABLE, normalize, KNOWN)


def test_a_huge_or_unreadable_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    huge.write_text(json.dumps(keymap({})) + " " * MAX_BYTES)
    with pytest.raises(KeyMapError, match=f"^{huge}: larger than"):
        read_key_map(huge, EDITABLE, normalize, KNOWN)
    with pytest.raises(KeyMapError, match="not UTF-8"):
        (tmp_path / "bin.json").write_bytes(b"\xff\xfe\x00")
        read_key_map(tmp_path / "bin.json", EDITABLE, normalize, KNOWN)
    with pytest.raises(KeyMapError, match=r"missing\.json"):
        read_key_map(tmp_path / "missing.json", EDITABLE, normalize, KNOWN)
    if hasattr(os, "mkfifo"):  # a FIFO would block a plain open() forever
        os.mkfifo(tmp_path / "pipe.json")
        with pytest.raises(KeyMapError, match=r"pipe\.json"):
            read_key_map(tmp_path / "pipe.json", EDITABLE, normalize, KNOWN)


def test_hostile_key_maps_are_refused_whole_located_on_one_line_each() -> None:
    """A map of 10**5 entries (each named, the message cut at MAX_PROBLEMS), a value nested 10**4 levels, an
    action named twice inside ``keys``, empty ids and keys, and ids of 10,000 characters, a line break or a
    bidi override (quoted on one short line): each refused, located, nothing returned."""
    many = keymap({f"a{i}": ["X"] for i in range(100_000)})
    with pytest.raises(KeyMapError) as e:
        parse(many)
    assert len(e.value.problems) == 100_000 and str(e.value).endswith(f"... and {100_000 - 8} more")
    deep = '{"format": "pixelproof-keys", "version": 1, "keys": {"file.save": ' + "[" * 10_000 + "]" * 10_000
    with pytest.raises(KeyMapError, match=r"^team\.json: not JSON"):
        parse_key_map(deep + "}}", "team.json", EDITABLE, normalize, KNOWN)
    twice = '{"format": "pixelproof-keys", "version": 1, "keys": {"file.save": [], "file.save": ["X"]}}'
    with pytest.raises(KeyMapError, match=r"^team\.json: “file\.save” is named twice"):
        parse_key_map(twice, "team.json", EDITABLE, normalize, KNOWN)
    with pytest.raises(KeyMapError) as e:
        parse(keymap({"": ["X"], "file.save": [""], "x" * 10_000: [], "a\nb\u202ec": []}))
    lines = str(e.value).splitlines()
    assert lines[0] == 'team.json: keys[""]: no such action'
    assert lines[1] == "team.json: keys[\"file.save\"][0]: '' is not one key (such as “Ctrl+Shift+S”)"
    assert lines[2].startswith('team.json: keys["xxxx') and len(lines[2]) < 120
    assert lines[3] == 'team.json: keys["a\\nb\\u202ec"]: no such action' and len(lines) == 4


def test_a_file_of_100_mb_is_refused_reading_only_its_bound(tmp_path: Path) -> None:
    """A (sparse) 100 MB file: refused after MAX_BYTES + 1 bytes are read, not loaded whole."""
    big = tmp_path / "big.json"
    with big.open("wb") as f:
        f.write(json.dumps(keymap({})).encode())
        f.truncate(100 << 20)
    with pytest.raises(KeyMapError, match=f"^{big}: larger than {MAX_BYTES:,} bytes"):
        read_key_map(big, EDITABLE, normalize, KNOWN)
