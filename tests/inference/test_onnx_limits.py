"""An ONNX model whose input size is garbage or enormous is refused with a ModelLoadError naming the file,
never a traceback or a 120 GB tensor (issue 11, item 8)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from pixelproof.inference.base import ModelLoadError
from pixelproof.inference.onnx_models import OnnxModelBackend
from pixelproof.inference.onnx_sam import SamOnnxBackend
from pixelproof.inference.onnx_yolo import YoloOnnxBackend
from tests.inference.graphs import constant_graph, constant_model, sam_decoder, sam_encoder

ROWS = {"output0": np.zeros((1, 300, 6), np.float32)}  # an end-to-end detection output


@pytest.mark.parametrize(
    ("imgsz", "message"),
    [
        ("not a size", "is not a size"),
        ("[1e9, 5]", "is not a size"),
        ("[100000, 100000]", "over the limit of 268,435,456"),
        ("-3", "must be a positive integer"),
    ],
)
def test_bad_imgsz_metadata_is_a_load_error(tmp_path: Path, imgsz: str, message: str) -> None:
    path = constant_model(
        tmp_path / "m.onnx", ROWS, ("batch", 3, "h", "w"), {"names": "{0: 'a'}", "imgsz": imgsz}
    )
    with pytest.raises(ModelLoadError, match=message) as info:
        YoloOnnxBackend().configure(model_path=path)
    assert "m.onnx" in str(info.value)


def test_a_fixed_input_of_100000_squared_is_refused(tmp_path: Path) -> None:
    path = constant_model(tmp_path / "big.onnx", ROWS, (1, 3, 100_000, 100_000), {"names": "{0: 'a'}"})
    with pytest.raises(ModelLoadError, match="over the limit"):
        YoloOnnxBackend().configure(model_path=path)


def test_a_usual_imgsz_loads(tmp_path: Path) -> None:
    path = constant_model(
        tmp_path / "ok.onnx", ROWS, ("batch", 3, "h", "w"), {"names": "{0: 'a'}", "imgsz": "[320, 480]"}
    )
    backend = YoloOnnxBackend()
    backend.configure(model_path=path)
    assert backend.predict(np.zeros((20, 30, 3), np.uint8)) == []


def test_a_semantic_model_with_a_huge_fixed_input_is_refused_at_load(tmp_path: Path) -> None:
    """Its fixed size was taken as the resize target: every picture became 100000^2 RGB, then floats."""
    logits = {"out": np.zeros((1, 4, 8, 8), np.float32)}
    path = constant_graph(tmp_path / "sem.onnx", {"input": [1, 3, 100_000, 100_000]}, logits)
    with pytest.raises(ModelLoadError, match=r"sem\.onnx: model input: .* over the limit"):
        OnnxModelBackend().configure(model_path=path)


def test_a_sam_pair_with_a_huge_encoder_input_or_prompt_frame_is_refused_at_load(tmp_path: Path) -> None:
    """The encoder's side S made a [1, 3, S, S] input per picture; 4 x the decoder's mask_input side is the
    frame low-resolution masks are resized to."""
    sam_encoder(tmp_path / "huge_encoder.onnx", size=100_000)
    sam_encoder(tmp_path / "encoder.onnx", size=64)
    sam_decoder(tmp_path / "decoder.onnx", mask_side=16)
    sam_decoder(tmp_path / "huge_decoder.onnx", mask_side=1_000_000)
    b = SamOnnxBackend()
    with pytest.raises(ModelLoadError, match=r"huge_encoder\.onnx: model input: .* over the limit"):
        b.configure(model_path=tmp_path / "huge_encoder.onnx", decoder_path=tmp_path / "decoder.onnx")
    with pytest.raises(ModelLoadError, match=r"huge_decoder\.onnx: model input: .* over the limit"):
        b.configure(model_path=tmp_path / "encoder.onnx", decoder_path=tmp_path / "huge_decoder.onnx")
    b.configure(model_path=tmp_path / "encoder.onnx", decoder_path=tmp_path / "decoder.onnx")
    assert b.ready() == (True, "")


@pytest.mark.skipif(sys.platform == "win32", reason="address-space limit: POSIX resource module")
def test_an_input_within_the_limit_but_not_in_memory_is_a_load_error(tmp_path: Path) -> None:
    """imgsz 16384^2 is within the pixel limit, but its buffers (3.8 GB) were allocated at load: with
    less memory a MemoryError came out of configure (a traceback), not a ModelLoadError."""
    path = constant_model(
        tmp_path / "big.onnx", ROWS, ("batch", 3, "h", "w"), {"names": "{0: 'a'}", "imgsz": "[16384, 16384]"}
    )
    script = textwrap.dedent(
        f"""
        import resource
        from pixelproof.inference.base import ModelLoadError
        from pixelproof.inference.onnx_yolo import YoloOnnxBackend

        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
        try:
            YoloOnnxBackend().configure(model_path={str(path)!r})
        except ModelLoadError as e:
            print("refused:", e)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "big.onnx: not enough memory for the model's 16384x16384 input" in done.stdout
