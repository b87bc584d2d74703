"""A model that needs more memory than its share fails that picture with a message naming the budget
(one onnxruntime arena per process, capped: ``arena.model_memory_bytes``), and the next picture runs:
the kernel never gets to kill the app. The cap is made once per process, so the model runs in a child."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from pixelproof.inference.arena import ENV_MODEL_MEMORY, model_memory_bytes

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from tests.inference.conv_models import conv_model  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def wide_model(path: Path, channels: int) -> Path:
    """A semantic model of any input size whose logits are ``channels`` planes of the picture's size."""
    return conv_model(path, np.ones((channels, 3, 1, 1), np.float32))


def test_budget_from_the_environment_or_the_machine_shared_by_workers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV_MODEL_MEMORY, "1000")
    assert model_memory_bytes() == 1000 << 20
    assert model_memory_bytes(0.25) == 250 << 20
    assert model_memory_bytes(0.01) == 64 << 20  # never less than 64 MB
    monkeypatch.setenv(ENV_MODEL_MEMORY, "lots")
    assert model_memory_bytes() is None
    monkeypatch.setenv(ENV_MODEL_MEMORY, "0")  # turned off
    assert model_memory_bytes() is None
    monkeypatch.delenv(ENV_MODEL_MEMORY)
    if hasattr(os, "sysconf"):
        machine = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        assert model_memory_bytes() == pytest.approx(machine / 2, rel=1e-6)


def test_a_picture_too_big_for_the_model_memory_fails_alone(tmp_path: Path) -> None:
    """64 logit planes of 1500 x 1500 are 576 MB, under a budget of 64 MB; 64 x 64 is 1 MB."""
    model = wide_model(tmp_path / "wide.onnx", 64)
    script = textwrap.dedent(
        f"""
        import numpy as np
        from pixelproof.inference.base import BackendError, predict_safely
        from pixelproof.inference.onnx_models import OnnxModelBackend

        backend = OnnxModelBackend()
        backend.configure(model_path={str(model)!r})
        try:
            predict_safely(backend, np.zeros((1500, 1500, 3), np.uint8))
            print("ran")
        except BackendError as e:
            print("refused:", e)
        predict_safely(backend, np.zeros((64, 64, 3), np.uint8))
        print("small ran")
        """
    )
    env = {**os.environ, ENV_MODEL_MEMORY: "64"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(
        "refused: onnx: the model needs more than its 64 MB of memory for this 1500x1500"
    )
    assert "--tile" in lines[0] and ENV_MODEL_MEMORY in lines[0]
    assert lines[1] == "small ran"
