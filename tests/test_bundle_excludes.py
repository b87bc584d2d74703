"""The bundle leaves out modules the app never imports (packaging/pixelproof.spec, EXCLUDED_MODULES): a
module imported lazily that is on that list crashes only the bundle (matching by groups needed
``scipy.sparse.csgraph``; every QA image then failed in the bundle, never in the tests). So every command
runs here on the demo project (NIfTI and DICOM SEG need volumes: their readers have tests of their own), in a
fresh interpreter, and none of the modules it loaded may be excluded."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "pixelproof.spec"

RUN_EVERY_COMMAND = r"""
import contextlib, io, json, sys
from pathlib import Path
from pixelproof.cli import main
from pixelproof.core.demo import install_demo

out = Path(sys.argv[1])
project = install_demo(out / "demo")
reference = project.parent / "reference.json"
runs = [
    ["info", project], ["validate", project],
    ["qa", reference, project, "--json", out / "qa.json", "--csv", out / "qa.csv", "--html", out / "qa.html"],
    ["agreement", reference, project, "--json", out / "ag.json", "--html", out / "ag.html"],
    ["lint", project, "--json", out / "lint.json", "--html", out / "lint.html"],
    ["diff", reference, project, "--json"],
    ["prelabel", project, "--backend", "threshold", "-o", out / "pre.json"],
]
for fmt in ("coco", "labelme", "yolo", "voc", "cityscapes", "kitti", "openimages", "cvat", "mvtec", "masks"):
    target = out / f"to-{fmt}" / ("out.json" if fmt == "coco" else "")
    runs.append(["convert", project, target, "--from", "coco", "--to", fmt])
    runs.append(["convert", target, out / f"back-{fmt}.json", "--from", fmt, "--to", "coco"])
codes = {}
for argv in runs:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            codes[" ".join(map(str, argv[:1] + argv[-3:]))] = main([str(a) for a in argv])
        except SystemExit as e:
            codes[" ".join(map(str, argv))] = e.code
print(json.dumps({"modules": sorted(sys.modules), "codes": codes}))
"""


# excluded on purpose though something imports them, because what imports them copes without
HAS_FALLBACK = {
    "_hashlib": "hashlib falls back to its built-in _sha1/_blake2 (the bundle drops OpenSSL)",
    "_distutils_hack": "setuptools' start-up hook of a virtual environment, not an import of the app",
}


def excluded_modules() -> list[str]:
    """The string literals of every list assigned or added to ``EXCLUDED_MODULES`` in the spec."""
    names: list[str] = []
    for node in ast.walk(ast.parse(SPEC.read_text(encoding="utf-8"))):
        target = getattr(node, "target", None) or (getattr(node, "targets", None) or [None])[0]
        if isinstance(target, ast.Name) and target.id == "EXCLUDED_MODULES":
            value = node.value  # type: ignore[attr-defined]
            names += [e.value for e in getattr(value, "elts", []) if isinstance(e, ast.Constant)]
    return names


def test_the_spec_lists_exclusions() -> None:
    names = excluded_modules()
    assert "scipy.stats" in names and "pyarrow" in names and len(names) > 30


def test_no_command_imports_a_module_the_bundle_leaves_out(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RUN_EVERY_COMMAND, str(tmp_path)],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    lint_found = {k for k, code in result["codes"].items() if k.startswith("lint") and code == 1}
    failed = {k: code for k, code in result["codes"].items() if code not in (0, None) and k not in lint_found}
    assert not failed, failed  # each command ran to its end (lint's 1: problems found), its imports made
    loaded = set(result["modules"])
    excluded = [x for x in excluded_modules() if x not in HAS_FALLBACK]
    wrong = sorted(m for m in loaded for x in excluded if m == x or m.startswith(x + "."))
    assert not wrong, f"commands import modules packaging/pixelproof.spec excludes: {wrong}"
