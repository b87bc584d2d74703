"""Names in terminal output are text (issue: hostile names): a category, image file or annotator name holding
a newline, an escape sequence or a right-to-left override is printed with those characters escaped, as repr
writes them, so it cannot forge a line of its own (a fake "OK" line), move the cursor or reverse what
follows. Checked through the real commands' printed summaries."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pixelproof.cli import main
from pixelproof.commands._common import shown
from pixelproof.core import masks
from pixelproof.core.coco import save_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project

FORGED = "OK: 0 problems"
CAT = f"cat\n{FORGED}"
FILE = f"pic\r{FORGED}\x1b[2K.png"
SOURCE = f"bob\n{FORGED}"


def hostile(path: Path, shift: int = 0, image_id: int = 1) -> Path:
    """One image, two identical masks of the hostile category (lint finds the duplicate)."""
    p = Project()
    p.add_image(ImageRecord(image_id, FILE, 40, 30))
    p.add_category(Category(1, CAT))
    m = np.zeros((30, 40), dtype=bool)
    m[5 + shift : 20, 5:25] = True
    for k in (1, 2):
        p.add_annotation(
            Annotation(k, image_id, 1, masks.bbox(m), masks.encode(m), float(m.sum()), source=SOURCE)
        )
    save_project(p, path)
    return path


def printed(capsys: pytest.CaptureFixture[str]) -> list[str]:
    out = capsys.readouterr()
    return (out.out + out.err).split("\n")


def no_forged_line(lines: list[str]) -> None:
    """Nothing a name holds starts a line or rewrites one."""
    assert not [line for line in lines if FORGED in line.split("\\n")[0].split("\\r")[0]]
    assert not [line for line in lines if "\r" in line or "\x1b" in line]


def test_the_helper_escapes_what_moves_the_cursor_and_keeps_names_readable() -> None:
    assert shown(CAT) == repr(CAT)[1:-1]
    assert shown("a\u202ecba\x85\u2028") == "a\\u202ecba\\x85\\u2028"
    assert shown("café 猫 👩\u200d💻") == "café 猫 👩\u200d💻"  # a zero-width joiner is part of an emoji


def test_info_prints_category_and_annotator_names_escaped(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project = hostile(tmp_path / "p.json")
    assert main(["info", str(project)]) == 0
    lines = printed(capsys)
    no_forged_line(lines)
    assert any("cat\\nOK: 0 problems 2" in line for line in lines)
    assert any("bob\\nOK: 0 problems 2" in line for line in lines)


def test_lint_prints_category_and_file_names_escaped(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project = hostile(tmp_path / "p.json")
    assert main(["lint", str(project)]) == 1
    lines = printed(capsys)
    no_forged_line(lines)
    assert any("cat\\nOK: 0 problems" in line for line in lines)
    assert any("pic\\rOK: 0 problems\\x1b[2K.png" in line for line in lines)


def test_qa_prints_category_names_escaped(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    ref, cand = hostile(tmp_path / "ref.json"), hostile(tmp_path / "cand.json", shift=2)
    assert main(["qa", str(ref), str(cand)]) == 0
    lines = printed(capsys)
    no_forged_line(lines)
    assert any(line.startswith("cat\\nOK: 0 proble") for line in lines)


def test_merge_prints_file_names_in_conflicts_escaped(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Two shards with one image id each, different images: the second is renumbered, a conflict naming it."""
    a = hostile(tmp_path / "a.json")
    b = Project()
    b.add_image(ImageRecord(1, f"other\n{FORGED}.png", 40, 30))
    b.add_category(Category(1, CAT))
    save_project(b, tmp_path / "b.json")
    code = main(["merge", str(a), str(tmp_path / "b.json"), "-o", str(tmp_path / "merged.json")])
    lines = printed(capsys)
    assert code in (0, 3), lines
    no_forged_line(lines)
    assert any("other\\nOK: 0 problems.png" in line for line in lines)
