"""The registry finds backends through entry points, built-ins and third-party alike; a broken or
raising backend becomes a message, never a crash."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from pixelproof.inference import (
    Backend,
    BackendError,
    Prediction,
    backend_names,
    discover,
    get_backend,
    predict_safely,
)

PLUGIN = """
import numpy as np
from pixelproof.inference import Backend, Prediction


class TinyBackend(Backend):
    name = "tiny"
    kind = "detect"

    def categories(self):
        return ["thing"]

    def predict(self, image, prompt=None):
        h, w = image.shape[:2]
        return [Prediction("thing", 0.5, [0.0, 0.0, w / 2, h / 2])]
"""


TINY_BUILD = """
import base64, hashlib, zipfile
from pathlib import Path

NAME = "tinypip-0.1"
FILES = {
    "tinypip/__init__.py": Path("tinypip/__init__.py").read_text(),
    NAME + ".dist-info/METADATA": "Metadata-Version: 2.1\\nName: tinypip\\nVersion: 0.1\\n",
    NAME + ".dist-info/WHEEL": (
        "Wheel-Version: 1.0\\nGenerator: tinybuild\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    ),
    NAME + ".dist-info/entry_points.txt": "[pixelproof.backends]\\ntinypip = tinypip:TinyBackend\\n",
}


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = NAME + "-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(Path(wheel_directory) / name, "w") as zf:
        for path, text in FILES.items():
            data = text.encode()
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{path},sha256={digest},{len(data)}")
            zf.writestr(path, data)
        record.append(NAME + ".dist-info/RECORD,,")
        zf.writestr(NAME + ".dist-info/RECORD", "\\n".join(record) + "\\n")
    return name
"""


def write_dist(root: Path, name: str, entry_points: str, module: str | None = None) -> None:
    """An installed distribution as pip leaves it: a module + <name>-0.1.dist-info with entry points."""
    info = root / f"{name}-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(entry_points)
    if module is not None:
        (root / f"{name}.py").write_text(module)


@pytest.fixture
def plugin_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    return tmp_path


def test_builtins_are_registered_as_entry_points() -> None:
    infos = {i.name: i for i in discover()}
    assert {"grabcut", "threshold", "cascade", "yolo-onnx", "sam-onnx"} <= set(infos)
    assert infos["yolo-onnx"].target == "pixelproof.inference.onnx_yolo:YoloOnnxBackend"
    assert all(i.error is None for n, i in infos.items() if n in ("grabcut", "threshold", "yolo-onnx"))
    assert get_backend("threshold").kind == "segment"
    with pytest.raises(BackendError, match=r"unknown backend 'nope'; installed: .*grabcut"):
        get_backend("nope")


def test_third_party_entry_point_is_found(plugin_path: Path) -> None:
    assert "tiny" not in backend_names()  # discovered once: kept until something is installed
    write_dist(plugin_path, "tinyplug", "[pixelproof.backends]\ntiny = tinyplug:TinyBackend\n", PLUGIN)
    assert "tiny" in backend_names()
    b = get_backend("tiny")
    (pred,) = predict_safely(b, np.zeros((10, 20, 3), np.uint8))
    assert (pred.category, pred.bbox) == ("thing", [0.0, 0.0, 10.0, 5.0])
    assert b.source == "model:tiny/builtin@1"


def test_pip_installed_distribution_is_found(tmp_path: Path) -> None:
    """The same through a real `pip install --target` of a tiny pyproject package, in a fresh process."""
    src = tmp_path / "src"
    (src / "tinypip").mkdir(parents=True)
    (src / "tinypip" / "__init__.py").write_text(PLUGIN)
    # setuptools here may lack bdist_wheel (no `wheel` package offline), so the package builds with a
    # 20-line in-tree PEP 517 backend that zips the module and its dist-info
    (src / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [build-system]
            requires = []
            build-backend = "tinybuild"
            backend-path = ["."]
            """
        )
    )
    (src / "tinybuild.py").write_text(TINY_BUILD)
    target = tmp_path / "site"
    cmd = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index"]
    done = subprocess.run([*cmd, "--target", str(target), str(src)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"pip could not build the test package offline: {done.stderr.strip()[-300:]}")
    code = (
        f"import sys; sys.path.insert(0, {str(target)!r})\n"
        "from pixelproof.inference import get_backend, backend_names\n"
        "assert 'tinypip' in backend_names(), backend_names()\n"
        "print(get_backend('tinypip').categories())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['thing']"


def test_broken_plugins_are_reported_not_raised(plugin_path: Path) -> None:
    write_dist(plugin_path, "brokenplug", "[pixelproof.backends]\nbroken = brokenplug:Nope\n", "x = 1\n")
    write_dist(
        plugin_path, "notabackend", "[pixelproof.backends]\nplain = notabackend:Plain\n", "class Plain: ...\n"
    )
    infos = {i.name: i for i in discover()}
    assert "import failed" in infos["broken"].error
    assert "not a pixelproof.inference.Backend subclass" in infos["plain"].error
    with pytest.raises(BackendError, match="'broken' cannot be loaded: import failed"):
        get_backend("broken")


class Exploding(Backend):
    name = "exploding"

    def predict(self, image, prompt=None):
        raise ZeroDivisionError("oops")


class Exiting(Backend):
    """A plugin that stops the interpreter from predict, as a script would on a missing dependency."""

    name = "exiting"

    def predict(self, image, prompt=None):
        sys.exit("exiting: needs the tinyops extension")


class BadMask(Backend):
    name = "badmask"

    def predict(self, image, prompt=None):
        return [Prediction("x", 1.0, [6, 6, 3, 3], mask=np.ones((3, 3), bool), offset=(6, 6))]


def test_a_raising_backend_becomes_a_message() -> None:
    img = np.zeros((8, 8), np.uint8)
    with pytest.raises(BackendError, match="exploding failed: ZeroDivisionError: oops"):
        predict_safely(Exploding(), img)
    with pytest.raises(
        BackendError, match=r"mask of shape \(3, 3\) at \(6, 6\) does not fit the image \(8, 8\)"
    ):
        predict_safely(BadMask(), img)
    # sys.exit is no exception to that: it failed the CLI's whole serial batch, writing nothing
    with pytest.raises(BackendError, match="exiting failed: SystemExit: exiting: needs the tinyops"):
        predict_safely(Exiting(), img)
    # a mask smaller than the image is fine where it fits; a tile offset moves it into the whole picture
    (p,) = predict_safely(BadMask(), np.zeros((9, 9), np.uint8), offset=(100, 10))
    assert p.offset == (106, 16) and p.bbox == [106, 16, 3, 3]
    assert p.full_mask(20, 110).sum() == 9 and p.full_mask(20, 110)[16:19, 106:109].all()


class Garbage(Backend):
    """A model whose outputs are NaN or infinite for some objects (a broken export, an fp16 overflow)."""

    name = "garbage"

    def __init__(self, bbox: list[float], score: float) -> None:
        super().__init__()
        self.bbox, self.score = bbox, score

    def predict(self, image, prompt=None):
        return [Prediction("ok", 0.9, [1, 1, 2, 2]), Prediction("x", self.score, self.bbox)]


@pytest.mark.parametrize(
    ("bbox", "score"),
    [
        ([float("nan"), 1, 2, 2], 0.9),
        ([1, 1, float("inf"), 2], 0.9),
        ([1, 1, 2, 2], float("inf")),
        ([1, 1, 2, 2], float("nan")),
    ],
)
def test_a_nan_or_infinite_box_or_score_is_a_message_not_an_annotation(bbox, score) -> None:
    """A NaN box was stored as null (the project then failed validation on reload), an infinite score as
    a null score: the picture fails with a message naming the model instead."""
    with pytest.raises(
        BackendError, match="garbage: the model builtin gave a box or score that is not a finite"
    ):
        predict_safely(Garbage(bbox, score), np.zeros((8, 8), np.uint8))


@pytest.mark.parametrize("score", [2.0, -0.5])
def test_a_score_outside_0_to_1_fails_the_picture_naming_the_backend(tmp_path: Path, score: float) -> None:
    """A score is used as a probability (the Model panel's slider, lint's label-quality scores): a plugin
    giving 2.0 (a logit, a count) had its objects stored; the picture fails with a message instead."""
    import cv2

    from pixelproof.core.coco import new_project
    from pixelproof.core.model import ImageRecord
    from pixelproof.inference.apply import prelabel_project

    project = new_project(["ok"])
    project.add_image(ImageRecord(1, "a.png", 8, 8))
    cv2.imwrite(str(tmp_path / "a.png"), np.zeros((8, 8), np.uint8))
    project.path = tmp_path / "p.json"
    failed: list[tuple[str, str]] = []
    report = prelabel_project(
        project, Garbage([1, 1, 2, 2], score), on_failure=lambda f, r: failed.append((f, r))
    )
    assert report.succeeded == 0 and project.annotations == {}
    assert failed == [("a.png", failed[0][1])]
    assert f"garbage: the model builtin gave scores outside 0..1 (got {score:g})" in failed[0][1]
    (ok,) = predict_safely(Garbage([1, 1, 2, 2], 1.0), np.zeros((8, 8), np.uint8))[1:]  # 0 and 1 are fine
    assert ok.score == 1.0


def test_a_backend_calling_sys_exit_fails_each_picture_and_the_batch_goes_on(tmp_path: Path) -> None:
    """README (Writing a backend): whatever a backend raises becomes an error message and the batch keeps
    running. A predict calling sys.exit raised SystemExit past ``except Exception``: the serial batch
    (``pixelproof prelabel`` on a small job) stopped there, the pictures after it never tried."""
    import cv2

    from pixelproof.core.batch import SerialExecutor
    from pixelproof.core.model import ImageRecord, Project
    from pixelproof.inference.apply import PredictionMapper
    from pixelproof.inference.batch import propose_batch

    project = Project(path=tmp_path / "project.json")
    for i in (1, 2):
        cv2.imwrite(str(tmp_path / f"{i}.png"), np.full((8, 8), 200, np.uint8))
        project.add_image(ImageRecord(i, f"{i}.png", 8, 8))
    backend = Exiting()
    mapper = PredictionMapper(project, backend.source, skip_existing=None)
    images = list(project.images.values())
    results = list(propose_batch(project, images, mapper, SerialExecutor(), backend=backend))
    assert [image.id for image, _ in results] == [1, 2]
    assert all(isinstance(r, str) and "SystemExit: exiting: needs the tinyops" in r for _, r in results)
