"""The ``onnx`` backend: one backend for every model family people export to ONNX.

torchvision detectors (Faster R-CNN, RetinaNet, SSD/SSDlite, FCOS), Mask R-CNN, semantic segmenters
(DeepLabV3, LRASPP, FCN, U-Net, SegFormer-style logits) and Ultralytics exports (delegated to
``yolo-onnx``). The family comes from the model card beside the file or, without one, from the graph's
inputs and outputs; ``describe()`` says which and what was assumed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from pixelproof.inference.base import (
    BackendError,
    ModelLoadError,
    OnnxBackend,
    Prediction,
    Prompt,
    check_model_input,
    check_picture_input,
    open_onnx_session,
    parse_fraction,
    parse_int,
)
from pixelproof.inference.model_card import (
    NO_NAMES,
    Detected,
    InputRecipe,
    ModelCard,
    classes_count_error,
    detect_family,
    metadata_classes,
    read_card,
    read_classes_file,
)
from pixelproof.inference.onnx_torchvision import (
    DetectionBinding,
    bind_detection_outputs,
    class_map,
    detection_predictions,
    semantic_input,
    semantic_predictions,
)
from pixelproof.inference.rgb8_input import as_rgb8

DEFAULT_SCORE = {
    "torchvision-detection": 0.5,
    "torchvision-mask-rcnn": 0.5,
    "semantic": 0.0,
    "ultralytics": 0.25,
}
KIND = {"torchvision-detection": "detect", "torchvision-mask-rcnn": "segment", "semantic": "segment"}
INSTANCE_MODES = ("components", "class")
# a semantic model's components under 16 pixels (4 x 4) are speckles of its upsampled logits, not objects
# anyone reviews one by one: a random or weak model makes thousands per picture
SEMANTIC_MIN_AREA = 16


def _fixed(v: Any) -> int | None:
    return v if isinstance(v, int) and v > 0 else None


def _side(v: Any) -> str:
    return str(v) if _fixed(v) else "any"


class OnnxModelBackend(OnnxBackend):
    """Any supported family, found from the model card or the graph (module docstring)."""

    name = "onnx"
    kind = "detect"
    needs_model = True
    reads_card = True  # <model>.json beside the model (``model_card``): its family and class names
    options: ClassVar[dict[str, str]] = {
        "model_path": "ONNX model: torchvision detection / Mask R-CNN, semantic segmentation or Ultralytics "
        "(a model card <model>.json beside it names the family and classes)",
        "classes_file": "class names, one a line (index = label id or logit channel); "
        "overrides the card and the metadata",
        "score_threshold": "minimum score (default: 0.5 detection, 0 semantic, 0.25 Ultralytics)",
        "mask_threshold": "Mask R-CNN mask probability threshold (default 0.5)",
        "instances": '"components" (one mask per 8-connected region, default) or "class" (one per class): '
        "semantic models",
        "min_area": "semantic: masks under this many pixels (speckles) are dropped and counted in the "
        f"report (default {SEMANTIC_MIN_AREA}; 1 keeps every component)",
        "iou_threshold": "Ultralytics: NMS IoU threshold (default 0.7)",
        "threads": "onnxruntime intra-op threads (default: the cores this process may use, max 8)",
    }

    def __init__(self) -> None:
        super().__init__()
        self.score_threshold = 0.5
        self.mask_threshold = 0.5
        self.instances = "components"
        self.min_area = SEMANTIC_MIN_AREA
        self.iou_threshold = 0.7
        self.classes_file: Path | None = None
        self.session: Any = None
        self.family = ""
        self.detected: Detected | None = None
        self.classes: list[str] = []
        self.classes_from = ""
        self.classes_source: Path | None = None  # the card or classes file the names came from
        self.background: int | None = None
        self.binding: DetectionBinding | None = None
        self.recipe: InputRecipe | None = None
        self.logits_index = 0
        self.input_name = ""
        self.input_rank = 3
        self.fixed_hw: tuple[int, int] | None = None  # a detector exported without dynamic height/width
        self.delegate: Any = None  # a YoloOnnxBackend for Ultralytics exports
        self._threshold_given = False

    # -- configuration -------------------------------------------------------------------------------
    def _set_score_threshold(self, value: Any) -> None:
        super()._set_score_threshold(value)
        self._threshold_given = True
        if self.delegate is not None:
            self.delegate.score_threshold = self.score_threshold

    def _set_mask_threshold(self, value: Any) -> None:
        self.mask_threshold = parse_fraction("onnx: mask_threshold", value)

    def _set_iou_threshold(self, value: Any) -> None:
        self.iou_threshold = parse_fraction("onnx: iou_threshold", value)
        if self.delegate is not None:
            self.delegate.iou_threshold = self.iou_threshold

    def _set_instances(self, value: Any) -> None:
        if value not in INSTANCE_MODES:
            raise BackendError(f'onnx: instances must be "components" or "class", got {value!r}')
        self.instances = value

    def _set_min_area(self, value: Any) -> None:
        self.min_area = max(1, parse_int("onnx: min_area", value))

    def _set_classes_file(self, value: Any) -> None:
        self.classes_file = Path(value) if value else None
        read_classes_file(self.classes_file) if self.classes_file else None  # fail now, with its name
        if self.model_path is not None:
            self._set_model_path(self.model_path)

    def _set_model_path(self, value: Any) -> None:
        self.session = self.delegate = self.binding = self.recipe = self.detected = None
        self.model_path = None
        self._error = None
        try:
            self._load(Path(value))
        except BackendError as e:
            self._error = str(e)
            raise
        self.model_path = Path(value)

    def _load(self, path: Path) -> None:
        card = read_card(path)
        session = open_onnx_session(path, "ONNX model", self.threads)
        meta = dict(session.get_modelmeta().custom_metadata_map or {})
        inputs, outputs = session.get_inputs(), session.get_outputs()
        if card.family is not None:
            detected = Detected(card.family, "", [f"family {card.family} (from the model card)"])
        else:
            try:
                detected = detect_family(inputs, outputs, meta)
            except ModelLoadError as e:
                raise ModelLoadError(f"{path}: {e}") from None
        self.family = detected.family
        self._resolve_classes(card, meta, detected)
        try:
            if self.family == "ultralytics":
                self._load_ultralytics(path, session, card, detected)
            elif self.family == "semantic":
                self._load_semantic(path, inputs, outputs, card, detected)
            else:
                self._load_detection(path, inputs, outputs, detected)
        except ModelLoadError as e:
            raise _wrong_family(card, inputs, outputs, meta, e) from None
        self.session = session
        self.detected = detected
        if not self._threshold_given:
            self.score_threshold = DEFAULT_SCORE[self.family]
            if self.delegate is not None:
                self.delegate.score_threshold = self.score_threshold

    def _resolve_classes(self, card: ModelCard, meta: dict[str, str], detected: Detected) -> None:
        """Class names: ``classes_file`` > card > ONNX metadata > ``class_<id>``; background: the card's,
        else torchvision's convention (index 0) for torchvision and semantic models."""
        from_meta, key = metadata_classes(meta)
        self.classes_source = None
        if self.classes_file is not None:
            self.classes, self.classes_from = (
                read_classes_file(self.classes_file),
                f"file {self.classes_file}",
            )
            self.classes_source = self.classes_file
        elif card.classes is not None:
            self.classes, self.classes_from = card.classes, "the model card"
            self.classes_source = card.path
            if from_meta is not None and from_meta != card.classes:
                detected.assumptions.append(f"ONNX metadata '{key}' lists other classes; the card wins")
        elif from_meta is not None:
            self.classes, self.classes_from = from_meta, f"ONNX metadata '{key}'"
        else:
            self.classes, self.classes_from = [], f"{NO_NAMES}: class_<id>"
            detected.assumptions.append("class names class_<id> (no card, no metadata, no classes file)")
        if card.background_given:
            self.background = card.background
            if self.background is not None and self.classes and self.background >= len(self.classes):
                raise _background_past(card, self.background, len(self.classes), self.classes_from)
        elif self.family == "ultralytics":
            self.background = None
        else:
            self.background = 0
            detected.assumptions.append("background = class 0 (torchvision convention; makes no objects)")

    def _load_detection(self, path: Path, inputs: list[Any], outputs: list[Any], detected: Detected) -> None:
        shape = list(inputs[0].shape or []) if inputs else []
        if (
            len(inputs) != 1
            or len(shape) not in (3, 4)
            or (len(shape) == 4 and _fixed(shape[0]) not in (1, None))
            or _fixed(shape[-3]) not in (3, None)
        ):
            raise ModelLoadError(
                f"{path}: a torchvision detector takes one image [3, H, W]; inputs are "
                f"{[list(i.shape or []) for i in inputs]}"
            )
        check_picture_input(path, inputs[0])
        binding = bind_detection_outputs(outputs, str(path))
        if self.family == "torchvision-mask-rcnn" and binding.masks is None:
            raise ModelLoadError(
                f"{path}: the card says Mask R-CNN but the model has no masks [N,1,H,W] output"
            )
        if self.family == "torchvision-detection" and binding.masks is not None:
            binding = DetectionBinding(binding.boxes, binding.labels, binding.scores, None, binding.notes)
            detected.assumptions.append("masks output ignored (the card says torchvision-detection)")
        detected.assumptions.extend(binding.notes)
        names = [o.name for o in outputs]
        roles = (
            f"boxes={names[binding.boxes]}, labels={names[binding.labels]}, scores={names[binding.scores]}"
        )
        if binding.masks is not None:
            roles += f", masks={names[binding.masks]}"
        detected.layout = f"input {inputs[0].name} {shape}; outputs bound by dtype/shape: {roles}"
        self.binding, self.input_name, self.input_rank = binding, inputs[0].name, len(shape)
        self.fixed_hw = None
        if _fixed(shape[-2]) or _fixed(shape[-1]):
            self.fixed_hw = (shape[-2], shape[-1])
            detected.assumptions.append(
                f"input fixed at {_side(shape[-1])}x{_side(shape[-2])}: only pictures of that size run "
                "(export with dynamic height and width for others)"
            )
        self.kind = KIND[self.family]

    def _load_semantic(
        self, path: Path, inputs: list[Any], outputs: list[Any], card: ModelCard, detected: Detected
    ) -> None:
        shape = list(inputs[0].shape or []) if inputs else []
        if len(inputs) != 1 or len(shape) != 4 or _fixed(shape[1]) not in (3, None):
            raise ModelLoadError(
                f"{path}: a semantic model takes one input [1, 3, H, W]; inputs are "
                f"{[list(i.shape or []) for i in inputs]}"
            )
        check_picture_input(path, inputs[0])
        names = [o.name for o in outputs]
        index = (
            names.index("out") if "out" in names else next((i for i, n in enumerate(names) if n != "aux"), 0)
        )
        if len(outputs[index].shape or []) != 4:
            raise ModelLoadError(f"{path}: output {names[index]!r} is not logits [1, C, H, W]")
        fixed = (_fixed(shape[2]), _fixed(shape[3]))
        model_size = fixed if None not in fixed else None
        if model_size is not None:
            check_model_input(path, *model_size)
        recipe = card.input or InputRecipe()
        one_side = model_size is None and fixed != (None, None)
        given = recipe.size or (None, None)
        if one_side and any(f not in (None, r) for f, r in zip(fixed, given, strict=True)):
            raise ModelLoadError(
                f"{path}: input {inputs[0].name} {shape} fixes one side only; give the card's input.size "
                "[H, W] with that side"
            )
        if card.input is None:
            why = "the card gives no input" if card.path is not None else "no card"
            detected.assumptions.append(f"input: pixel/255, ImageNet mean/std ({why})")
        if recipe.size is not None and model_size is not None and recipe.size != model_size:
            raise ModelLoadError(
                f"{path}: the card's input size {list(recipe.size)} differs from the model's "
                f"{list(model_size)}"
            )
        if recipe.size is None and model_size is not None:
            recipe = InputRecipe(model_size, recipe.mean, recipe.std, recipe.scale)
            detected.assumptions.append(f"input resized to the model's fixed {model_size[0]}x{model_size[1]}")
        size = f"{recipe.size[0]}x{recipe.size[1]} (Pillow bilinear)" if recipe.size else "image size"
        detected.layout = (
            f"input {inputs[0].name} {shape} at {size}; logits {names[index]!r} -> bilinear to the image, "
            "argmax"
        )
        channels = _fixed((outputs[index].shape or [None, None])[1])
        if channels and self.classes_source and len(self.classes) != channels:  # a card for another model
            raise ModelLoadError(
                f"{self.classes_source}: classes: {len(self.classes)} names, but output {names[index]} has "
                f"{channels} logit channels"
            )
        if channels and self.background is not None and self.background >= channels:
            raise ModelLoadError(
                f"{card.path}: background: {self.background} is not a logit channel of output "
                f"{names[index]} ({channels} channels)"
            )
        if not self.classes and channels:
            self.classes = [f"class_{i}" for i in range(channels)]
        self.recipe, self.logits_index, self.input_name = recipe, index, inputs[0].name
        self.kind = "segment"

    def _load_ultralytics(self, path: Path, session: Any, card: ModelCard, detected: Detected) -> None:
        from pixelproof.inference.onnx_yolo import YoloOnnxBackend

        delegate = YoloOnnxBackend()
        delegate.threads = self.threads
        delegate.iou_threshold = self.iou_threshold
        delegate._load(path, session)
        delegate.model_path = path
        # what yolo-onnx found, said as it says it; the family's source and a card's or file's names are ours
        detected.layout = delegate.layout
        named = self.classes_from.startswith(("file", "the model card"))
        if not named:  # yolo-onnx reads only 'names' from the metadata; its class<id> otherwise
            self.classes_from = delegate.classes_from
            detected.assumptions[:] = [a for a in detected.assumptions if not a.startswith("class names")]
        detected.assumptions += [a for a in delegate.assumed if not (named and a.startswith("class names"))]
        if named:
            known = len(delegate.names)  # from the model's metadata or its output rows
            if known and len(self.classes) != known:  # a card or classes file for another model
                raise classes_count_error(self.classes_source, len(self.classes), path, known)
            delegate.names = dict(enumerate(self.classes))
        known = len(delegate.names)
        if self.background is not None and known and self.background >= known:
            raise _background_past(card, self.background, known, f"the model {path.name}")
        self.classes = delegate.categories()
        delegate.background = self.background
        self.delegate = delegate
        self.kind = delegate.kind

    # -- state ---------------------------------------------------------------------------------------
    def _loaded(self) -> bool:
        return self.session is not None

    def categories(self) -> list[str]:
        return [c for i, c in enumerate(self.classes) if i != self.background]

    def model_input(self) -> tuple[int, int] | None:
        """An Ultralytics export's letterbox, or a semantic model's fixed resize; None for torchvision
        detectors (any size: they resize inside, by rules the graph does not tell)."""
        if self.delegate is not None:
            return self.delegate.model_input()
        return self.recipe.size if self.recipe is not None else None

    @property
    def model_version(self) -> str:
        return self.delegate.model_version if self.delegate is not None else self.version

    def model_info(self) -> dict[str, Any] | None:
        if self.detected is None:
            return None
        return {
            "family": self.family,
            "layout": self.detected.layout,
            "assumptions": list(self.detected.assumptions),
            "classes_from": self.classes_from,
        }

    # -- inference -----------------------------------------------------------------------------------
    def predict(self, image: np.ndarray, prompt: Prompt | None = None) -> list[Prediction]:
        if self.session is None:
            raise self._not_loaded()
        if self.delegate is not None:
            self.delegate.display_window = self.display_window
            return self.delegate.predict(image, prompt)
        rgb = as_rgb8(image, self.display_window)
        h, w = rgb.shape[:2]
        if self.recipe is not None:
            tensor = semantic_input(rgb, self.recipe)
            logits = self.session.run(None, {self.input_name: tensor})[self.logits_index]
            if logits.ndim != 4 or logits.shape[0] != 1 or 0 in logits.shape:
                raise BackendError(f"onnx: logits have shape {list(logits.shape)}; expected [1, C, H, W]")
            classes_map, confidence = class_map(logits[0], (h, w))
            if not np.isfinite(confidence).all():  # a NaN or +inf logit makes a NaN softmax there
                raise BackendError(
                    f"onnx: the model {self.model_name} gave logits that are NaN or infinite for this picture"
                )
            predictions, speckles = semantic_predictions(
                classes_map,
                confidence,
                self.classes,
                self.background,
                per_class=self.instances == "class",
                min_area=self.min_area,
                score_threshold=self.score_threshold,
            )
            self.speckles_dropped += speckles
            return predictions
        assert self.binding is not None
        if self.fixed_hw is not None and any(
            f not in (None, v) for f, v in zip(self.fixed_hw, (h, w), strict=True)
        ):
            fh, fw = (_side(v) for v in self.fixed_hw)
            raise BackendError(
                f"onnx: the model {self.model_name} takes only {fw}x{fh} pictures (its input is fixed); "
                f"this one is {w}x{h}: export the model with dynamic height and width"
            )
        tensor = np.divide(rgb.transpose(2, 0, 1), np.float32(255), dtype=np.float32)
        if self.input_rank == 4:
            tensor = tensor[None]
        arrays = self.session.run(None, {self.input_name: tensor})
        try:
            return detection_predictions(
                arrays,
                self.binding,
                self.classes,
                self.background,
                self.score_threshold,
                self.mask_threshold,
                (h, w),
            )
        except ValueError as e:
            where = f", from {self.classes_source})" if self.classes_source else ")"
            text = str(e)
            text = text[:-1] + where if text.endswith(" known)") else text
            raise BackendError(f"onnx: the model {self.model_name} {text}") from None


def _background_past(card: ModelCard, background: int, count: int, source: str) -> ModelLoadError:
    """A card's background that names no class: a card written for a model with a background class."""
    return ModelLoadError(
        f"{card.path}: background: {background} is not an index of classes ({count} names, from {source})"
    )


def _wrong_family(
    card: ModelCard, inputs: list[Any], outputs: list[Any], meta: dict[str, str], error: ModelLoadError
) -> ModelLoadError:
    """``error`` from loading a model as its card's family, naming the card's ``family`` and what the graph
    looks like when that is another family (a card copied from another model); else ``error`` itself."""
    if card.family is None:
        return error
    try:
        found = detect_family(inputs, outputs, meta).family
    except ModelLoadError:
        found = None
    if found == card.family:
        return error
    graph = f"the graph looks like {found}" if found else "the graph matches no family"
    return ModelLoadError(
        f"{card.path}: family: {card.family!r} does not fit the model ({graph}; a card for another model?): "
        f"{error}"
    )
