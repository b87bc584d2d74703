"""``core.wording``: counts said in the singular for one, and what a read left out, said as the import
report and ``convert`` say it; no message of the program counts with "(s)"."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pixelproof
from pixelproof.core.wording import noted_counts, plural, skipped_counts


def test_one_of_a_plural_kind_is_said_in_the_singular_many_stay_plural() -> None:
    assert skipped_counts({"files": 1}) == "1 file"  # "1 files" read as a typo
    assert skipped_counts({"boxes": 1, "categories": 1, "masks": 2}) == "1 box, 1 category, 2 masks"
    assert skipped_counts({"files": 3, "invalid": 1, "point": 1}) == "3 files, 1 invalid, 1 point"
    assert skipped_counts({}) == ""


def test_plural_groups_thousands_only_when_asked() -> None:
    assert plural(12345, "pixel", thousands=True) == "12,345 pixels"
    assert plural(1, "voxel", thousands=True) == "1 voxel"
    assert plural(12345, "pixel") == "12345 pixels"  # the default output as it always was
    assert plural(3, "category") == "3 categories" and plural(2, "box") == "2 boxes"


_BY_HAND = re.compile(r"""\{['"]e?s['"] if [^}]*\}""")  # {n} image{'s' if n != 1 else ''}
_BRACKETED = re.compile(r"\b(?!https?\()\w+\((?:s|es|ies)\)")  # "object(s)", "box(es)", "categor(ies)"


def _said(tree: ast.AST) -> list[ast.Constant]:
    """The text of every string a module may show (docstrings left out: they are read in the code)."""
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
    ]


def test_no_count_is_pluralised_by_hand_or_bracketed() -> None:
    """Counts go through ``plural``: no string of the program says "1 object(s)", "2 categor(ies)" or adds
    its own "s" (``{n} image{'s' if n != 1 else ''}``); each did it its own way, and some not at all."""
    root = Path(pixelproof.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(root)
        found += [
            f"{where}:{n}: by hand" for n, line in enumerate(text.splitlines(), 1) if _BY_HAND.search(line)
        ]
        found += [
            f"{where}:{node.lineno}: {m.group()}"
            for node in _said(ast.parse(text))
            for m in _BRACKETED.finditer(node.value)
        ]
    assert found == []


def test_noted_counts_says_each_count_that_is_not_0() -> None:
    notes = {"missing": ("image file", "not found"), "overlap": ("pixel", "where objects overlap")}
    assert noted_counts({"missing": 1, "overlap": 12345}, notes) == [
        "1 image file not found",
        "12,345 pixels where objects overlap",
    ]
    assert noted_counts({"missing": 0, "overlap": 0}, notes) == []


_FLAG = re.compile(r"(?<!var\()--[a-z][a-z-]+")  # a CSS variable, var(--accent), is no flag
# where the app's own strings may name a flag: the launcher's command line (``pixelproof PATH --categories``,
# which its user typed), and the tables that translate the core's flags into the app's words
_FLAGS_ALLOWED = {
    "ui/app.py": "the launcher's own options",
    "ui/project_files.py": "the launcher's --categories, said to whoever typed it",
    "ui/import_words.py": "the Import, Export dialogs' and Model panel's translations",
    "ui/review/compute.py": "the review banner's translations (IN_APP_WORDS)",
    "ui/panels/prelabel/resume.py": "a run's recorded inputs (by flag) named as the panel's settings",
}


def test_no_string_of_the_app_tells_its_user_to_type_a_flag() -> None:
    """DESIGN: no terminal steps in the app. A string the app shows names no command-line flag
    (``--ref-format``, ``qa --json``, ``--tile SIZE``) but where it says it is the command line's, or where
    it is a translation table's (``_FLAGS_ALLOWED``); each new one goes through the app's words, the CLI's
    message kept (``ui.import_words``, ``ui.review.compute.IN_APP_WORDS``)."""
    root = Path(pixelproof.__file__).parent
    found = []
    for path in sorted((root / "ui").rglob("*.py")):
        where = path.relative_to(root).as_posix()
        if where in _FLAGS_ALLOWED:
            continue
        found += [
            f"{where}:{node.lineno}: {m.group()}"
            for node in _said(ast.parse(path.read_text(encoding="utf-8")))
            if "command line" not in node.value
            for m in _FLAG.finditer(node.value)
        ]
    assert found == []
