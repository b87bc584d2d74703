"""The Model panel with the user's own model files: cards written, fixed or replaced beside a loaded model,
a model file replaced on disk, and what the panel says it found in a model."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.test_model_panel import choose, demo, fake_backends, key, panel_of, predictions, wait_batch

FIXTURES = (demo, fake_backends)  # shared with test_model_panel; pytest finds them by name


def later(path: Path) -> None:
    """Move ``path``'s time a second on, as a later save does (a coarse file-system clock may not)."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def own_model(shared_models: Path, folder: Path, name: str, card: dict | None = None) -> Path:
    """A copy of a shared model in the user's folder, with ``card`` beside it when given."""
    source = shared_models / name
    if not source.is_file():
        pytest.skip(f"{source} not found")
    folder.mkdir(exist_ok=True)
    path = folder / source.name
    shutil.copyfile(source, path)
    if card is not None:
        (folder / (path.name + ".json")).write_text(json.dumps(card))
    return path


def enter_model(qtbot, panel, path: Path) -> str:
    """Type ``path`` into the Model field and press Return, as a user does; the state line once loaded."""
    edit = panel.backends.options.model_edit
    edit.setFocus()
    edit.selectAll()
    QTest.keyClicks(edit, str(path))
    QTest.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: panel.session.is_idle() and not panel.backends.status_text.startswith("Loading"),
        timeout=30000,
    )
    return panel.backends.status_text


def test_a_card_fixed_beside_the_loaded_model_is_read_when_the_model_is_entered_again(
    qtbot, demo, shared_models: Path, tmp_path: Path
) -> None:
    """Return in the Model field with the same path did nothing (the path was the one loaded), so a card
    written or fixed beside the model was never read: the panel kept saying Ready with the old classes."""
    pytest.importorskip("onnxruntime")
    panel = choose(qtbot, demo, "onnx")
    model = own_model(shared_models, tmp_path / "mine", "seed/deeplabv3.onnx")
    assert enter_model(qtbot, panel, model).startswith("✓ Ready")
    assert list(panel.mapping.values()) == ["class_1", "class_2", "class_3"]
    card = model.with_name(model.name + ".json")
    card.write_text(json.dumps({"classes": ["background", "person", "car", "dog"]}))
    enter_model(qtbot, panel, model)
    assert list(panel.mapping.values()) == ["person", "car", "dog"]
    card.write_text(json.dumps({"family": "torchvision-detection"}))  # a wrong card, then
    later(card)
    text = enter_model(qtbot, panel, model)
    assert f"{card}: family: 'torchvision-detection'" in text and "still using deeplabv3.onnx" in text, text
    assert list(panel.mapping.values()) == ["person", "car", "dog"]  # the working model stays


def test_m_after_the_model_file_was_replaced_loads_it_again_first(
    qtbot, demo, shared_models: Path, tmp_path: Path
) -> None:
    """A retrained model written over the loaded file: M ran the old weights from memory while a batch's
    second lane loaded the new file, one batch from two models. Now M sees the file changed, loads it
    again and says so; the next M runs the new model."""
    pytest.importorskip("onnxruntime")
    panel = choose(qtbot, demo, "onnx")
    win = demo
    card = {"classes": ["background", "person", "car", "dog"]}
    model = own_model(shared_models, tmp_path / "mine", "seed/deeplabv3.onnx", card)
    enter_model(qtbot, panel, model)
    loaded = panel.session.backend
    assert "320" not in loaded.model_info()["layout"]
    shutil.copyfile(shared_models / "seed" / "lraspp.onnx", model)  # the same classes, fixed 320x320 input
    later(model)
    messages: list[str] = []
    panel.shell.status = lambda text, *_: messages.append(text)  # type: ignore[method-assign]
    win.canvas.setFocus()
    key(win, Qt.Key.Key_M)
    assert not predictions(win.document)
    assert any("deeplabv3.onnx changed on disk" in m for m in messages), messages
    qtbot.waitUntil(
        lambda: panel.session.is_idle() and panel.session.backend not in (None, loaded), timeout=30000
    )
    assert "320x320" in panel.session.backend.model_info()["layout"]
    key(win, Qt.Key.Key_M)
    wait_batch(qtbot, panel)
    assert predictions(win.document)


def test_the_panel_says_what_it_found_in_each_model_and_what_it_assumed(
    qtbot, demo, shared_models: Path, tmp_path: Path
) -> None:
    """The panel said only "✓ Ready · segment · 3 classes" (and the backend box still said "no model file
    chosen"): which family the graph was taken for, where the class names came from, and the guesses
    (background = class 0, ImageNet mean/std) were only in ``pixelproof backends --model``."""
    pytest.importorskip("onnxruntime")
    panel = choose(qtbot, demo, "onnx")
    found = panel.backends.found_label
    mine = tmp_path / "mine"
    assert found.isHidden()
    enter_model(qtbot, panel, own_model(shared_models, mine, "seed/deeplabv3.onnx"))
    text = found.text()
    assert not found.isHidden()
    assert "model: semantic" in text and "classes: none known: class_<id>" in text, text
    assert "assumed: background = class 0" in text and "assumed: input: pixel/255, ImageNet mean/std" in text
    assert panel.backends.combo.currentText() == "onnx (segment)"
    card = {"classes": ["__background__", "person", "car", "dog", "cat"], "background": 0}
    enter_model(qtbot, panel, own_model(shared_models, mine, "seed/mask_rcnn.onnx", card))
    text = found.text()
    assert "model: torchvision-mask-rcnn" in text and "classes: the model card" in text, text
    assert "masks=masks" in found.toolTip() and "assumed: background" not in text, text
    enter_model(qtbot, panel, own_model(shared_models, mine, "yolo11n.onnx"))
    assert "model: ultralytics" in found.text() and "classes: ONNX metadata 'names'" in found.text()
    assert panel.backends.combo.currentText() == "onnx (detect)"
    text = enter_model(qtbot, panel, mine / "missing.onnx")
    assert text.startswith("✗") and "still using yolo11n.onnx" in text, text
    assert "model: ultralytics" in found.text()  # the model still in use

    panel = choose(qtbot, demo, "sam-onnx")
    assert found.isHidden() and panel.backends.combo.currentText().startswith("sam-onnx — ")
    own_model(shared_models, mine, "sam-tiny/tiny_sam_hwc.decoder.onnx")  # found by its name
    enter_model(qtbot, panel, own_model(shared_models, mine, "sam-tiny/tiny_sam_hwc.encoder.onnx"))
    assert "model: sam (sam1-hwc)" in found.text(), found.text()
    assert panel.backends.combo.currentText() == "sam-onnx (interactive)"


def test_each_model_gets_its_family_s_minimum_score_until_the_user_chooses_one(
    qtbot, demo, shared_models: Path, tmp_path: Path
) -> None:
    """The Min. score shown was passed to every model loaded after it: a Mask R-CNN loaded after a
    semantic model ran at 0.00 (every low-score detection became a prediction), a semantic model after a
    detector at 0.50. Until the user sets it, each model gets its family's default (README: 0.5
    torchvision detectors, 0 semantic, 0.25 Ultralytics); a value the user chose is kept."""
    pytest.importorskip("onnxruntime")
    panel = choose(qtbot, demo, "onnx")
    spin = panel.backends.options.threshold_spin
    mine = tmp_path / "mine"
    enter_model(qtbot, panel, own_model(shared_models, mine, "seed/deeplabv3.onnx"))
    assert spin.value() == 0.0 and panel.session.backend.score_threshold == 0.0
    enter_model(qtbot, panel, own_model(shared_models, mine, "seed/mask_rcnn.onnx"))
    assert spin.value() == 0.5 and panel.session.backend.score_threshold == 0.5
    enter_model(qtbot, panel, own_model(shared_models, mine, "yolo11n.onnx"))
    assert spin.value() == 0.25 and panel.session.backend.score_threshold == 0.25
    spin.setFocus()
    QTest.keyClick(spin, Qt.Key.Key_Up)  # the user's choice: 0.30
    assert panel.session.backend.score_threshold == pytest.approx(0.3)
    enter_model(qtbot, panel, mine / "deeplabv3.onnx")
    assert spin.value() == pytest.approx(0.3) and panel.session.backend.score_threshold == pytest.approx(0.3)


def masks_given(backend) -> int:
    """How many masks a SAM decoder gives per prompt (its iou_predictions [1, k])."""
    return backend.decoder.get_outputs()[1].shape[-1]


def test_m_after_the_sam_decoder_found_by_name_was_replaced_loads_it_again(
    qtbot, demo, shared_models: Path, tmp_path: Path
) -> None:
    """sam-onnx takes the decoder named as its encoder (``X.decoder.onnx``) when none is given; that file
    was not among the files the panel watched, so a decoder saved over it went unnoticed: M chose the assist
    tool for the old decoder in memory. Now M loads it again first and says so."""
    pytest.importorskip("onnxruntime")
    panel = choose(qtbot, demo, "sam-onnx")
    mine = tmp_path / "mine"
    decoder = own_model(shared_models, mine, "sam-tiny/tiny_sam_hwc.decoder.onnx")
    enter_model(qtbot, panel, own_model(shared_models, mine, "sam-tiny/tiny_sam_hwc.encoder.onnx"))
    loaded = panel.session.backend
    assert loaded.decoder_path == decoder and masks_given(loaded) == 1
    shutil.copyfile(shared_models / "sam-tiny" / "tiny_sam_multimask_decoder.onnx", decoder)
    later(decoder)
    messages: list[str] = []
    panel.shell.status = lambda text, *_: messages.append(text)  # type: ignore[method-assign]
    demo.canvas.setFocus()
    key(demo, Qt.Key.Key_M)
    assert any("tiny_sam_hwc.decoder.onnx changed on disk" in m for m in messages), messages
    qtbot.waitUntil(
        lambda: panel.session.is_idle() and panel.session.backend not in (None, loaded), timeout=30000
    )
    assert masks_given(panel.session.backend) == 4


def test_yolo_onnx_shows_what_it_found_as_the_onnx_backend_does(
    qtbot, demo, shared_models: Path, tmp_path: Path
) -> None:
    """The panel's lines on the model (family, class names' source, assumptions) stayed hidden for
    yolo-onnx (it had no model info) though the onnx backend showed them for the same file."""
    pytest.importorskip("onnxruntime")
    model = own_model(shared_models, tmp_path / "mine", "yolo11n.onnx")
    found = panel_of(demo).backends.found_label
    shown = {}
    for name in ("onnx", "yolo-onnx"):
        panel = choose(qtbot, demo, name)
        assert enter_model(qtbot, panel, model).startswith("✓ Ready")
        assert not found.isHidden()
        shown[name] = (found.text(), found.toolTip())
    assert shown["yolo-onnx"] == shown["onnx"]
    text = shown["yolo-onnx"][0]
    assert "model: ultralytics" in text and "classes: ONNX metadata 'names'" in text, text


def test_a_model_that_cannot_load_shows_what_is_wrong_not_its_folder(qtbot, demo, tmp_path: Path) -> None:
    """The state line has two lines; the reason started with the model's whole path, so at 1366x768 a
    PyTorch checkpoint chosen for its export showed '✗ /home/.../weights/best.pt: not an ONNX m…' and
    never what to do. The folder (in the Model field already, and in the tooltip) is left out of it."""
    pytest.importorskip("onnxruntime")
    panel = choose(qtbot, demo, "onnx")
    demo.resize(1366, 768)
    folder = tmp_path / "experiments" / "shelf_products_yolo11n_finetune_2024_11_03" / "weights"
    folder.mkdir(parents=True)
    pt = folder / "best.pt"
    with zipfile.ZipFile(pt, "w") as z:  # torch.save's layout
        z.writestr("best/data.pkl", b"\x80\x02}q\x00.")
    text = enter_model(qtbot, panel, pt)
    assert text.startswith(f"✗ {pt}: not an ONNX model: this is a PyTorch checkpoint"), text
    label = panel.backends.state_label
    shown = label.text()
    assert shown.startswith("✗ best.pt: not an ONNX model: this is a PyTorch checkpoint"), shown
    assert str(folder) not in shown
    assert label.toolTip() == text  # the whole reason, folder and all
    assert panel.backends.combo.currentText() == "onnx — the model did not load"  # not "no model file chosen"
