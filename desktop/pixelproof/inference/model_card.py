"""What an ONNX model is: its family, class names and input recipe, from a card beside it or its graph.

A model card is ``<model file name>.json`` beside the model (e.g. ``deeplab.onnx.json``)::

    {"family": "semantic", "classes": ["background", "road"], "background": 0,
     "input": {"size": [512, 512], "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225], "scale": 255}}

Without a card the family is read from the graph's inputs and outputs (:func:`detect_family`), and every
guess is recorded in ``assumptions`` so ``pixelproof backends --model`` can say what it assumed. Where the
card and the ONNX metadata disagree, the card wins.
"""

from __future__ import annotations

import ast
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pixelproof.core.limits import MAX_CLASSES, short_repr
from pixelproof.core.wording import plural
from pixelproof.inference.base import ModelLoadError

FAMILIES = ("torchvision-detection", "torchvision-mask-rcnn", "semantic", "ultralytics")
CARD_KEYS = ("family", "classes", "background", "input")
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
MAX_CARD_BYTES = 4 << 20  # a card is a few lines; anything this big is not one
MAX_INPUT_SIDE = 16384
METADATA_CLASS_KEYS = ("names", "classes", "class_names", "labels")


@dataclass(slots=True)
class InputRecipe:
    """How pixels become a semantic model's input: resize to ``size`` (h, w) or not, pixel/scale, then
    (x - mean) / std per RGB channel."""

    size: tuple[int, int] | None = None
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    scale: float = 255.0


@dataclass(slots=True)
class ModelCard:
    """Everything the ``onnx`` backend needs to know about a model beyond its weights."""

    family: str | None = None
    classes: list[str] | None = None
    background: int | None = None
    background_given: bool = False  # the card said "background" (null included)
    input: InputRecipe | None = None
    path: Path | None = None  # the card file, when there is one


@dataclass(slots=True)
class Detected:
    """The family and its output binding found in a graph, and what was assumed to get there."""

    family: str
    layout: str  # one line: what was seen, e.g. "input images [3,H,W]; outputs boxes, labels, scores"
    assumptions: list[str] = field(default_factory=list)


def card_path(model: Path) -> Path:
    return model.with_name(model.name + ".json")


def _fail(card: Path, where: str, what: str) -> ModelLoadError:
    return ModelLoadError(f"{card}: {where}: {what}")


def _finite(card: Path, where: str, value: Any) -> float:
    try:
        finite = not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)
    except OverflowError:  # an integer of 400 digits has no float
        finite = False
    if not finite:
        raise _fail(card, where, f"expected a finite number, got {short_repr(value)}")
    return float(value)


def _triple(card: Path, where: str, value: Any, positive: bool = False) -> tuple[float, float, float]:
    if not isinstance(value, list) or len(value) != 3:
        raise _fail(card, where, f"expected 3 numbers (r, g, b), got {value!r}")
    out = tuple(_finite(card, f"{where}[{i}]", v) for i, v in enumerate(value))
    if positive and min(out) <= 0:
        raise _fail(card, where, f"must be > 0, got {list(out)}")
    return out  # type: ignore[return-value]


def _recipe(card: Path, value: Any) -> InputRecipe:
    if not isinstance(value, dict):
        raise _fail(card, "input", f"expected an object with size, mean, std, scale, got {value!r}")
    unknown = sorted(set(value) - {"size", "mean", "std", "scale"})
    if unknown:
        raise _fail(
            card,
            "input",
            f"{plural(len(unknown), 'unknown key')} ({', '.join(unknown)}); known: size, mean, std, scale",
        )
    recipe = InputRecipe()
    size = value.get("size")
    if size is not None:
        if (
            not isinstance(size, list)
            or len(size) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in size)
            or not all(1 <= v <= MAX_INPUT_SIDE for v in size)
        ):
            raise _fail(card, "input.size", f"expected [height, width] in 1..{MAX_INPUT_SIDE} or null")
        recipe.size = (int(size[0]), int(size[1]))
    if "mean" in value:
        recipe.mean = _triple(card, "input.mean", value["mean"])
    if "std" in value:
        recipe.std = _triple(card, "input.std", value["std"], positive=True)
    if "scale" in value:
        recipe.scale = _finite(card, "input.scale", value["scale"])
        if recipe.scale <= 0:
            raise _fail(card, "input.scale", f"must be > 0, got {recipe.scale}")
    # the input is computed in float32 as (x - mean*scale) / (std*scale): both must be float32 numbers
    limit = float(np.finfo(np.float32).max)
    divisors = [s * recipe.scale for s in recipe.std]  # 0.0 when the product underflows
    spans = [abs(m * recipe.scale) for m in recipe.mean] + [1 / d if d else math.inf for d in divisors]
    if max(spans + divisors) >= limit:
        raise _fail(card, "input", "mean, std and scale give inputs beyond float32 (values around 1e38)")
    return recipe


def _classes(source: Path, where: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(source, where, "expected a list of class names (strings)")
    if len(value) > MAX_CLASSES:
        raise _fail(source, where, f"{len(value)} classes; at most {MAX_CLASSES}")
    return list(value)


def read_card(model: Path) -> ModelCard:
    """The card beside ``model`` (an empty card when there is none); ``ModelLoadError`` naming the card
    and the key for anything malformed."""
    path = card_path(model)
    if not path.exists():
        if path.is_symlink():  # a card the user meant to give: not the same as none
            raise ModelLoadError(f"{path}: model card is a link to nothing ({path.readlink()})")
        return ModelCard()
    if not path.is_file():
        raise ModelLoadError(f"{path}: model card is not a regular file")
    if path.stat().st_size > MAX_CARD_BYTES:
        raise ModelLoadError(f"{path}: model card is larger than {MAX_CARD_BYTES >> 20} MB")
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))  # a BOM, as Notepad saves, is no error
    except UnicodeDecodeError:
        raise ModelLoadError(f"{path}: model card is not UTF-8 text") from None
    except json.JSONDecodeError as e:
        raise ModelLoadError(
            f"{path}: model card is not JSON: line {e.lineno} column {e.colno}: {e.msg}"
        ) from None
    except (ValueError, RecursionError) as e:  # an integer of over 4,300 digits; nesting too deep
        raise ModelLoadError(f"{path}: model card is not readable JSON: {e}") from None
    if not isinstance(data, dict):
        raise ModelLoadError(f"{path}: model card must be a JSON object")
    unknown = sorted(set(data) - set(CARD_KEYS))
    if unknown:  # a misspelt key ("backgroud") would be ignored and its default taken silently
        raise ModelLoadError(
            f"{path}: {plural(len(unknown), 'unknown key')} "
            f"({', '.join(unknown)}); known: {', '.join(CARD_KEYS)}"
        )
    card = ModelCard(path=path)
    family = data.get("family")
    if family is not None:
        if family not in FAMILIES:
            raise _fail(path, "family", f"{family!r} is not one of {', '.join(FAMILIES)}")
        card.family = family
    if data.get("classes") is not None:
        card.classes = _classes(path, "classes", data["classes"])
    if "background" in data:
        card.background_given = True
        bg = data["background"]
        if bg is not None and (isinstance(bg, bool) or not isinstance(bg, int) or bg < 0):
            raise _fail(path, "background", f"expected a class index >= 0 or null, got {bg!r}")
        card.background = bg
    if data.get("input") is not None:
        card.input = _recipe(path, data["input"])
    return card


def read_classes_file(path: str | Path) -> list[str]:
    """One class name a line (``--classes FILE``), line n = id n: blank lines at the end are ignored, one
    in the middle is an error (it would name a class '')."""
    p = Path(path)
    if p.is_dir():
        raise ModelLoadError(f"{p}: classes file is a folder, not a file")
    if not p.is_file():
        raise ModelLoadError(f"{p}: classes file not found")
    if p.stat().st_size > MAX_CARD_BYTES:
        raise ModelLoadError(f"{p}: classes file is larger than {MAX_CARD_BYTES >> 20} MB")
    try:
        lines = p.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise ModelLoadError(f"{p}: classes file is not UTF-8 text") from None
    while lines and not lines[-1].strip():
        lines.pop()
    names = [line.strip() for line in lines]
    if not names:
        raise ModelLoadError(f"{p}: classes file is empty")
    if "" in names:
        raise ModelLoadError(f"{p}: line {names.index('') + 1} is blank; line n names class id n")
    return _classes(p, "classes", names)


_ID_NAME = re.compile(r"class_?\d+")  # an unnamed class: yolo-onnx's class<id>, onnx's class_<id>
NO_NAMES = "none known"  # how ``classes_from`` begins when a model's classes are named from their ids


def classes_count_error(source: Path | None, names: int, model: Path, known: int) -> ModelLoadError:
    """A card's or classes file's names that do not count the model's classes: written for another model."""
    return ModelLoadError(f"{source}: classes: {names} names, but the model {model.name} has {known} classes")


def id_named_note(backend: Any, new_categories: list[str], cli: bool = True) -> str:
    """One line when categories this run created are named from class ids (``class0``, ``class_3``): the
    model named no classes (no names file, card or metadata), and a project of ``class32`` means nothing to
    whoever reviews it; how to name them (``cli``: the flag, else the Model panel's option). "" otherwise."""
    info = backend.model_info() if hasattr(backend, "model_info") else None
    if not info or not str(info.get("classes_from", "")).startswith(NO_NAMES):
        return ""
    made = sorted({c for c in new_categories if _ID_NAME.fullmatch(c)}, key=lambda c: int(c[5:].lstrip("_")))
    if not made:
        return ""
    shown = ", ".join(made[:5]) + (f" and {len(made) - 5} more" if len(made) > 5 else "")
    how = "--classes FILE" if cli else "classes_file in the Model panel's Options"
    card = ' or a model card <model>.json with "classes"' if getattr(backend, "reads_card", False) else ""
    rename = "pixelproof taxonomy rename" if cli else "the Categories panel"
    return (
        f"{plural(len(made), 'new category')} named from class ids ({shown}): the model names no classes; "
        f"name them with {how} (one name a line, line n = class id n){card}, or rename them ({rename})"
    )


NOT_LITERAL = object()  # what _literal gives for text that is neither JSON nor a Python literal


def _literal(text: str) -> Any:
    """``text`` as JSON, else as a Python literal; ``NOT_LITERAL`` when it is neither."""
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply for json
        try:
            return ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return NOT_LITERAL


def _names(parsed: Any) -> list[str] | None:
    """Class names from a list, or a dict id -> name (ids missing from it named ``class_<id>``)."""
    if isinstance(parsed, dict):
        try:
            ids = {int(k): str(v) for k, v in parsed.items()}
        except (TypeError, ValueError, OverflowError):  # OverflowError: a key of 1e400 (inf)
            return None
        if ids and min(ids) >= 0 and max(ids) < MAX_CLASSES:
            return [ids.get(i, f"class_{i}") for i in range(max(ids) + 1)]
    elif isinstance(parsed, list) and 0 < len(parsed) <= MAX_CLASSES:
        return [str(v) for v in parsed]
    return None


def parse_names(text: str) -> list[str] | None:
    """Class names from a JSON list or dict, or a Python list/dict literal as Ultralytics writes
    ``names``; None for anything else."""
    return _names(_literal(text))


def metadata_classes(metadata: dict[str, str]) -> tuple[list[str] | None, str]:
    """Class names from ONNX metadata (:func:`parse_names`, or one name a line for text that is neither
    JSON nor a literal) and the key they came from."""
    for key in METADATA_CLASS_KEYS:
        text = metadata.get(key)
        if not text:
            continue
        parsed = _literal(text)
        if parsed is NOT_LITERAL:
            parsed = [line.strip() for line in text.splitlines() if line.strip()]
        names = _names(parsed)
        if names is not None:
            return names, key
    return None, ""


# -- family detection from the graph -----------------------------------------------------------------


def _shape(value: Any) -> list[Any]:
    return list(value.shape) if value.shape is not None else []


def _fmt(shape: list[Any]) -> str:
    return "[" + ",".join(str(v) if isinstance(v, int) else "?" for v in shape) + "]"


SAM_ENCODER_OUTPUTS = {"image_embeddings", "image_embed"}  # SAM, EdgeSAM, EfficientViT-SAM; SAM 2
SAM_DECODER_PROMPTS = {"point_coords", "point_labels"}  # SAM 1 and SAM 2 decoders, with an embedding input


def detect_family(inputs: list[Any], outputs: list[Any], metadata: dict[str, str]) -> Detected:
    """The family of a graph from its inputs/outputs (onnxruntime ``NodeArg`` lists) and metadata;
    ``ModelLoadError`` when it matches none, saying what it saw."""
    seen = "inputs " + ", ".join(f"{i.name} {_fmt(_shape(i))}" for i in inputs)
    seen += "; outputs " + ", ".join(f"{o.name} {_fmt(_shape(o))} {o.type}" for o in outputs)
    encoder = {o.name for o in outputs} & SAM_ENCODER_OUTPUTS
    if encoder:  # its embeddings are [1,256,64,64]: they would pass for a 256-class segmentation's logits
        raise ModelLoadError(
            f"this looks like a SAM image encoder (output {encoder.pop()}), not a model that labels "
            "pictures: choose the sam-onnx backend (or write a model card if it is a segmentation model)"
        )
    names = {i.name for i in inputs}
    if names >= SAM_DECODER_PROMPTS and names & SAM_ENCODER_OUTPUTS:  # prompts in: no family here reads it
        raise ModelLoadError(
            "this looks like a SAM mask decoder (inputs point_coords, point_labels and the image embedding), "
            "not a model that labels pictures: choose the sam-onnx backend with its encoder as the model "
            "file (the decoder goes in decoder_path)"
        )
    if len(inputs) == 1:
        rank = len(_shape(inputs[0]))
        out_ranks = [len(_shape(o)) for o in outputs]
        ints = [o for o in outputs if "int" in o.type]
        if ("stride" in metadata and "names" in metadata) or (rank == 4 and out_ranks and out_ranks[0] == 3):
            why = "Ultralytics metadata" if "stride" in metadata else "a rank-3 first output"
            return Detected("ultralytics", seen, [f"family ultralytics (from {why})"])
        if rank in (3, 4) and ints and any(r == 2 for r in out_ranks):
            has_masks = any(r == 4 for r in out_ranks)
            family = "torchvision-mask-rcnn" if has_masks else "torchvision-detection"
            what = "boxes [N,4] + int64 labels" + (" + masks [N,1,H,W]" if has_masks else "")
            return Detected(family, seen, [f"family {family} (from outputs: {what})"])
        if rank == 4 and any(r == 4 for r in out_ranks):
            return Detected("semantic", seen, ["family semantic (from a [1,C,H,W] logits output)"])
    if len(inputs) > 1:  # a card cannot help: every family here is fed one picture
        raise ModelLoadError(
            f"the model takes {len(inputs)} inputs ({', '.join(i.name for i in inputs)}); the onnx backend "
            "feeds one picture: export it with the picture as its only input (the others as constants)"
        )
    if outputs and all(len(_shape(o)) == 2 for o in outputs) and "int" not in outputs[0].type:
        raise ModelLoadError(  # [1,1000]: a score per class for the whole picture; a card cannot help
            f"this looks like an image classifier ({seen}): one score per class for the whole picture, "
            "no boxes or masks to pre-label with; use a detection or segmentation model "
            "(see `pixelproof backends` and the README's Model families)"
        )
    raise ModelLoadError(
        f"cannot tell the model family from its graph ({seen}); write a model card "
        f'(<model>.json with "family": one of {", ".join(FAMILIES)})'
    )
