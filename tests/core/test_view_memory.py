"""The display settings kept per file stop growing: at most ``KEPT_FILES`` files' settings are kept, the
least recently used dropped first; entries an older version kept (no order) go before any used since.
The keying rule: one key per file, whatever the plane or how the path is spelt."""

from __future__ import annotations

import random
from pathlib import Path

from pixelproof.core.view_memory import KEPT_FILES, file_key, most_recent_first


def lru(events: list[str], keep: int) -> list[str]:
    """An independent reference: replay the uses, most recent last, and keep the last ``keep`` distinct."""
    seen: list[str] = []
    for e in events:
        if e in seen:
            seen.remove(e)
        seen.append(e)
    return list(reversed(seen))[:keep]


def test_replayed_uses_keep_the_most_recently_used_files_as_an_lru_does() -> None:
    rng = random.Random(7)
    events = [f"f{rng.randrange(40)}" for _ in range(500)]
    order: list[str] = []
    stored: set[str] = set()
    for e in events:
        stored.add(e)  # the settings of the file written, then the order updated
        order, dropped = most_recent_first(order, sorted(stored), used=e, keep=10)
        stored -= set(dropped)
        assert len(order) <= 10 and set(order) == stored
    assert order == lru(events, 10)


def test_entries_an_older_version_left_without_an_order_are_dropped_before_files_used_since() -> None:
    legacy = [f"old{i:03}" for i in range(KEPT_FILES + 5)]
    order, dropped = most_recent_first([], [*legacy, "new"], used="new")
    assert len(order) == KEPT_FILES and order[0] == "new" and order[1:] == legacy[: KEPT_FILES - 1]
    assert dropped == legacy[KEPT_FILES - 1 :]
    again, dropped = most_recent_first(order, order, used=legacy[3])
    assert again[0] == legacy[3] and len(again) == KEPT_FILES and dropped == []


def test_forgotten_settings_and_a_hand_edited_order_are_left_out() -> None:
    order, dropped = most_recent_first(["b", 7, None, "gone", "a", "b"], ["a", "b", "c"])
    assert order == ["b", "a", "c"] and dropped == []
    order, dropped = most_recent_first(["a"], ["a"], used="not stored")  # used but not kept: not listed
    assert order == ["a"]
    assert most_recent_first(["a", "b"], ["a", "b"], keep=-3) == ([], ["a", "b"])


def test_one_key_per_file_whatever_its_plane_or_how_its_path_is_spelt(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    f = tmp_path / "cells.ome.tif"
    key = file_key(str(f))
    assert key == file_key(str(tmp_path / "d" / ".." / "cells.ome.tif"))
    assert key == file_key(f"{f}#z=003") == file_key(f"{f}#t=1&z=000")
    assert key != file_key(str(tmp_path / "other.ome.tif"))
    assert len(key) == 20 and key.isalnum()
    file_key("bad\udcffname\x00")  # a name no file system takes still gets a key
