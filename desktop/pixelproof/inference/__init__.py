"""Pre-labeling backends: pixels in, predictions out. Never imports Qt.

The app and the CLI use only what is re-exported here; heavy modules (onnxruntime, OpenCV backends)
load when a backend is created.
"""

from pixelproof.inference.base import (
    Backend,
    BackendError,
    ModelLoadError,
    ModelMemoryError,
    Prediction,
    Prompt,
    PromptError,
    predict_safely,
)
from pixelproof.inference.registry import ENTRY_POINT_GROUP, BackendInfo, backend_names, discover, get_backend

__all__ = [
    "ENTRY_POINT_GROUP",
    "Backend",
    "BackendError",
    "BackendInfo",
    "ModelLoadError",
    "ModelMemoryError",
    "Prediction",
    "Prompt",
    "PromptError",
    "backend_names",
    "discover",
    "get_backend",
    "predict_safely",
]
