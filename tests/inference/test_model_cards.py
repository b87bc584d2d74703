"""Model cards and classes files people write by hand (BOMs, typos, cards for another model): each is read
as meant or refused at load with a message naming the file and the key, never taken silently."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pixelproof.inference.base import ModelLoadError
from pixelproof.inference.model_card import read_card, read_classes_file
from pixelproof.inference.onnx_models import OnnxModelBackend
from tests.inference.graphs import constant_graph

pytest.importorskip("onnxruntime")


def semantic_model(folder: Path, card: dict | None, channels: int = 3) -> Path:
    """A [1,3,16,16] -> [1,C,16,16] logits model with ``card`` beside it."""
    path = constant_graph(
        folder / "seg.onnx", {"input": [1, 3, 16, 16]}, {"out": np.zeros((1, channels, 16, 16), np.float32)}
    )
    if card is not None:
        (folder / "seg.onnx.json").write_text(json.dumps(card))
    return path


def test_a_classes_file_saved_with_a_bom_and_crlf_reads_as_its_names(tmp_path: Path) -> None:
    """Notepad's UTF-8 BOM became part of the first class name ('\\ufeffbackground')."""
    path = tmp_path / "classes.txt"
    path.write_bytes("background\r\nroad\r\ncar\r\n\r\n".encode("utf-8-sig"))
    assert read_classes_file(path) == ["background", "road", "car"]


def test_a_blank_line_inside_a_classes_file_is_refused_naming_the_line(tmp_path: Path) -> None:
    """Line n names id n, so a blank line in the middle made a class named '' (a category without a
    name in the project) and shifted nothing anyone could see."""
    path = tmp_path / "classes.txt"
    path.write_text("background\nroad\n\ncar\n")
    with pytest.raises(ModelLoadError, match=r"classes\.txt: line 3 is blank"):
        read_classes_file(path)


def test_a_card_saved_with_a_bom_reads(tmp_path: Path) -> None:
    (tmp_path / "m.onnx.json").write_bytes(json.dumps({"background": None}).encode("utf-8-sig"))
    card = read_card(tmp_path / "m.onnx")
    assert card.background_given and card.background is None


def test_a_misspelt_card_key_is_refused_not_ignored(tmp_path: Path) -> None:
    """'backgroud': null was ignored: background stayed class 0 and that class made no objects."""
    (tmp_path / "m.onnx.json").write_text(json.dumps({"classes": ["a", "b"], "backgroud": None}))
    with pytest.raises(ModelLoadError, match=r"m\.onnx\.json: 1 unknown key \(backgroud\); known: "):
        read_card(tmp_path / "m.onnx")


def test_a_card_that_is_a_broken_link_is_refused_not_skipped(tmp_path: Path) -> None:
    (tmp_path / "m.onnx.json").symlink_to(tmp_path / "elsewhere" / "m.onnx.json")
    with pytest.raises(ModelLoadError, match=r"m\.onnx\.json: model card is a link to nothing"):
        read_card(tmp_path / "m.onnx")


@pytest.mark.parametrize(
    ("card", "message"),
    [
        (
            {"classes": ["bg", "a"], "background": 5},
            r"background: 5 is not an index of classes \(2 names, from the model card\)",
        ),
        ({"background": 7}, r"background: 7 is not a logit channel of output out \(3 channels\)"),
        ({"classes": ["bg", "a"]}, r"classes: 2 names, but output out has 3 logit channels"),
        ({"classes": ["bg", "a", "b", "c", "d"]}, r"classes: 5 names, but output out has 3 logit channels"),
    ],
)
def test_a_card_for_another_semantic_model_is_a_load_error(tmp_path: Path, card: dict, message: str) -> None:
    """A background past the classes made every background pixel one whole-picture object ('class_0');
    fewer names than channels made class_<id> categories beside the card's names."""
    with pytest.raises(ModelLoadError, match=rf"seg\.onnx(\.json)?: {message}"):
        OnnxModelBackend().configure(model_path=semantic_model(tmp_path, card))


def test_a_classes_file_for_another_model_is_a_load_error(tmp_path: Path) -> None:
    names = tmp_path / "names.txt"
    names.write_text("bg\na\n")
    with pytest.raises(ModelLoadError, match=r"names\.txt: classes: 2 names, but output out has 3 logit"):
        OnnxModelBackend().configure(model_path=semantic_model(tmp_path, None), classes_file=names)


def test_a_card_without_input_is_not_said_to_be_missing(tmp_path: Path) -> None:
    b = OnnxModelBackend()
    b.configure(model_path=semantic_model(tmp_path, {"classes": ["bg", "a", "b"]}))
    assumptions = b.describe()["model"]["assumptions"]
    assert "input: pixel/255, ImageNet mean/std (the card gives no input)" in assumptions
    assert b.categories() == ["a", "b"]


@pytest.mark.parametrize(
    "recipe",
    [
        {"std": [1e-300, 1, 1]},
        {"std": [1e-300, 1, 1], "scale": 1e-300},
        {"scale": 1e300},
        {"mean": [1e300, 0, 0]},
    ],
)
def test_card_numbers_no_float32_input_holds_are_refused(tmp_path: Path, recipe: dict) -> None:
    """Finite in the card, but mean*scale or 1/(std*scale) overflow float32: every input pixel became
    inf or NaN and the model's NaN logits were blamed on the model, picture after picture."""
    (tmp_path / "m.onnx.json").write_text(json.dumps({"input": recipe}))
    with pytest.raises(ModelLoadError, match=r"m\.onnx\.json: input: mean, std and scale give"):
        read_card(tmp_path / "m.onnx")


@pytest.mark.parametrize("output", ["image_embeddings", "image_embed"])
def test_a_sam_image_encoder_is_not_taken_for_a_segmentation_model(tmp_path: Path, output: str) -> None:
    """A SAM encoder (SAM: image_embeddings [1,256,64,64]; SAM 2: image_embed) given to the onnx backend
    loaded as a 256-class semantic model and pre-labeled picture-wide speckle into class_<id> categories:
    it is named as an encoder for sam-onnx instead. A card saying "semantic" still decides."""
    path = constant_graph(
        tmp_path / "encoder.onnx",
        {"input_image": [1, 3, 64, 64]},
        {output: np.zeros((1, 256, 8, 8), np.float32)},
    )
    with pytest.raises(ModelLoadError, match=r"encoder\.onnx: .*SAM image encoder.*sam-onnx"):
        OnnxModelBackend().configure(model_path=path)
    (tmp_path / "encoder.onnx.json").write_text('{"family": "semantic"}')
    backend = OnnxModelBackend()
    backend.configure(model_path=path)
    assert backend.family == "semantic"


def shared_copy(shared_models: Path, name: str, folder: Path, card: dict | None = None) -> Path:
    """A real model from the shared models copied into ``folder`` (a card beside it when given)."""
    source = shared_models / name
    if not source.is_file():
        pytest.skip(f"{source} not found")
    path = folder / source.name
    path.symlink_to(source)
    if card is not None:
        (folder / (source.name + ".json")).write_text(json.dumps(card))
    return path


@pytest.mark.parametrize(
    ("model", "family", "found"),
    [
        ("seed/faster_rcnn.onnx", "semantic", "torchvision-detection"),
        ("seed/deeplabv3.onnx", "torchvision-detection", "semantic"),
        ("seed/mask_rcnn.onnx", "ultralytics", "torchvision-mask-rcnn"),
        ("yolo11n.onnx", "torchvision-mask-rcnn", "ultralytics"),
    ],
)
def test_a_card_naming_the_wrong_family_names_the_card_and_the_graph_s_family(
    tmp_path: Path, shared_models: Path, model: str, family: str, found: str
) -> None:
    """A card copied from another model ('family': 'semantic' beside a Faster R-CNN) failed with the
    model file and its inputs only ('a semantic model takes one input [1, 3, H, W]'): nothing said that
    the card chose the family, nor which family the graph has."""
    path = shared_copy(shared_models, model, tmp_path, {"family": family})
    with pytest.raises(ModelLoadError) as e:
        OnnxModelBackend().configure(model_path=path)
    text = str(e.value)
    assert f"{path}.json: family: {family!r}" in text, text
    assert f"the graph looks like {found}" in text, text


@pytest.mark.parametrize(
    ("model", "background", "count"),
    [("yolo11n.onnx", 80, 80), ("yolo11n-nms.onnx", 95, 80)],
)
def test_a_background_past_the_model_s_classes_is_a_load_error(
    tmp_path: Path, shared_models: Path, model: str, background: int, count: int
) -> None:
    """An Ultralytics model's classes come from its metadata: a card's background past them (a card for
    a model with a background class) loaded, 'background 80' silently meaning nothing."""
    path = shared_copy(shared_models, model, tmp_path, {"background": background})
    with pytest.raises(
        ModelLoadError,
        match=rf"{model}\.json: background: {background} is not an index of classes \({count} ",
    ):
        OnnxModelBackend().configure(model_path=path)


def test_a_label_past_the_card_s_classes_names_the_card(tmp_path: Path, shared_models: Path) -> None:
    """A detector's labels are known only when it runs: a label past the card's classes failed the picture
    without saying where the classes came from."""
    import cv2

    path = shared_copy(shared_models, "seed/faster_rcnn.onnx", tmp_path, {"classes": ["__background__", "a"]})
    b = OnnxModelBackend()
    b.configure(model_path=path, score_threshold=0.0)
    image = cv2.cvtColor(cv2.imread(str(shared_models / "seed/images/astronaut.png")), cv2.COLOR_BGR2RGB)
    from pixelproof.inference.base import BackendError

    with pytest.raises(
        BackendError, match=rf"which no class has \(2 known, from {tmp_path}/faster_rcnn\.onnx\.json\)"
    ):
        b.predict(image)


def test_a_card_written_or_changed_beside_a_loaded_model_makes_workers_load_it_again(
    tmp_path: Path, shared_models: Path
) -> None:
    """Worker processes and the second lane keep a model per ``BackendSpec.cache_key`` (the spec and its
    files' size and time): a card added or fixed beside an unchanged model file kept its old classes in
    them, so one batch named the same pixels with two cards' classes."""
    import os

    from pixelproof.inference.batch import BackendSpec

    path = shared_copy(shared_models, "seed/deeplabv3.onnx", tmp_path)
    spec = BackendSpec("onnx", (("model_path", str(path)),))
    before = spec.cache_key()
    card = tmp_path / "deeplabv3.onnx.json"
    card.write_text(json.dumps({"classes": ["background", "person", "car", "dog"]}))
    written = spec.cache_key()
    assert written != before
    card.write_text(json.dumps({"classes": ["background", "human", "car", "dog"]}))
    st = card.stat()
    os.utime(card, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # a coarse clock: a later time
    assert spec.cache_key() != written
    assert spec.make().categories() == ["human", "car", "dog"]


@pytest.mark.parametrize(
    "decoder",
    ["tiny_sam_decoder.onnx", "tiny_sam_fixed_decoder.onnx", "tiny_sam_multimask_decoder.onnx"],
)
def test_a_sam_decoder_given_to_the_onnx_backend_points_to_sam_onnx(
    tmp_path: Path, shared_models: Path, decoder: str
) -> None:
    """The encoder was named as SAM's with a pointer to sam-onnx; its decoder got 'cannot tell the model
    family' and a card to write, which no card can make work."""
    path = shared_copy(shared_models, f"sam-tiny/{decoder}", tmp_path)
    with pytest.raises(ModelLoadError) as e:
        OnnxModelBackend().configure(model_path=path)
    text = str(e.value)
    assert text.startswith(f"{path}: this looks like a SAM mask decoder (inputs point_coords, point_labels")
    assert "sam-onnx" in text and "encoder" in text and "model card" not in text, text


def test_a_classes_file_that_is_a_folder_is_named_as_one(tmp_path: Path) -> None:
    """A folder chosen as the classes file was 'not found', which sends the user looking for a typo."""
    with pytest.raises(ModelLoadError, match=rf"{tmp_path}: classes file is a folder, not a file"):
        read_classes_file(tmp_path)
    with pytest.raises(ModelLoadError, match=r"missing\.txt: classes file not found"):
        read_classes_file(tmp_path / "missing.txt")
