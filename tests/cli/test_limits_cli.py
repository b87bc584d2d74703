"""Limits from the command line (issue 11): ``--max-pixels`` on the commands that read images (item 9),
a clear exit 2 without a display (item 19)."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import IMAGE_COMMANDS, NO_DISPLAY, build_parser, main
from pixelproof.core import limits
from pixelproof.core.coco import load_project

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def default_limit(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(limits.ENV_MAX_PIXELS, raising=False)
    limits.set_max_pixels(None)
    yield
    limits.set_max_pixels(None)


def test_every_image_command_takes_max_pixels() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in IMAGE_COMMANDS:
        flags = {flag for action in sub.choices[name]._actions for flag in action.option_strings}
        assert "--max-pixels" in flags, name


def test_max_pixels_refuses_then_allows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "imgs"
    folder.mkdir()
    Image.fromarray(np.zeros((100, 120), dtype=np.uint8)).save(folder / "a.png")
    out = tmp_path / "p.json"
    assert main(["new", str(folder), "-o", str(out), "--max-pixels", "10k"]) == 1
    err = capsys.readouterr().err
    assert "a.png" in err and "12,000 pixels" in err and "10,000" in err
    limits.set_max_pixels(None)
    assert main(["new", str(folder), "-o", str(out), "--max-pixels", "2**20"]) == 0
    assert len(load_project(out).images) == 1
    with pytest.raises(SystemExit) as info:
        main(["new", str(folder), "-o", str(out), "--max-pixels", "lots"])
    assert info.value.code == 2


def _start_app(tmp_path: Path, argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``pixelproof ARGV`` in a process of its own (``DEMO`` in ARGV: a demo folder under tmp_path)."""
    argv = [str(tmp_path / "demo") if a == "DEMO" else a for a in argv]
    return subprocess.run(
        [sys.executable, "-m", "pixelproof", *argv],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland display check")
@pytest.mark.parametrize("argv", [[], ["demo", "--dir", "DEMO"]])
def test_no_display_says_so_and_exits_2(tmp_path: Path, argv: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = _start_app(tmp_path, argv, env)
    assert done.returncode == 2
    assert f"pixelproof: error: {NO_DISPLAY}" in done.stderr
    assert "xcb" not in done.stderr and "Aborted" not in done.stderr
    # "offscreen" alone did not say what to set: the line names the variable, and doing so is enough
    assert "QT_QPA_PLATFORM=offscreen" in NO_DISPLAY and "--self-test" in NO_DISPLAY


def test_the_no_display_advice_works(monkeypatch: pytest.MonkeyPatch) -> None:
    """QT_QPA_PLATFORM=offscreen, as the no-display line says, lets the app start without a display."""
    from pixelproof.cli import display_problem

    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    assert display_problem() in (NO_DISPLAY, None)  # None: not an X11/Wayland system
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert display_problem() is None


def _libxcb_loads() -> bool:
    try:
        ctypes.CDLL("libxcb.so.1")
    except OSError:
        return False
    return True


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 display check")
@pytest.mark.skipif(not _libxcb_loads(), reason="without libxcb, Qt's X11 plugin cannot load at all")
@pytest.mark.parametrize("argv", [[], ["demo", "--dir", "DEMO"]])
def test_a_display_no_x_server_answers_says_so_and_exits_2(tmp_path: Path, argv: list[str]) -> None:
    """A DISPLAY left from a session that ended (or an ssh login without X forwarding) made Qt abort,
    dumping core (``qt.qpa.xcb: could not connect to display``, exit 134); now one line names it."""
    number = next(n for n in range(5791, 5891) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["DISPLAY"] = f":{number}"
    done = _start_app(tmp_path, argv, env)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[-1] == (
        f"pixelproof: error: cannot open the display :{number} (DISPLAY): no X server there lets this "
        "user in (set DISPLAY to your session's, or run without one: QT_QPA_PLATFORM=offscreen, or "
        "--self-test to check the install)"
    )
    assert "qt.qpa" not in done.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="address-space limit (RLIMIT_AS)")
def test_lint_of_a_crafted_slide_mask_says_which_object_and_stays_small(tmp_path: Path) -> None:
    """A hostile file: one mask on a declared 65536 x 40960 picture, its runs chosen to overflow
    pycocotools' string encoder (four runs of 2**29 and more) and to spread over the whole picture. Lint
    used to corrupt the heap and then fill 24 GB decoding the mask's box; now it names the object and the
    limit, in a process held under 1.5 GB."""
    import json
    import resource

    counts = [2**29, 2**29, 2**29, 2**30]  # an ordinary object: a crowd region's pixels are not decoded
    project = {
        "images": [{"id": 1, "file_name": "slide.png", "width": 65536, "height": 40960}],
        "categories": [{"id": 1, "name": "tissue"}],
        "annotations": [
            {"id": 7, "image_id": 1, "category_id": 1, "bbox": [0, 0, 65536, 40960], "area": 1.0,
             "iscrowd": 0, "segmentation": {"size": [40960, 65536], "counts": counts}}
        ],
    }  # fmt: skip
    path = tmp_path / "slide.json"
    path.write_text(json.dumps(project))

    def small() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1536 * 2**20, 1536 * 2**20))

    done = subprocess.run(
        [sys.executable, "-m", "pixelproof", "lint", str(path)],
        capture_output=True, text=True, cwd=REPO, timeout=120, preexec_fn=small,
    )  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert "slide.png: annotation 7: mask box of" in done.stderr and "over the limit of" in done.stderr
    assert "Traceback" not in done.stderr and "corruption" not in done.stderr
