"""Cold start to the main window (issue 8): the PyInstaller bundle against ``python -m pixelproof``.

``python -m bench startup [--runs N] [--bundle PATH]``

Each run is a fresh process of ``pixelproof demo --dir TMP`` (the bundled demo project, copied once to a
temporary folder) with ``PIXELPROOF_EXIT_AFTER_FIRST_PAINT=1``: the app prints ``first paint <time.time()>``
once the main window has painted and leaves. Cold start = that time minus the time just before spawning,
so it includes the executable's start, every import, the project load and the first paint. Runs alternate
between the two so machine load hits both alike; ``QT_QPA_PLATFORM=offscreen`` and a fresh settings folder
(no saved layout) for every run. The bundle runs with no Python variables, as on a user's machine.
Target: <= 1.5 s (median) for both.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "dist" / "pixelproof" / ("pixelproof.exe" if os.name == "nt" else "pixelproof")
TARGET_S = 1.5
TIMEOUT_S = 60


def cold_start(cmd: list[str], env: dict[str, str], cwd: str) -> float:
    """Seconds from spawning ``cmd`` to its ``first paint`` line."""
    with tempfile.TemporaryDirectory() as config:
        env = {**env, "XDG_CONFIG_HOME": config, "APPDATA": config}  # settings: none saved yet
        start = time.time()
        proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S)
    painted = [line for line in proc.stdout.splitlines() if line.startswith("first paint ")]
    if proc.returncode != 0 or not painted:
        raise RuntimeError(f"{' '.join(cmd)}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return float(painted[-1].split()[2]) - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench startup", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each (default 5; median reported)")
    parser.add_argument("--bundle", type=Path, default=BUNDLE, help=f"bundle executable (default {BUNDLE})")
    args = parser.parse_args(argv)

    base = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "QT_"))}
    base.update(QT_QPA_PLATFORM="offscreen", PIXELPROOF_EXIT_AFTER_FIRST_PAINT="1")
    # bytecode caches allowed, as after `pip install` (which compiles them); the warm-up run writes them
    python_env = {**base, "PYTHONPATH": str(ROOT / "desktop")}
    bundle_env = {**base, "PYTHONNOUSERSITE": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        demo = str(Path(tmp) / "demo")
        subjects = {
            "python -m pixelproof": ([sys.executable, "-m", "pixelproof", "demo", "--dir", demo], python_env)
        }
        if args.bundle.is_file():
            subjects = {"bundle": ([str(args.bundle), "demo", "--dir", demo], bundle_env), **subjects}
        else:
            print(f"no bundle at {args.bundle} (build it: python packaging/build.py); measuring python only")
        times: dict[str, list[float]] = {name: [] for name in subjects}
        for cmd, env in subjects.values():
            cold_start(cmd, env, tmp)  # warm-up, not counted: .pyc files and the demo copy exist after it
        for _ in range(args.runs):
            for name, (cmd, env) in subjects.items():
                times[name].append(cold_start(cmd, env, tmp))

    print(f"cold start to the main window's first paint: demo project, offscreen, {args.runs} runs each")
    print(f"  {'':24}{'median':>8}{'min':>8}{'max':>8}{'first':>8}   target <= {TARGET_S} s")
    for name, ts in times.items():
        med = statistics.median(ts)
        verdict = "ok" if med <= TARGET_S else "MISSED"
        print(f"  {name:24}{med:7.2f}s{min(ts):7.2f}s{max(ts):7.2f}s{ts[0]:7.2f}s   {verdict}")
    if len(times) == 2:
        ratio = statistics.median(times["bundle"]) / statistics.median(times["python -m pixelproof"])
        print(f"  bundle / python: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
