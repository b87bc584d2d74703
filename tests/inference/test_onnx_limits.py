"""An ONNX model whose input size is garbage or enormous is refused with a ModelLoadError naming the file,
never a traceback or a 120 GB tensor (issue 11, item 8)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pixelproof.inference.base import ModelLoadError
from pixelproof.inference.onnx_yolo import YoloOnnxBackend
from tests.inference.graphs import constant_model

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
