"""Why onnxruntime could not open a model file, said as what is wrong and what to do.

onnxruntime's own text is a C++ signature and a paragraph ("Protobuf parsing failed", "ValidateOpsetForDomain
... Opset 99 is under development ..."); in the Model panel's two lines only the file's path showed. Users
bring a ``.pt`` checkpoint for the ``.onnx`` beside it, a copy cut short, or an export made with a newer
opset than their onnxruntime runs: each is told apart here from the file's first bytes or onnxruntime's
message, so the reason names the cause and the fix.
"""

from __future__ import annotations

import re
from pathlib import Path

# ONNX ModelProto starts with field 1 (ir_version, varint): tag byte 0x08. Exporters write it first.
_ONNX_FIRST_BYTE = 0x08
_OPSET = re.compile(r"Opset (\d+) is under development.*?is till opset (\d+)", re.S)
_IR = re.compile(r"Unsupported model IR version: (\d+), max supported IR version: (\d+)")


def _head(path: Path, n: int = 16) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(n)
    except OSError:
        return b""


def not_onnx_reason(path: Path) -> str:
    """Why a file that does not parse as ONNX is not one, from its first bytes: another framework's
    format (with how to export it), a cut-short ONNX file, or neither."""
    head = _head(path)
    if head.startswith(b"PK\x03\x04"):  # torch.save since 1.6 and TorchScript write zip archives
        return (
            "not an ONNX model: this is a PyTorch checkpoint (a zip archive, as torch.save writes a .pt or "
            ".pth); export it to ONNX first (Ultralytics: `yolo export model=best.pt format=onnx`; "
            "torchvision: torch.onnx.export, see the README) and choose the .onnx file"
        )
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return (
            "not an ONNX model: this is a Python pickle (an old-style PyTorch .pt/.pth checkpoint); "
            "export it to ONNX first (torch.onnx.export) and choose the .onnx file"
        )
    if head.startswith(b"\x89HDF"):
        return "not an ONNX model: this is an HDF5 file (a Keras .h5 model); convert it to ONNX (tf2onnx)"
    if head[4:8] == b"TFL3":
        return "not an ONNX model: this is a TensorFlow Lite model; convert it to ONNX (tf2onnx --tflite)"
    if head[:1] == bytes([_ONNX_FIRST_BYTE]):
        return (
            "the file starts as an ONNX model but does not parse: it is cut short or damaged "
            "(an interrupted copy or download?); copy or export it again"
        )
    return "not an ONNX model (the file does not parse as ONNX)"


def too_new_reason(text: str) -> str:
    """When onnxruntime's error says the model's opset or IR version is newer than it runs: which, the
    installed onnxruntime's limit and what to do; "" for any other error."""
    version = _ort_version()
    found = _OPSET.search(text)
    if found:
        need, limit = found.groups()
        return (
            f"the model needs ONNX opset {need}; the installed onnxruntime{version} runs up to opset "
            f"{limit}: export it again with opset_version={limit} or lower (17 is widely supported), "
            "or upgrade onnxruntime"
        )
    found = _IR.search(text)
    if found:
        need, limit = found.groups()
        return (
            f"the model file has ONNX IR version {need}; the installed onnxruntime{version} reads up to "
            f"IR version {limit}: export it with an older onnx package (or set ir_version={limit}), "
            "or upgrade onnxruntime"
        )
    return ""


def _ort_version() -> str:
    try:
        import onnxruntime

        return f" {onnxruntime.__version__}"
    except Exception:  # a version is only a detail of the message
        return ""
