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
    assert found == listed


def test_resources_are_found_through_importlib() -> None:
    from importlib.resources import files

    assert files("pixelproof.resources").joinpath("__init__.py").is_file()
