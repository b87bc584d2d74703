"""What the app loads before its window shows: the main window's modules must not pull in scipy, scikit-image
or onnxruntime, which only some commands and the model backends use (they load when first used).

scipy came back at start-up twice through module-level imports: ``interop.panoptic`` (the id-map readers,
which File > Import's module list imports) and ``core.lint.pictures`` (pHash, which the canvas tools import
through ``core.lint``). Each added some 14 MB resident and about a second of import time under load to every
start (``bench large``'s "resident memory after first paint", ``bench startup``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("scipy", "skimage", "onnxruntime")


def test_importing_the_main_window_loads_no_scipy_skimage_or_onnxruntime() -> None:
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo / "desktop"), "QT_QPA_PLATFORM": "offscreen"}
    code = (
        "import sys\nimport pixelproof.ui.main_window\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
