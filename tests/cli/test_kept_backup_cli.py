"""Every CLI save that keeps a read-only ``<name>.bak`` says so once, whichever command saved (the note
comes from the save itself: ``atomic.say_kept_backups``), not only the in-place edits of
``apply_and_save``. Mode bits decide, so this holds for root too, as the CI runs it."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.core.atomic import backup_path, kept_backup_note
from tests.core.docs import valid_doc, write

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def _read_only_backup(path: Path) -> bytes:
    """``path`` exists with a read-only ``path.bak`` beside it; the backup's bytes."""
    write(path, valid_doc())
    bak = backup_path(path)
    bak.write_bytes(b'{"old": true}')
    bak.chmod(0o444)
    return bak.read_bytes()


def _said_once(path: Path, err: str, before: bytes) -> None:
    note = kept_backup_note(path)
    assert note and err.count(f"pixelproof: warning: {note}") == 1, err
    assert backup_path(path).read_bytes() == before


def test_new_force_says_it_kept_the_read_only_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "imgs").mkdir()
    Image.fromarray(np.zeros((4, 6, 3), np.uint8)).save(tmp_path / "imgs" / "a.png")
    out = tmp_path / "p.json"
    before = _read_only_backup(out)
    assert main(["new", str(tmp_path / "imgs"), "-o", str(out), "--force"]) == 0
    _said_once(out, capsys.readouterr().err, before)


def test_convert_to_coco_says_it_kept_the_read_only_backup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write(tmp_path / "src.json", valid_doc())
    out = tmp_path / "out.json"
    before = _read_only_backup(out)
    assert main(["convert", str(src), str(out), "--from", "coco", "--to", "coco"]) == 0
    _said_once(out, capsys.readouterr().err, before)


def test_an_in_place_edit_says_it_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.json"
    before = _read_only_backup(path)
    assert main(["set-split", str(path), "val"]) == 0
    _said_once(path, capsys.readouterr().err, before)
