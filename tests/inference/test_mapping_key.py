"""The class mapping a project remembers belongs to a model's content, not to its file name: every
Ultralytics run writes ``best.onnx``, and a second model so named silently took the first's mapping. A
project saved with the old key (``<backend>/<file name>``) keeps its mapping for the model it was made
for."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.edits.model_mapping import RememberMapping
from pixelproof.inference.class_mapping import effective_mapping, mapping_key, remembered_for
from pixelproof.inference.registry import get_backend
from tests.inference.graphs import yolo_end2end

pytest.importorskip("onnxruntime")


def best_onnx(folder: Path, names: dict[int, str], score: float = 0.7) -> Path:
    """``folder/best.onnx``, as every Ultralytics run names its model."""
    folder.mkdir(parents=True, exist_ok=True)
    return yolo_end2end(folder / "best.onnx", names, score)


def loaded(path: Path):
    backend = get_backend("yolo-onnx")
    backend.configure(model_path=path)
    return backend


def test_two_models_called_best_onnx_keep_their_own_mappings(tmp_path: Path) -> None:
    first = loaded(best_onnx(tmp_path / "run1", {0: "dog", 1: "cat"}))
    retrained = loaded(best_onnx(tmp_path / "run2", {0: "dog", 1: "cat"}, score=0.6))  # same classes
    other = loaded(best_onnx(tmp_path / "run3", {0: "car", 1: "dog"}))  # other classes
    assert first.model_name == retrained.model_name == other.model_name == "best.onnx"
    project = new_project(["pet"])
    RememberMapping(mapping_key(first), {"dog": "pet", "cat": None}).apply(project)
    assert effective_mapping(project, first) == {"dog": "pet", "cat": None}
    assert effective_mapping(project, retrained) == {}
    assert effective_mapping(project, other) == {}
    assert len({mapping_key(b) for b in (first, retrained, other)}) == 3
    # the key names the file for a reader of the project file, and the same bytes elsewhere are one model
    copy = tmp_path / "copy" / "best.onnx"
    copy.parent.mkdir()
    shutil.copy(first.model_path, copy)
    assert mapping_key(loaded(copy)) == mapping_key(first)
    assert mapping_key(first).startswith("yolo-onnx/best.onnx@")


def test_a_builtin_backend_keeps_its_key() -> None:
    backend = get_backend("threshold")
    assert mapping_key(backend) == "threshold/builtin"


def old_project(path: Path, mappings: dict[str, dict[str, str | None]]) -> Path:
    """A project file as the previous version wrote it: mappings keyed ``<backend>/<model file name>``."""
    save_project(new_project(["pet"]), path)
    data = json.loads(path.read_text())
    data["pixelproof"]["model_mappings"] = mappings
    path.write_text(json.dumps(data))
    return path


def test_a_project_saved_with_the_old_key_keeps_its_mapping(tmp_path: Path) -> None:
    model = loaded(best_onnx(tmp_path / "run1", {0: "dog", 1: "cat"}))
    path = old_project(tmp_path / "old.json", {"yolo-onnx/best.onnx": {"dog": "pet", "cat": None}})
    project = load_project(path)
    assert remembered_for(project, model) == {"dog": "pet", "cat": None}
    assert effective_mapping(project, model) == {"dog": "pet", "cat": None}
    # a new choice is stored under the new key and wins; the old entry stays for the model it was made for
    RememberMapping(mapping_key(model), {"dog": None, "cat": "pet"}).apply(project)
    save_project(project, path)
    again = load_project(path)
    assert remembered_for(again, model) == {"dog": None, "cat": "pet"}
    assert again.app["model_mappings"]["yolo-onnx/best.onnx"] == {"dog": "pet", "cat": None}


def test_an_old_entry_naming_classes_the_model_lacks_was_another_models(tmp_path: Path) -> None:
    """The old key cannot tell two best.onnx apart: an entry naming a class this model does not have was
    made for another model, and is not applied to this one."""
    path = old_project(tmp_path / "old.json", {"yolo-onnx/best.onnx": {"person": "pet", "dog": None}})
    model = loaded(best_onnx(tmp_path / "run3", {0: "car", 1: "dog"}))
    assert remembered_for(load_project(path), model) == {}
    assert effective_mapping(load_project(path), model) == {}


def test_an_interactive_backend_is_keyed_by_file_name_without_reading_its_model(
    tmp_path: Path, monkeypatch
) -> None:
    """A SAM encoder is hundreds of MB and its objects take the category chosen: nothing to map, so its
    bytes are not hashed (it cost ~0.3 s at every load, and on the UI thread when the Model panel asked)."""
    from pixelproof.inference import class_mapping

    read: list[object] = []
    monkeypatch.setattr(class_mapping, "_file_digest", lambda path: read.append(path) or "x")
    model = tmp_path / "sam_encoder.onnx"
    model.write_bytes(b"\0" * 16)

    class Sam:
        name, model_name, model_path, kind = "sam-onnx", model.name, model, "interactive"

        def categories(self) -> list[str]:
            return []

    assert mapping_key(Sam()) == "sam-onnx/sam_encoder.onnx" and read == []  # type: ignore[arg-type]
    Sam.kind = "segment"  # a model that maps classes is read and keyed by its content
    assert mapping_key(Sam()).startswith("sam-onnx/sam_encoder.onnx@") and read == [model]  # type: ignore[arg-type]
