"""docs/*.md name modules to send a newcomer to the code (`core/merge_checks.py`, `ui.jobs.Job`,
`pixelproof.core.lint.apply.fix_edit`): a module renamed or removed leaves the map pointing at nothing, and
no other test reads it. Every module path, dotted name under a layer and bare `name.py` they mention must
exist."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "desktop" / "pixelproof"
LAYERS = "core|inference|interop|commands|ui"
CODE = re.compile(r"```.*?```|`[^`\n]+`", re.S)
# a path from the package (`core/lint/apply.py`, `ui/canvas/`, `desktop/pixelproof/cli.py`) or under tests/
PATH = re.compile(
    rf"(?<![\w./<-])(?:(?:desktop/)?pixelproof/)?(?:{LAYERS}|tests)(?:(?:/\w+)+(?:\.py|/)?|/)(?![\w<*])"
)
# a dotted name under a layer: `core.batch`, `ui.jobs.Job`, `pixelproof.core.qa.run_qa`
DOTTED = re.compile(rf"(?<![\w./-])(?:pixelproof\.)?(?:{LAYERS})(?:\.\w+)+")
BARE = re.compile(r"(?<![\w./<-])\w+\.py\b")


@cache
def top_level_names(file: Path) -> frozenset[str]:
    """The names a module defines or imports at its top level (what `module.name` can mean)."""
    names: set[str] = set()
    for node in ast.parse(file.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.If, ast.Try)):  # `if TYPE_CHECKING:` / `try: import x`
            for sub in ast.walk(node):
                if isinstance(sub, (ast.FunctionDef, ast.ClassDef)):
                    names.add(sub.name)
                elif isinstance(sub, (ast.Import, ast.ImportFrom)):
                    names |= {(a.asname or a.name).split(".")[0] for a in sub.names}
    return frozenset(names)


def path_exists(ref: str) -> Path | None:
    """The file or folder ``ref`` names, or None."""
    target = ROOT / ref if ref.startswith("tests") else PKG / re.sub(r"^(desktop/)?pixelproof/", "", ref)
    if not target.exists() and not ref.endswith(("/", ".py")):
        target = target.with_name(f"{target.name}.py")  # `ui/undo.UndoEdit`: a module and its name
    return target if target.exists() else None


def dotted_exists(ref: str) -> bool:
    """Each part of ``pixelproof.core.x.y`` is a package, a module or a name its module defines (what lies
    past a module-level name, a class's attribute, is not checked)."""
    parts = ref.removeprefix("pixelproof.").split(".")
    where = PKG / parts[0]
    for part in parts[1:]:
        if where.is_dir():
            if (where / part).is_dir() or (where / f"{part}.py").is_file():
                where = where / part if (where / part).is_dir() else where / f"{part}.py"
                continue
            return part in top_level_names(where / "__init__.py")
        return part in top_level_names(where)
    return True


def stale_names(text: str) -> list[str]:
    """The module names in a Markdown ``text``'s code spans and blocks that name nothing in the tree. A bare
    `name.py` is looked for in the folder of the last path its paragraph named (`interop/labelstudio.py`,
    then `labelstudio_rle.py`), else at the package's top (`cli.py`)."""
    stale = []
    for paragraph in re.split(r"\n\s*\n(?![^`]*```)", text):
        folder = PKG
        for span in CODE.findall(paragraph):
            for match in re.finditer(rf"{PATH.pattern}|{DOTTED.pattern}|{BARE.pattern}", span):
                ref = match.group(0)
                if PATH.fullmatch(ref) and "/" in ref:
                    found = path_exists(ref)
                    if found is None:
                        stale.append(ref)
                    elif found.is_relative_to(PKG):
                        folder = found if found.is_dir() else found.parent
                elif DOTTED.fullmatch(ref):
                    if not dotted_exists(ref):
                        stale.append(ref)
                elif BARE.fullmatch(ref) and not ((folder / ref).is_file() or (PKG / ref).is_file()):
                    stale.append(ref)
    return stale


def test_the_check_finds_a_stale_name() -> None:
    text = (
        "`core/labels.py` and `labels_old.py`; `interop/labelstudio.py`, `labelstudio_rle.py`, `cli.py`\n\n"
        "`core/nowhere.py`, `ui/canvas/`, `ui/tools/<name>.py`, `ui.jobs.Job`, `ui.jobs.NoSuchJob`,\n"
        "`pixelproof.core.lint.apply.fix_edit`, `core.gone.thing`, `tests/test_layers.py`\n\n"
        "```\nrun -> core.qa.run_qa(x)    ui/review/compute.score\n  -> gone.py\n```\n"
    )
    assert stale_names(text) == [
        "labels_old.py",
        "core/nowhere.py",
        "ui.jobs.NoSuchJob",
        "core.gone.thing",
        "gone.py",
    ]


@pytest.mark.parametrize("name", [f"docs/{p.name}" for p in sorted((ROOT / "docs").glob("*.md"))])
def test_docs_name_only_modules_that_exist(name: str) -> None:
    assert stale_names((ROOT / name).read_text(encoding="utf-8")) == [], f"{name} names modules that are gone"
