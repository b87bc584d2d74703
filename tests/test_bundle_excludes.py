"""The bundle leaves out modules the app never imports (packaging/pixelproof.spec, EXCLUDED_MODULES): a
module imported lazily that is on that list crashes only the bundle (matching by groups needed
``scipy.sparse.csgraph``; every QA image then failed in the bundle, never in the tests). So every command
runs here on the demo project, and NIfTI and DICOM SEG on a volume and a CT slice, in a fresh interpreter,
and none of the modules it loaded may be excluded. A package's data files read with ``pkgutil.get_data``
(highdicom's tables of the DICOM standard) are not seen by PyInstaller either: the spec must collect them."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "pixelproof.spec"

RUN_EVERY_COMMAND = r"""
import contextlib, io, json, pkgutil, shutil, sys
from pathlib import Path
from pixelproof.cli import main
from pixelproof.core.demo import install_demo

data_read = set()
get_data = pkgutil.get_data
def recording_get_data(package, resource):
    data_read.add(package.partition(".")[0])
    return get_data(package, resource)
pkgutil.get_data = recording_get_data

out = Path(sys.argv[1])
project = install_demo(out / "demo")
reference = project.parent / "reference.json"
runs = [
    ["info", project], ["validate", project],
    ["qa", reference, project, "--json", out / "qa.json", "--csv", out / "qa.csv", "--html", out / "qa.html"],
    ["agreement", reference, project, "--json", out / "ag.json", "--html", out / "ag.html"],
    ["lint", project, "--pictures", "--json", out / "lint.json", "--html", out / "lint.html"],
    ["diff", reference, project, "--json"],
    ["prelabel", project, "--backend", "threshold", "-o", out / "pre.json"],
]
for fmt in ("coco", "coco-panoptic", "labelme", "yolo", "voc", "cityscapes", "kitti", "openimages", "cvat",
            "labelstudio", "mvtec", "masks"):
    target = out / f"to-{fmt}" / ("out.json" if fmt == "coco" else "")
    runs.append(["convert", project, target, "--from", "coco", "--to", fmt])
    runs.append(["convert", target, out / f"back-{fmt}.json", "--from", fmt, "--to", "coco"])
for fmt, source in json.loads(sys.argv[2]).items():  # format -> a volume or slice (test data)
    source = Path(source)
    folder = out / f"{fmt}-images"
    folder.mkdir()
    shutil.copy(source, folder / source.name)
    runs += [
        ["new", folder, "-o", out / f"{fmt}.json"],
        ["prelabel", out / f"{fmt}.json", "--backend", "threshold", "-o", out / f"{fmt}-pre.json"],
        # the pre-label's objects are pending: written as labels, for the writer to have something to write
        ["convert", out / f"{fmt}-pre.json", out / f"to-{fmt}", "--from", "coco", "--to", fmt,
         "--pending", "keep"],
        ["convert", out / f"to-{fmt}", out / f"back-{fmt}.json", "--from", fmt, "--to", "coco",
         "--image-dir", folder],
    ]
codes = {}
for argv in runs:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            codes[" ".join(map(str, argv[:1] + argv[-3:]))] = main([str(a) for a in argv])
        except SystemExit as e:
            codes[" ".join(map(str, argv))] = e.code
print(json.dumps({"modules": sorted(sys.modules), "codes": codes, "data": sorted(data_read)}))
"""


# excluded on purpose though something imports them, because what imports them copes without
HAS_FALLBACK = {
    "_hashlib": "hashlib falls back to its built-in _sha1/_blake2 (the bundle drops OpenSSL)",
    "_distutils_hack": "setuptools' start-up hook of a virtual environment, not an import of the app",
    # pydicom.data (imported by pydicom's pixel decoders) loads its test-file downloader: urllib.request
    "ssl": "http.client imports it optionally (HTTPS then unavailable: the app uses no network)",
    "_ssl": "imported by ssl only",
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


def collected_data_packages() -> set[str]:
    """The packages whose data files the spec collects with ``collect_data_files("name")``."""
    return {
        node.args[0].value
        for node in ast.walk(ast.parse(SPEC.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and getattr(node.func, "id", None) == "collect_data_files"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


def test_the_spec_lists_exclusions() -> None:
    names = excluded_modules()
    assert "scipy.stats" in names and "pyarrow" in names and len(names) > 30


def test_no_command_imports_a_module_the_bundle_leaves_out(tmp_path: Path) -> None:
    import nibabel.testing  # found here: the test-data helpers import pytest, scipy.io, ssl...
    from pydicom.data import get_testdata_file

    volumes = {
        "nifti": str(Path(nibabel.testing.data_path) / "anatomical.nii"),
        "dicom-seg": get_testdata_file("CT_small.dcm", download=False),
    }
    done = subprocess.run(
        [sys.executable, "-c", RUN_EVERY_COMMAND, str(tmp_path), json.dumps(volumes)],
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
    uncollected = set(result["data"]) - collected_data_packages() - {"pixelproof"}
    assert not uncollected, f"commands read data files of {uncollected}; the spec does not collect them"
