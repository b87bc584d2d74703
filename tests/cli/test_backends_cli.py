"""`pixelproof backends [--json] [--model FILE]`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from pixelproof.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_lists_builtins_ready_or_not(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "backends", "--json")
    assert code == 0
    entries = {e["name"]: e for e in json.loads(out)}
    assert {"grabcut", "threshold", "cascade", "yolo-onnx", "sam-onnx"} <= set(entries)
    assert entries["threshold"]["ready"] is True and entries["threshold"]["kind"] == "segment"
    assert entries["yolo-onnx"] | {"options": None} == {
        "name": "yolo-onnx",
        "kind": "detect",
        "ready": False,
        "reason": "no model file chosen",
        "categories": [],
        "options": None,
        "entry_point": "pixelproof.inference.onnx_yolo:YoloOnnxBackend",
        "distribution": "pixelproof",
    }
    assert "model_path" in entries["yolo-onnx"]["options"]


def test_text_output_and_model_check(capsys: pytest.CaptureFixture[str], shared_models: Path) -> None:
    code, out, _ = run(capsys, "backends")
    assert code == 0
    assert any(line.split()[:3] == ["yolo-onnx", "detect", "not"] for line in out.splitlines())
    code, out, _ = run(capsys, "backends", "--json", "--model", str(shared_models / "yolo11n.onnx"))
    yolo = next(e for e in json.loads(out) if e["name"] == "yolo-onnx")
    assert yolo["ready"] is True and yolo["categories"][0] == "person"


def test_bad_model_files_are_explained(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not onnx at all")
    code, out, _ = run(capsys, "backends", "--model", str(junk))
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith("yolo-onnx"))
    assert "not ready" in line and "junk.onnx: not an ONNX model" in line
    xml = tmp_path / "bad.xml"
    xml.write_text("<x/>")
    code, out, _ = run(capsys, "backends", "--model", str(xml))
    line = next(line for line in out.splitlines() if line.startswith("cascade"))
    assert "bad.xml: not" in line and "cascade XML" in line


def test_missing_onnxruntime_is_explained(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime -> ImportError
    code, out, _ = run(capsys, "backends", "--json")
    assert code == 0
    for name in ("yolo-onnx", "sam-onnx"):
        entry = next(e for e in json.loads(out) if e["name"] == name)
        assert entry["ready"] is False and "onnxruntime is not installed" in entry["reason"]
