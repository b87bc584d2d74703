"""Image and category ids are never given out twice, like annotation ids: a removed image's or class's id
stays taken (``last_image_id`` / ``last_category_id``), so a class or photo added later never takes the
id a shard of an earlier split knows as another one (merge pairs them by id)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.core.coco import ProjectFormatError, dumps_project, load_project, new_project, save_project
from pixelproof.core.edits import AddCategory
from pixelproof.core.edits.images import AddImages
from pixelproof.core.image_folder import images_to_add
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import LAST_CATEGORY_ID, LAST_IMAGE_ID, Category, ImageRecord
from pixelproof.core.split import split_project
from pixelproof.core.taxonomy import apply_taxonomy, delete_category, merge_categories, split_category
from pixelproof.interop._util import Builder
from tests.core.teams_data import box_annotation, make_project
from tests.core.test_add_and_relocate_images import png


def test_a_deleted_or_merged_away_class_leaves_its_id_taken_after_reload(tmp_path: Path) -> None:
    project = make_project(tmp_path, 3)  # cat 1, dog 2, bird 3
    delete_category(project, "bird", reassign_to="cat").apply(project)
    assert project.next_category_id() == 4  # was 3: the deleted class's id went to the next one
    save_project(project)
    again = load_project(project.path)
    assert again.app[LAST_CATEGORY_ID] == 3 and again.next_category_id() == 4
    edit, _ = split_category(again, "dog", "dog", "puppy")
    edit.apply(again)
    assert again.category_by_name("puppy").id == 4
    merge_categories(again, "puppy", "dog").apply(again)
    plan = apply_taxonomy(again, {"categories": [{"name": "fish"}]})
    plan.edit.apply(again)
    assert again.category_by_name("fish").id == 5


def test_undoing_a_saved_added_class_or_image_does_not_give_its_id_again(tmp_path: Path) -> None:
    """An add saved, then undone and saved again, freed its id for the next one: a shard split from the
    file in between knows that id as the class (photo) the undo removed."""
    project = make_project(tmp_path, 2)
    added = AddCategory(Category(4, "fish"))
    images = AddImages([ImageRecord(3, "images/new.png", 64, 48)])
    before = dumps_project(project)
    for edit in (added, images):
        edit.apply(project)
        edit.revert(project)
    assert dumps_project(project) == before  # never in the file: undo restores it exactly
    added.apply(project)
    images.apply(project)
    save_project(project)
    images.revert(project)
    added.revert(project)
    assert project.next_category_id() == 5 and project.app[LAST_CATEGORY_ID] == 4
    assert project.next_image_id() == 4 and project.app[LAST_IMAGE_ID] == 3
    added.apply(project)  # redo, undo again: still taken
    added.revert(project)
    assert project.next_category_id() == 5
    save_project(project)
    assert load_project(project.path).next_image_id() == 4
    png(tmp_path / "images" / "other.png")
    (record,) = images_to_add(project, [tmp_path / "images" / "other.png"], print).images
    assert record.id == 4


def test_undoing_a_removal_restores_the_file_exactly(tmp_path: Path) -> None:
    project = make_project(tmp_path, 2)
    before = dumps_project(project)
    for edit in (delete_category(project, "bird", reassign_to=None), delete_category(project, "cat", None)):
        edit.apply(project)
        assert project.next_category_id() == 4
        edit.revert(project)
        assert dumps_project(project) == before


def test_an_old_file_without_the_marks_goes_on_from_the_highest_id(tmp_path: Path) -> None:
    project = make_project(tmp_path, 3)
    save_project(project)
    text = project.path.read_text()
    assert LAST_IMAGE_ID not in text and LAST_CATEGORY_ID not in text  # written only once an id is freed
    again = load_project(project.path)
    assert (again.next_image_id(), again.next_category_id()) == (4, 4)


@pytest.mark.parametrize("key", [LAST_IMAGE_ID, LAST_CATEGORY_ID])
@pytest.mark.parametrize("value", [-1, 2.5, "7", True, None, 2**63, 2**64 - 1])
def test_a_bad_mark_is_refused_with_its_place(tmp_path: Path, key: str, value: object) -> None:
    project = make_project(tmp_path, 1)
    project.app[key] = value
    save_project(project)
    with pytest.raises(ProjectFormatError, match=f"pixelproof.{key}: expected a non-negative"):
        load_project(project.path)


def test_pycocotools_reads_a_project_with_the_marks(tmp_path: Path) -> None:
    coco = pytest.importorskip("pycocotools.coco")
    project = make_project(tmp_path, 3)
    delete_category(project, "bird", reassign_to="cat").apply(project)
    AddImages([ImageRecord(4, "images/x.png", 64, 48)]).apply(project)
    project.remove_image(3)
    save_project(project)
    read = coco.COCO(str(project.path))
    assert sorted(read.getCatIds()) == [1, 2] and sorted(read.getImgIds()) == [1, 2, 4]
    assert len(read.getAnnIds()) == len(project.annotations)


def test_an_import_does_not_take_a_freed_class_id_from_the_dataset(tmp_path: Path) -> None:
    project = new_project(["a", "b", "c"])
    delete_category(project, "c", None).apply(project)
    build = Builder(project)
    assert build.category("d", 3).id == 4  # the dataset's 3 was the deleted class's
    assert build.category("e", 9).id == 9  # a dataset id never given out is kept
    assert build.image("x.png", 4, 4).id == 1


def test_split_and_merge_never_give_a_freed_id_to_a_new_class_or_image(tmp_path: Path) -> None:
    """After the split the lead adds a class and a photo and takes them back; an annotator adds a class
    and a photo in the shard. Merged, these took the ids the base had given out and freed again."""
    base = make_project(tmp_path, 4)  # cat 1, dog 2, bird 3; images 1..4
    save_project(base)
    shard = split_project(base, ["a", "b"], overlap=0).shards["a"]
    assert len(shard.images) == 2 and shard.next_image_id() == 5  # the base's others' ids are not its own
    shard.add_category(Category(shard.next_category_id(), "eel"))
    shard.add_image(ImageRecord(shard.next_image_id(), "images/eel.png", 64, 48))
    shard.add_annotation(box_annotation(900, 5, 4, [1, 1, 4, 4]))
    save_project(shard, tmp_path / "a.json")
    added = AddImages([ImageRecord(5, "images/lead.png", 64, 48)])
    added.apply(base)
    save_project(base)
    added.revert(base)  # the lead's photo 5, saved and undone
    AddCategory(Category(4, "fish")).apply(base)
    delete_category(base, "fish", None).apply(base)  # and class 4, deleted
    result = merge_shards([Shard.of(load_project(tmp_path / "a.json"), "a")], base=base)
    merged = result.project
    (photo,) = [im for im in merged.images.values() if im.file_name == "images/eel.png"]
    assert merged.category_by_name("eel").id == 5 and photo.id == 6
    assert [a.category_id for a in merged.annotations_of(photo.id)] == [5]
    assert merged.next_image_id() == 7 and merged.next_category_id() == 6
    (renumbered,) = [c for c in result.conflicts if c.type == "image_id_collision"]
    assert "image id 5 was an image's since removed from the project; renumbered to 6" in renumbered.message


def test_a_honeypot_from_the_reference_does_not_take_an_id_the_project_gave_out(tmp_path: Path) -> None:
    """Before: honeypots went on from the project's highest image id, so a removed image's id went to a
    reference photo in every shard (merge pairs a shard's images with the base's by that id)."""
    base = make_project(tmp_path, 4)
    added = AddImages([ImageRecord(5, "images/img005.png", 64, 48)])
    added.apply(base)
    save_project(base)
    added.revert(base)  # 5 was in the file
    reference = make_project(tmp_path, 2, "ref.json", prefix="ref")
    result = split_project(base, ["a", "b"], overlap=0, honeypots=reference, honeypot_fraction=0.3)
    (name,) = result.honeypots
    for shard in result.shards.values():
        (honeypot,) = [im for im in shard.images.values() if im.file_name == name]
        assert honeypot.id == 6


def test_redoing_an_undone_saved_class_or_image_gives_back_the_saved_file(tmp_path: Path) -> None:
    """Add, save, undo, redo left the marks the undo wrote (with the ids present again): the project was not
    its file at the saved state of the undo stack."""
    project = make_project(tmp_path, 2)
    save_project(project)
    project = load_project(project.path)
    added = AddCategory(Category(4, "fish"))
    images = AddImages([ImageRecord(3, "images/new.png", 64, 48)])
    added.apply(project)
    images.apply(project)
    save_project(project)
    saved = project.path.read_bytes()
    images.revert(project)
    added.revert(project)
    added.apply(project)
    images.apply(project)
    assert dumps_project(project) == saved
    images.revert(project)
    added.revert(project)
    assert project.next_image_id() == 4 and project.next_category_id() == 5
