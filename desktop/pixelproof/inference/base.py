"""The backend contract (DESIGN.md §5): Backend, Prediction, Prompt, and the entry-point registry.

A backend is a plain class: pixels in, predictions out. It never touches a Project or Qt, so the CLI, the
app's worker threads and third-party plugins all use it the same way. Backends are found through the
entry-point group ``pixelproof.backends`` (built-ins too), so a plugin needs only a few pyproject lines.

What ``prepare``/``predict`` receive: the image as ``core.imageio.read_image`` returns it, never windowed:
HxW (gray) or HxWx3/4 (RGB/RGBA) with the file's dtype, one of uint8, uint16, int16, int32, float32
(float64 from some TIFFs). Medical images are values after the modality LUT: CT in Hounsfield units
(int16/int32, negative for air and fat), MR and NIfTI as stored or scaled (float32 when scl_slope is set).
A model trained on 8-bit RGB gets its input from ``as_rgb8(image, self.display_window)`` (``rgb8_input``):
the caller sets ``display_window`` (low, high) before ``prepare``/``predict`` to what the user sees (the
view's window for an interactive backend, the file's own VOI window for a batch; reversed for MONOCHROME1,
shown inverted), so such a model sees the picture on the screen; ``None`` maps uint16 by its top byte and
other types by their 0.5-99.5 percentiles. A backend that works on values (thresholds in HU, a CT model
taking HU) uses ``image`` directly.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from pixelproof.core.wording import plural
from pixelproof.inference import arena
from pixelproof.inference.onnx_load_errors import not_onnx_reason, too_new_reason

# the backend contract tells a backend to call ``as_rgb8``, and plugins import it from here
from pixelproof.inference.rgb8_input import as_rgb8  # noqa: F401

KINDS = ("detect", "segment", "interactive")


#: where a backend's hint says an option is set, before its ``name=VALUE``: the CLI's flag, the app's form
CLI_OPTIONS = "with --option"
APP_OPTIONS = "in the Model panel's Options:"


class BackendError(Exception):
    """Anything a backend cannot do, as one message fit for a dialog or one CLI line."""


class ModelLoadError(BackendError):
    """A model file is missing, not the expected format, or has unexpected inputs/outputs."""


class PromptError(BackendError):
    """An interactive backend got no prompt or one it cannot use."""


class ModelMemoryError(BackendError):
    """The model needs more than this process's onnxruntime arena holds for this picture (its own class,
    so a batch can retry the picture in tiles on this failure and on no other)."""

    def __init__(self, message: str, memory_mb: int) -> None:
        super().__init__(message)
        self.memory_mb = memory_mb  # the arena's cap, as the message names it


@dataclass(frozen=True, slots=True)
class Prompt:
    """What the user clicked: points (label 1 = positive, 0 = negative) and/or a box [x, y, w, h].

    A point (x, y) is a pixel's index: column x, row y, its centre (SamPredictor's and OpenCV's frame,
    half a pixel off the view's scene coordinates); the box is in COCO's frame (its edges)."""

    points: tuple[tuple[float, float], ...] = ()
    labels: tuple[int, ...] = ()
    box: tuple[float, float, float, float] | None = None

    def __post_init__(self) -> None:
        if len(self.points) != len(self.labels):
            raise PromptError(f"prompt: {len(self.points)} points but {len(self.labels)} labels")
        if any(label not in (0, 1) for label in self.labels):
            raise PromptError("prompt: point labels must be 1 (positive) or 0 (negative)")
        if self.box is not None and (len(self.box) != 4 or self.box[2] <= 0 or self.box[3] <= 0):
            raise PromptError(f"prompt: box must be [x, y, w, h] with w, h > 0, got {list(self.box)}")

    @property
    def positive(self) -> list[tuple[float, float]]:
        return [p for p, lab in zip(self.points, self.labels, strict=True) if lab == 1]

    @property
    def negative(self) -> list[tuple[float, float]]:
        return [p for p, lab in zip(self.points, self.labels, strict=True) if lab == 0]


@dataclass(slots=True)
class Prediction:
    """One object: the model's class name, confidence, box [x, y, w, h] in image pixels, and optionally
    a boolean ``mask`` or COCO ``polygon`` (list of flat [x1, y1, ...] lists).

    ``mask`` is image-sized, or any smaller array whose top-left pixel sits at ``offset`` (x, y) in the
    image: a tile's or an object box's worth of pixels, so big images never need image-sized masks."""

    category: str
    score: float
    bbox: list[float]
    mask: np.ndarray | None = field(default=None, repr=False)
    polygon: list[list[float]] | None = None
    offset: tuple[int, int] = (0, 0)
    # the mask's COCO RLE at image size, when the backend made it (a semantic model's components, encoded
    # together): stored as it is; ``mask`` may then be None (``with_mask`` decodes its box); a shifted
    # copy drops it
    rle: dict[str, Any] | None = field(default=None, repr=False)
    area: int = 0  # with ``rle``: its pixel count

    def shifted(self, dx: int, dy: int) -> Prediction:
        """The same object seen from an image in which this one's (0, 0) is at (dx, dy)."""
        src = self.with_mask()
        x, y, w, h = src.bbox
        poly = None
        if src.polygon is not None:
            poly = [[v + (dx if i % 2 == 0 else dy) for i, v in enumerate(p)] for p in src.polygon]
        off = (src.offset[0] + dx, src.offset[1] + dy)
        return Prediction(src.category, src.score, [x + dx, y + dy, w, h], src.mask, poly, off)

    def with_mask(self) -> Prediction:
        """This prediction with ``mask`` set (its box's pixels, decoded from ``rle`` when the backend gave
        only that), for whoever works on the pixels: tiling, previews."""
        if self.mask is not None or self.rle is None:
            return self
        from pixelproof.core.mask_edit import crop_of

        found = crop_of(self.rle)
        (x, y, _, _), crop = found if found is not None else ((0, 0, 0, 0), np.zeros((0, 0), bool))
        bbox, poly = list(self.bbox), self.polygon
        return Prediction(self.category, self.score, bbox, crop, poly, (x, y), self.rle, self.area)

    def full_mask(self, height: int, width: int) -> np.ndarray | None:
        """The mask as an image-sized boolean array (None without a mask)."""
        src = self.with_mask()
        if src.mask is None:
            return None
        m = src.mask.astype(bool, copy=False)
        if m.shape == (height, width) and src.offset == (0, 0):
            return m
        out = np.zeros((height, width), bool)
        x, y = src.offset
        out[y : y + m.shape[0], x : x + m.shape[1]] = m
        return out


def crop_prediction(
    category: str, score: float, mask: np.ndarray, origin: tuple[int, int] = (0, 0)
) -> Prediction | None:
    """A prediction holding only its mask's box (``offset`` says where it sits, ``origin`` where ``mask``
    does): a few hundred objects of a big image then cost their own pixels, not an image each. None for an
    empty mask."""
    from pixelproof.core.mask_edit import true_rect  # (cv2, pycocotools: not at this module's import)

    rect = true_rect(mask)
    if rect is None:
        return None
    x, y, w, h = rect
    crop = np.ascontiguousarray(mask[y : y + h, x : x + w])
    ox, oy = origin[0] + x, origin[1] + y
    return Prediction(category, score, [float(ox), float(oy), float(w), float(h)], mask=crop, offset=(ox, oy))


class Backend:
    """Base class of every backend. Subclasses set the class attributes and implement ``predict``.

    ``options`` maps each name ``configure`` accepts to a one-line help text; the app builds its
    settings form from it, the CLI passes ``--option key=value`` through.
    """

    name: ClassVar[str] = ""
    kind: str = "detect"  # "detect" | "segment" | "interactive" (may change once a model is loaded)
    version: ClassVar[str] = "1"
    options: ClassVar[dict[str, str]] = {}
    needs_model: ClassVar[bool] = False  # True: ``model_path`` must be configured before predicting

    def __init__(self) -> None:
        self.model_path: Path | None = None
        self.score_threshold: float = 0.0
        # (low, high) stored values shown black..white for images that are not 8-bit; set by the caller
        # before prepare/predict (see the module docstring); as_rgb8 uses it
        self.display_window: tuple[float, float] | None = None
        # masks ``predict`` dropped so far for being under the backend's ``min_area`` (speckles): counted
        # across calls, so a batch reports them (the difference around its own calls), never silently
        self.speckles_dropped = 0
        # a tiled run sets a list here: where each speckle ``drop_speckle`` counted begins (x, y in the
        # picture ``predict`` got), so one two overlapping tiles both saw is counted once (``predict_tiled``)
        self.speckle_sites: list[tuple[int, int]] | None = None

    def drop_speckle(self, x: int, y: int) -> None:
        """Count a mask dropped under ``min_area`` whose box begins at (x, y) (recorded when asked)."""
        self.speckles_dropped += 1
        if self.speckle_sites is not None:
            self.speckle_sites.append((x, y))

    def nothing_found(self) -> str:
        """What to try when a run of this backend found no object at all (the summary's hint; "" none)."""
        return ""

    def model_input(self) -> tuple[int, int] | None:
        """The (h, w) every picture is resized to for the model; None: it takes pictures as they are."""
        return None

    def specks_hint(self, set_with: str = CLI_OPTIONS) -> str:
        """What to try when the specks it dropped vastly outnumber the objects it kept (``specks_note``);
        ``set_with`` says where an option is set (``CLI_OPTIONS``, ``APP_OPTIONS``) before ``name=VALUE``."""
        return ""

    # -- configuration -------------------------------------------------------------------------------
    def configure(self, **values: Any) -> None:
        """Set options by name; raises ``BackendError`` (``ModelLoadError`` for model files) with a
        message that names the option and what is wrong, so the app can show it as it is."""
        unknown = sorted(set(values) - set(self.options))
        if unknown:
            known = ", ".join(sorted(self.options)) or "none"
            raise BackendError(
                f"{self.name}: {plural(len(unknown), 'unknown option')} "
                f"({', '.join(unknown)}); known: {known}"
            )
        for key, value in values.items():
            if value is None:
                continue
            setter = getattr(self, f"_set_{key}", None)
            if setter is not None:
                setter(value)
            else:
                setattr(self, key, value)

    def _set_score_threshold(self, value: Any) -> None:
        try:
            score = float(value)
        except (TypeError, ValueError):
            raise BackendError(f"{self.name}: score_threshold must be a number, got {value!r}") from None
        if not 0.0 <= score <= 1.0:
            raise BackendError(f"{self.name}: score_threshold must be in 0..1, got {score}")
        self.score_threshold = score

    def _set_category(self, value: Any) -> None:
        """The ``category`` option of single-class backends: trimmed, never empty (an empty name made a
        category no one can see or pick)."""
        name = str(value).strip()
        if not name:
            raise BackendError(f"{self.name}: category must not be empty")
        self.category = name

    def ready(self) -> tuple[bool, str]:
        """(True, "") when ``predict`` can run, else (False, why not) — e.g. no model file chosen."""
        return True, ""

    @classmethod
    def implied_files(cls, values: dict[str, Any]) -> list[Path]:
        """Files the backend reads with these options although no option names them (sam-onnx: the decoder
        found beside the encoder), so that one written over on disk is noticed (``BackendSpec.stamps``)."""
        return []

    # -- what it produces ----------------------------------------------------------------------------
    def categories(self) -> list[str]:
        """Class names this backend can produce (empty when unknown until a model is loaded)."""
        return []

    @property
    def model_name(self) -> str:
        return self.model_path.name if self.model_path is not None else "builtin"

    @property
    def model_version(self) -> str:
        return self.version

    @property
    def source(self) -> str:
        """The annotation ``source``: ``model:<backend>/<model>@<version>`` (DESIGN.md §3)."""
        return f"model:{self.name}/{self.model_name}@{self.model_version}"

    # -- work ----------------------------------------------------------------------------------------
    def prepare(self, image: np.ndarray) -> None:
        """Precompute per-image state (e.g. SAM's embedding) so later prompts answer at once."""

    def predict(self, image: np.ndarray, prompt: Prompt | None = None) -> list[Prediction]:
        raise NotImplementedError

    def model_info(self) -> dict[str, Any] | None:
        """What the loaded model was found to be (family or layout, assumptions), or None."""
        return None

    def describe(self) -> dict[str, Any]:
        """JSON-ready summary, as ``pixelproof backends --json`` prints it (``model`` only once a model
        is loaded and the backend can say what it found)."""
        ok, reason = self.ready()
        out = {
            "name": self.name,
            "kind": self.kind,
            "ready": ok,
            "reason": reason,
            "categories": self.categories(),
            "options": dict(self.options),
        }
        info = self.model_info()
        if info is not None:
            out["model"] = info
        return out


def model_info_lines(info: dict[str, Any] | None) -> list[str]:
    """What a backend found its model to be (``Backend.model_info``), as ``pixelproof backends --model``
    prints it under the backend's row and the app's Model panel shows it."""
    if not info:
        return []
    lines = [f"model: {info.get('family') or info.get('layout_name', '?')}"]
    if info.get("layout"):
        lines.append(f"  layout: {info['layout']}")
    if info.get("classes_from"):
        lines.append(f"  classes: {info['classes_from']}")
    lines += [f"  assumed: {a}" for a in info.get("assumptions", [])]
    return lines


class OnnxBackend(Backend):
    """Base of the onnxruntime backends: the ``threads`` option, the last load error, and ``ready``
    saying which of onnxruntime, a loadable model or a chosen model is missing."""

    no_model: ClassVar[str] = "no model file chosen"  # ``ready``'s reason before any model is chosen

    def __init__(self) -> None:
        super().__init__()
        self.threads = 0
        self._error: str | None = None  # why the last model failed to load

    def _loaded(self) -> bool:
        """True once a model is loaded (subclasses say what that means)."""
        raise NotImplementedError

    def _set_threads(self, value: Any) -> None:
        """Set, then reload a loaded model: a session's thread count is fixed when it is created."""
        self.threads = max(0, parse_int(f"{self.name}: threads", value))
        reload = getattr(self, "_set_model_path", None)
        if reload is not None and self.model_path is not None and self._loaded():
            reload(self.model_path)

    def _not_loaded(self) -> BackendError:
        """The error ``predict`` raises without a model: the load error, if any."""
        return BackendError(f"{self.name}: {self._error or 'no model file chosen'}")

    def ready(self) -> tuple[bool, str]:
        try:
            import_onnxruntime()
        except BackendError as e:
            return False, str(e)
        if self._error:
            return False, self._error
        if not self._loaded():
            return False, self.no_model
        return True, ""


def predict_safely(
    backend: Backend,
    image: np.ndarray,
    prompt: Prompt | None = None,
    *,
    offset: tuple[int, int] = (0, 0),
) -> list[Prediction]:
    """Run a backend; whatever it raises comes back as ``BackendError`` (one clear message), and
    malformed predictions are rejected here rather than deep inside the app.

    For a tile, ``offset`` (x, y) is where ``image`` sits in the whole picture: the backend sees only
    the tile, and its predictions come back in the whole picture's coordinates (masks stay tile-sized,
    their ``offset`` saying where)."""
    ok, reason = backend.ready()
    if not ok:
        raise BackendError(f"{backend.name}: not ready: {reason}")
    try:
        predictions = backend.predict(image, prompt)
    except BackendError:
        raise
    except MemoryError:
        raise BackendError(f"{backend.name}: out of memory") from None
    except (Exception, SystemExit) as e:  # a plugin's bug (even its sys.exit) must not take the app down
        cap = arena.cap_bytes()
        if "Available memory of" in str(e) and cap is not None:  # onnxruntime's arena is full
            from pixelproof.inference.arena import ENV_MODEL_MEMORY

            h, w = image.shape[:2]
            raise ModelMemoryError(
                f"{backend.name}: the model needs more than its {cap >> 20:,} MB of memory for this "
                f"{w}x{h} picture; pre-label it in tiles (--tile SIZE) or give the model a fixed input "
                f"size (its card's input.size); the budget is {ENV_MODEL_MEMORY}",
                cap >> 20,
            ) from None
        raise BackendError(f"{backend.name} failed: {type(e).__name__}: {e}") from e
    h, w = image.shape[:2]
    for p in predictions:
        if not isinstance(p, Prediction) or len(p.bbox) != 4:
            raise BackendError(f"{backend.name}: returned a malformed prediction: {p!r}")
        if p.rle is not None and (not isinstance(p.rle, dict) or p.rle.get("size") != [h, w]):
            raise BackendError(f"{backend.name}: an RLE mask not of the image's size {[h, w]}")
        if p.mask is not None:
            x, y = p.offset
            mh, mw = p.mask.shape if p.mask.ndim == 2 else (-1, -1)
            if x < 0 or y < 0 or mh < 0 or x + mw > w or y + mh > h:
                raise BackendError(
                    f"{backend.name}: mask of shape {p.mask.shape} at {p.offset} "
                    f"does not fit the image {(h, w)}"
                )
    _check_numbers(backend, predictions)
    if offset != (0, 0):
        predictions = [p.shifted(*offset) for p in predictions]
    return predictions


def _check_numbers(backend: Backend, predictions: list[Prediction]) -> None:
    """``BackendError`` naming the model when a box or score is NaN or infinite (a broken export, an fp16
    overflow): stored, they made an annotation the project could not be reloaded with (a NaN box is
    written as null) or a score lost as null; or when a score is outside 0..1 (a logit, a count): scores are
    used as probabilities (the Model panel's slider, lint). One array over all the predictions, not a loop."""
    if not predictions:
        return
    try:
        values = np.array([[*p.bbox, p.score] for p in predictions], np.float64)
        finite = np.isfinite(values).all(axis=1)
    except (TypeError, ValueError, OverflowError):  # not numbers at all
        finite = np.zeros(len(predictions), bool)
    if not finite.all():
        p = predictions[int(np.argmin(finite))]
        raise BackendError(
            f"{backend.name}: the model {backend.model_name} gave a box or score that is not a finite "
            f"number (box {list(p.bbox)}, score {p.score}) for {int(np.count_nonzero(~finite))} of "
            f"{len(predictions)} objects: its outputs are NaN or infinite for this picture"
        )
    outside = (values[:, 4] < 0) | (values[:, 4] > 1)
    if outside.any():
        raise BackendError(
            f"{backend.name}: the model {backend.model_name} gave scores outside 0..1 (got "
            f"{values[int(np.argmax(outside)), 4]:g}) for {int(np.count_nonzero(outside))} of "
            f"{len(predictions)} objects: scores must be probabilities"
        )


def parse_int(what: str, value: Any) -> int:
    """``int(value)``, or ``BackendError`` "<what> must be an integer" for an option set from text."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise BackendError(f"{what} must be an integer, got {value!r}") from None


def parse_bool(what: str, value: Any) -> bool:
    """A yes/no option set from text (true/false, yes/no, on/off, 1/0), or ``BackendError`` "<what> must be
    true or false": a typo such as ``split=flase`` must not be read as one of the two."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise BackendError(f"{what} must be true or false, got {value!r}")


def parse_fraction(what: str, value: Any) -> float:
    """``float(value)`` in 0..1, or ``BackendError`` "<what> must be in 0..1" for an option set from text."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = -1.0
    if not 0.0 <= v <= 1.0:
        raise BackendError(f"{what} must be in 0..1, got {value!r}")
    return v


def import_onnxruntime() -> Any:
    """The onnxruntime module, or ``BackendError`` saying how to get it (it is an optional extra)."""
    try:
        return importlib.import_module("onnxruntime")
    except ImportError:
        raise BackendError(
            "onnxruntime is not installed; install it with: pip install onnxruntime "
            '(or pip install "pixelproof[onnx]")'
        ) from None


def check_file(path: str | Path, what: str) -> Path:
    """An existing regular file, or ``ModelLoadError`` naming it."""
    p = Path(path)
    if not p.exists():
        raise ModelLoadError(f"{p}: {what} not found")
    if not p.is_file():
        raise ModelLoadError(f"{p}: {what} is not a file")
    return p


def check_model_input(path: str | Path, height: int, width: int) -> None:
    """A model's fixed input size (or the one its card or metadata gives) within the pixel limit
    (``core.limits``), else ``ModelLoadError`` naming the file: a graph declaring a 100000 x 100000 input
    would have every picture resized to 120 GB of floats."""
    from pixelproof.core.limits import LimitError, check_image_size

    try:
        check_image_size(width, height, f"{path}: model input")
    except LimitError as e:
        raise ModelLoadError(str(e)) from None


def check_picture_input(path: str | Path, arg: Any) -> None:
    """A model's picture input (an onnxruntime ``NodeArg``) takes what the backends feed, float32, has no
    fixed side of 0 and no fixed batch over 1; anything else is refused at load, not by onnxruntime at
    every picture with a message naming no file."""
    shape = list(arg.shape or [])
    if arg.type != "tensor(float)":
        raise ModelLoadError(
            f"{path}: input {arg.name} is {arg.type}; expected float32 (fp16 and integer inputs are not "
            "supported)"
        )
    if any(isinstance(v, int) and v == 0 for v in shape):
        raise ModelLoadError(f"{path}: input {arg.name} {shape} has a side of 0")
    if len(shape) == 4 and isinstance(shape[0], int) and shape[0] > 1:
        raise ModelLoadError(
            f"{path}: input {arg.name} {shape} takes a batch of {shape[0]}; pictures are fed one at a time "
            "(export with batch 1 or a dynamic batch)"
        )


def box_xyxy_to_xywh(boxes: Sequence[float]) -> list[float]:
    x1, y1, x2, y2 = (float(v) for v in boxes)
    return [x1, y1, x2 - x1, y2 - y1]


def default_threads() -> int:
    """Intra-op threads for onnxruntime: this process's share of the cores (capped at 8) — all the cores
    it may use when it runs alone, ``cores // workers`` in a batch worker — so workers x threads never
    oversubscribe the CPU (``pixelproof.core.batch.worker_threads``)."""
    from pixelproof.core.batch import worker_threads

    return max(1, min(worker_threads(), 8))


def open_onnx_session(path: str | Path, what: str = "ONNX model", threads: int = 0) -> Any:
    """An onnxruntime CPU session for ``path``; ``ModelLoadError`` with a one-line reason for a missing
    file or a file that is not ONNX, ``BackendError`` when onnxruntime is missing."""
    ort = import_onnxruntime()
    p = check_file(path, what)
    if p.stat().st_size == 0:
        raise ModelLoadError(f"{p}: not an ONNX model (the file is empty: an interrupted copy or download?)")
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads if threads > 0 else default_threads()
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # fatal only: a failed run is raised and reported by us in one line; onnxruntime's own ERROR log
    # (coloured `[E:onnxruntime:...]` lines, e.g. each allocation a capped arena refuses) only adds noise
    opts.log_severity_level = 4
    # idle intra-op threads sleep instead of spinning: between runs the spinning thread would take a core
    # from what the app does with the outputs (on a busy machine it halved the model's own speed too)
    opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
    if arena.register(ort) is not None:  # past it a run fails with a message, not the machine
        opts.add_session_config_entry("session.use_env_allocators", "1")
    try:
        return ort.InferenceSession(str(p), sess_options=opts, providers=["CPUExecutionProvider"])
    except Exception as e:
        text = str(e)
        if "INVALID_PROTOBUF" in text or "Protobuf parsing failed" in text:
            raise ModelLoadError(f"{p}: {not_onnx_reason(p)}") from None
        if too_new := too_new_reason(text):
            raise ModelLoadError(f"{p}: {too_new}") from None
        reason = text.split("\n", 1)[0].replace("[ONNXRuntimeError] : ", "")
        raise ModelLoadError(f"{p}: onnxruntime cannot load this {what}: {reason}") from None


SPECKS_PER_OBJECT = 10  # specks dropped per object kept from which a run says the level cut into noise
SPECKS_AT_LEAST = 100  # ... and at least this many: a few specks beside a few objects are no sign


def keep_small_hint(backend: Backend, kept: int, dropped: int, set_with: str = CLI_OPTIONS) -> str:
    """How to keep the few regions ``backend`` dropped under its ``min_area`` (defects of 1-5 px under the
    default 30, said as a count only, left the user to guess the option); "" when it has no such option or
    they are the many specks of a level cut into noise (``specks_note``), which min_area=1 would add."""
    if (
        "min_area" not in backend.options
        or not 0 < dropped < SPECKS_AT_LEAST
        or specks_note(backend, kept, dropped)
    ):
        return ""
    return f"keep them {set_with} min_area=1"


def specks_note(backend: Backend, kept: int, dropped: int, set_with: str = CLI_OPTIONS) -> str:
    """One line when the specks ``backend`` dropped under ``min_area`` outnumber the objects kept ten to one
    (at least 100): its level cut background noise into specks (a mostly-background defect image at the
    Otsu level: 1,540 objects, 34,643 specks), with what to set (``set_with``: where, CLI or app); ""
    otherwise, or when it has no hint."""
    if kept <= 0 or dropped < max(SPECKS_AT_LEAST, SPECKS_PER_OBJECT * kept):
        return ""
    hint = backend.specks_hint(set_with)
    return f"{dropped:,} specks dropped against {kept:,} objects kept: {hint}" if hint else ""
