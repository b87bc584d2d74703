"""The Model panel with the user's own model files: cards written, fixed or replaced beside a loaded model,
a model file replaced on disk, and what the panel says it found in a model."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.ui.test_model_panel import choose, demo, fake_backends, key, predictions, wait_batch

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
