"""An autosave whose project is exactly the saved file's (an app killed between a save and the removal of
its autosave) holds nothing to recover; one object more or less and it does."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.autosave import autosave_path_for, same_as_file, write_autosave
from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.model import Annotation, ImageRecord, Project


def saved(tmp_path: Path) -> Path:
    project = new_project(["cat", "dog"])
    project.add_image(ImageRecord(1, "a.png", 40, 30))
    path = tmp_path / "project.json"
    save_project(project, path)
    return path


def add_box(project: Project) -> int:
    ann = Annotation(project.next_annotation_id(), 1, 1, [1.0, 2.0, 5.0, 6.0])
    project.add_annotation(ann)
    return ann.id


def test_an_autosave_of_what_was_then_saved_is_the_file(tmp_path: Path) -> None:
    path = saved(tmp_path)
    project = load_project(path)
    add_box(project)
    auto = autosave_path_for(path)
    write_autosave(auto, project, project.file_state)
    save_project(project, path)  # the save moves the change log's head on: the autosave still names the old

    assert same_as_file(auto, path)


def test_an_autosave_one_object_apart_is_not_the_file(tmp_path: Path) -> None:
    path = saved(tmp_path)
    project = load_project(path)
    add_box(project)
    save_project(project, path)
    add_box(project)  # edited after the save, autosaved, then the app was killed
    auto = autosave_path_for(path)
    write_autosave(auto, project, project.file_state)

    assert not same_as_file(auto, path)


def test_an_unreadable_autosave_is_not_the_file(tmp_path: Path) -> None:
    path = saved(tmp_path)
    auto = autosave_path_for(path)
    auto.write_text('{"images": [', encoding="utf-8")
    assert not same_as_file(auto, path)
    assert not same_as_file(auto, tmp_path / "gone.json")


def test_an_autosave_apart_in_time_spent_alone_gives_its_time_table(tmp_path: Path) -> None:
    from pixelproof.core.autosave import compare_with_file
    from pixelproof.core.edits.images import RecordTime

    path = saved(tmp_path)
    project = load_project(path)
    RecordTime(1, "ann", 12.0).apply(project)  # viewed, autosaved, killed
    auto = autosave_path_for(path)
    write_autosave(auto, project, project.file_state)
    assert compare_with_file(auto, path) == (False, {"1": {"ann": 12.0}})
    add_box(project)  # and an edit besides: not time alone
    write_autosave(auto, project, project.file_state)
    assert compare_with_file(auto, path) == (False, None)


def test_kept_time_is_the_larger_figure_per_image_and_author_malformed_passed_over(tmp_path: Path) -> None:
    from pixelproof.core.autosave import keep_time_spent

    project = load_project(saved(tmp_path))
    project.add_image(ImageRecord(2, "b.png", 40, 30))
    project.app["time_spent"] = {"1": {"ann": 20.0, "bob": 3.0}}  # another writer saved more since
    table = {"1": {"ann": 12.0, "bob": 7.0, "eve": "x"}, "2": {"ann": 4.0}, "9": {"ann": 1.0}, "z": 5}
    assert keep_time_spent(project, table) == 2
    assert project.app["time_spent"] == {"1": {"ann": 20.0, "bob": 7.0}, "2": {"ann": 4.0}}
