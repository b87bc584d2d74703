"""``pixelproof log`` printed a hand-edited 100,000-character edit label whole, a screen of text for one
entry: the text output shows each label on one line of at most ``NAME_SHOWN`` characters and ``…``; the
``--json`` output keeps the log as stored."""

from __future__ import annotations

import json
from pathlib import Path

from pixelproof.cli import main
from pixelproof.core import history
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.limits import NAME_SHOWN
from tests.core.teams_data import box_annotation, make_project

HUGE = "Rename class " + "very long name " * 6700 + "\nrm -rf ~"  # 100,000+ characters, a line break in it
NORMAL = "Add box “lesion”"


def test_a_huge_edit_label_is_cut_to_one_short_line_and_a_normal_one_is_whole(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    p = make_project(tmp_path, 1)
    save_project(p)
    p = load_project(p.path)
    p.add_annotation(box_annotation(50, 1, 1, [1, 1, 4, 4]))
    history.note(p, edit=NORMAL)
    history.note(p, edit=HUGE)  # as a hand edit of the log would leave it
    save_project(p)
    capsys.readouterr()

    assert main(["log", str(p.path), "-n", "1"]) == 0
    head, labels = capsys.readouterr().out.splitlines()  # the entry's line and its edits' line, no more
    assert head.startswith("#") and labels.startswith(f"    {NORMAL}; Rename class very long name")
    huge_shown = labels.split("; ", 1)[1]
    assert huge_shown.endswith("…") and len(huge_shown) == NAME_SHOWN + 1

    assert main(["log", str(p.path), "-n", "1", "--json"]) == 0
    (entry,) = json.loads(capsys.readouterr().out)
    assert entry["edits"] == [NORMAL, HUGE]  # the data as stored
