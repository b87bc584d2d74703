"""Layering rules of DESIGN.md §2 and packaging rules of §1."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_core_and_inference_do_not_import_qt() -> None:
    code = (
        "import sys, pkgutil, importlib\n"
        "import pixelproof.core, pixelproof.inference, pixelproof.interop, pixelproof.cli\n"
        "for pkg in (pixelproof.core, pixelproof.inference):\n"
        "    for m in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(pkg.__name__ + '.' + m.name)\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"Qt imported by core/inference: {out.stdout}"


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    root = REPO / "desktop"
    found = {".".join(p.parent.relative_to(root).parts) for p in (root / "pixelproof").rglob("__init__.py")}
    found.add("pixelproof.resources")
    data = REPO / "resources"  # its folders (demo, icons) are listed too: packaged as data, none left out
    folders = [d.relative_to(data).parts for d in data.rglob("*") if d.is_dir() and d.name != "__pycache__"]
    found |= {".".join(("pixelproof.resources", *parts)) for parts in folders}
    assert found == listed


def test_resources_are_found_through_importlib() -> None:
    from importlib.resources import files

    assert files("pixelproof.resources").joinpath("__init__.py").is_file()


# -- what may import what (DESIGN.md §2), read from the source: function-local imports count too -------

PACKAGE = REPO / "desktop" / "pixelproof"


def _imports(path: Path) -> set[str]:
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _violations(layer: str, forbidden: tuple[str, ...], allowed_files: tuple[str, ...] = ()) -> list[str]:
    out = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel in allowed_files:
            continue
        for name in sorted(_imports(path)):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                out.append(f"{rel} imports {name}")
    return out


def test_core_imports_no_qt_interop_inference_commands_or_ui() -> None:
    forbidden = (
        "PySide6",
        "shiboken6",
        *(f"pixelproof.{p}" for p in ("interop", "inference", "commands", "ui")),
    )
    assert _violations("core", forbidden) == []


def test_inference_and_interop_stay_below_the_app_and_the_cli() -> None:
    forbidden = ("PySide6", "shiboken6", "pixelproof.commands", "pixelproof.ui")
    assert _violations("inference", forbidden) == []
    assert _violations("interop", forbidden) == []


def test_the_app_never_imports_the_cli_layer() -> None:
    assert _violations("ui", ("pixelproof.commands", "pixelproof.cli")) == []


def test_only_the_app_entry_names_the_main_window() -> None:
    """Features get a ``ui.shell.Shell``, not the window: no circle of modules around MainWindow."""
    assert _violations("ui", ("pixelproof.ui.main_window",), allowed_files=("ui/app.py",)) == []


def test_the_cli_starts_the_app_only_through_its_entry() -> None:
    entries = {"pixelproof.ui", "pixelproof.ui.app", "pixelproof.ui.self_test"}
    files = [*(PACKAGE / "commands").rglob("*.py"), PACKAGE / "cli.py", PACKAGE / "__main__.py"]
    bad = [
        f"{f.relative_to(PACKAGE).as_posix()} imports {name}"
        for f in files
        for name in _imports(f)
        if name.startswith("pixelproof.ui") and name not in entries and name.rsplit(".", 1)[0] not in entries
    ]
    assert bad == []


def test_the_layer_check_sees_a_violation(tmp_path: Path) -> None:
    """The scanner itself: a function-local import of the CLI from a ui module is found."""
    fake = tmp_path / "mod.py"
    fake.write_text("def f():\n    from pixelproof.commands import qa\n    import PySide6.QtCore\n")
    assert {"pixelproof.commands", "pixelproof.commands.qa", "PySide6.QtCore"} <= _imports(fake)
