"""Ids never pass 2**63 - 1 (``ID_MAX``): a project whose object, image or class ids reach it (another
tool's file, or a ``last_*_id`` mark) gave the next new one 2**63, and the saved file no longer opened.
Every path that hands out ids goes through ``Project.new_ids`` and is refused with ``IdsExhausted``
(naming the file, the kind of id and the way on) before it changes anything."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pixelproof.core import clipboard, image_folder, masks, taxonomy
from pixelproof.core.coco import dumps_project, load_project, save_project
from pixelproof.core.consensus import consensus_edit
from pixelproof.core.edits import split_mask
from pixelproof.core.limits import ID_MAX
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.model import (
    LAST_ANNOTATION_ID,
    LAST_CATEGORY_ID,
    LAST_IMAGE_ID,
    Annotation,
    Category,
    IdsExhausted,
    ImageRecord,
    Project,
)
from pixelproof.core.split import split_project
from pixelproof.inference.apply import PredictionMapper, Shape
from tests.core.test_consensus import _merged

KEYS = (LAST_ANNOTATION_ID, LAST_IMAGE_ID, LAST_CATEGORY_ID)


def at_the_top(folder: Path, top: int = ID_MAX, name: str = "p.json") -> Project:
    """Two images, two classes and two boxes whose ids end at ``top`` (as another tool may number them),
    saved to ``folder/name`` (the images are real 80 x 60 PNGs)."""
    from PIL import Image

    (folder / "images").mkdir(parents=True, exist_ok=True)
    p = Project(path=folder / name)
    for k, i in enumerate((top - 1, top)):
        Image.fromarray(np.full((60, 80, 3), 40 * k, np.uint8)).save(folder / f"images/i{k}.png")
        p.add_image(ImageRecord(i, f"images/i{k}.png", 80, 60))
        p.add_category(Category(i, f"class{k}", color="#ff0000"))
        p.add_annotation(Annotation(i, i, i, [1.0 + k, 2.0, 10.0, 10.0], None, 100.0))
    save_project(p)
    return load_project(p.path)


@pytest.mark.parametrize("key", KEYS)
def test_the_next_id_past_the_range_is_refused_naming_the_file_and_the_kind(tmp_path: Path, key: str) -> None:
    project = at_the_top(tmp_path)
    before = dumps_project(project)
    with pytest.raises(IdsExhausted) as e:
        project.new_ids(key)
    kind = {LAST_ANNOTATION_ID: "object", LAST_IMAGE_ID: "image", LAST_CATEGORY_ID: "category"}[key]
    text = str(e.value)
    assert text.startswith(f"{project.path}: {kind} ids reach {ID_MAX}") and "2**63 - 1" in text
    assert f"pixelproof renumber {project.path} -o NEW.json" in text
    assert dumps_project(project) == before  # nothing recorded


def test_the_last_id_is_still_given_and_a_block_that_does_not_fit_is_refused(tmp_path: Path) -> None:
    project = at_the_top(tmp_path, ID_MAX - 1)
    assert project.next_annotation_id() == ID_MAX and list(project.new_ids(LAST_IMAGE_ID)) == [ID_MAX]
    with pytest.raises(IdsExhausted, match="no room for 2 new categories"):
        project.new_ids(LAST_CATEGORY_ID, 2)


def test_a_mark_at_the_top_is_named_as_such(tmp_path: Path) -> None:
    """The ids present are low but the file says an object had ID_MAX (``last_annotation_id``)."""
    project = at_the_top(tmp_path, 5)
    project.app[LAST_ANNOTATION_ID] = ID_MAX
    save_project(project)
    project = load_project(project.path)
    with pytest.raises(IdsExhausted, match=r"given out before: pixelproof\.last_annotation_id"):
        project.next_annotation_id()


def test_paste_with_no_room_for_the_copies_is_refused(tmp_path: Path) -> None:
    """Before: ids ID_MAX and 2**63 for the two copies; the saved file did not open."""
    project = at_the_top(tmp_path, ID_MAX - 1)
    (image_id, *_) = project.images
    both = [a.id for a in project.annotations.values()]
    clip = clipboard.copy_annotations(project, image_id, [both[0]])
    clip = clipboard.Clipboard(clip.annotations * 2, image_id, clip.size, clip.category_names, clip._project)
    with pytest.raises(IdsExhausted, match="no room for 2 new objects"):
        clipboard.paste(clip, project, image_id)


def test_splitting_a_mask_with_no_id_left_is_refused(tmp_path: Path) -> None:
    project = at_the_top(tmp_path)
    image = project.images[ID_MAX]
    pixels = np.zeros((60, 80), bool)
    pixels[5:10, 5:10] = pixels[30:40, 30:40] = True
    two = Annotation(ID_MAX - 5, image.id, ID_MAX, masks.bbox(pixels), masks.encode(pixels), 125.0)
    project.add_annotation(two)
    with pytest.raises(IdsExhausted):
        split_mask(project, two.id)


def test_new_classes_with_no_id_left_are_refused(tmp_path: Path) -> None:
    project = at_the_top(tmp_path)
    before = dumps_project(project)
    with pytest.raises(IdsExhausted, match="category ids"):
        taxonomy.split_category(project, "class0", "class0", "part")
    plan = {"categories": [{"name": "class0"}, {"name": "new one"}]}
    with pytest.raises(IdsExhausted, match="category ids"):
        taxonomy.apply_taxonomy(project, plan)
    assert dumps_project(project) == before


def test_adding_images_with_no_id_left_is_refused(tmp_path: Path) -> None:
    project = at_the_top(tmp_path)
    more = tmp_path / "more"
    more.mkdir()
    (tmp_path / "images/i0.png").rename(more / "new.png")
    with pytest.raises(IdsExhausted, match="image ids"):
        image_folder.images_to_add(project, [more], lambda message: None)


def test_pre_labels_with_no_id_left_are_refused(tmp_path: Path) -> None:
    """No object id at all: refused before a model runs. One left for two shapes: refused at the second."""
    project = at_the_top(tmp_path)
    with pytest.raises(IdsExhausted, match="object ids"):
        PredictionMapper(project, "model")
    project = at_the_top(tmp_path, ID_MAX - 1)
    mapper = PredictionMapper(project, "model")
    shape = Shape("class0", 0.9, None, [1.0, 1.0, 5.0, 5.0], 25.0)
    with pytest.raises(IdsExhausted, match="object ids reach"):
        mapper.adopt(project.images[ID_MAX - 1], [shape, shape])


def test_consensus_with_no_id_left_is_refused(tmp_path: Path) -> None:
    project = _merged(tmp_path)
    project.app[LAST_ANNOTATION_ID] = ID_MAX
    with pytest.raises(IdsExhausted, match="object ids"):
        consensus_edit(project, "majority")


def test_a_merge_that_must_renumber_past_the_range_is_refused(tmp_path: Path) -> None:
    """Two annotators' new objects with one id (shards made otherwise than by split): the second is
    renumbered - before, to 2**63."""
    project = at_the_top(tmp_path, ID_MAX - 1)
    a, b = load_project(project.path), load_project(project.path)
    a.add_annotation(Annotation(ID_MAX, ID_MAX - 2, ID_MAX - 2, [1.0, 1.0, 4.0, 4.0], None, 16.0))
    b.add_annotation(Annotation(ID_MAX, ID_MAX - 1, ID_MAX - 1, [9.0, 9.0, 4.0, 4.0], None, 16.0))
    with pytest.raises(IdsExhausted, match="object ids"):
        merge_shards([Shard.of(a, "a"), Shard.of(b, "b")])


def test_honeypots_with_no_image_id_left_are_refused_and_a_split_without_them_works(tmp_path: Path) -> None:
    project = at_the_top(tmp_path)
    for k, a in enumerate(list(project.annotations.values())):  # room for the annotators' ranges of ids
        project.remove_annotation(a.id)
        project.add_annotation(Annotation(k + 1, a.image_id, a.category_id, a.bbox, None, a.area))
    project.app[LAST_ANNOTATION_ID] = 10
    reference = at_the_top(tmp_path / "ref", 7)
    for image in reference.images.values():
        image.file_name = image.file_name.replace("images/", "images/ref_")
    with pytest.raises(IdsExhausted, match="image ids"):
        split_project(project, ["ann", "bob"], overlap=0, honeypots=reference, honeypot_fraction=0.5)
    result = split_project(project, ["ann", "bob"], overlap=0)
    for name, shard in result.shards.items():
        save_project(shard, tmp_path / f"{name}.json")
        assert load_project(tmp_path / f"{name}.json").given_out(LAST_IMAGE_ID) == ID_MAX


def test_per_image_maps_of_ids_of_19_digits_are_read(tmp_path: Path) -> None:
    """Ids from 10**18 to 2**63 - 1 have 19 digits: the per-image maps keyed by them (statuses, time,
    overlap versions, consensus marks) were taken for hand-edited keys naming no image, so a split left
    them out of the shards and the overlap versions of such an image were not seen."""
    from pixelproof.core.edits import SetImageStatus
    from pixelproof.core.edits.image_state import SetOverlapAnnotators
    from pixelproof.core.edits.images import RecordTime
    from pixelproof.core.overlap_versions import overlap_annotators

    project = at_the_top(tmp_path, ID_MAX - 10**6)
    first, second = project.images
    SetImageStatus(first, "done").apply(project)
    RecordTime(second, "ann", 4.0).apply(project)
    SetOverlapAnnotators({first: ["ann", "bob"]}).apply(project)
    assert overlap_annotators(project) == {first: ["ann", "bob"]}
    shards = split_project(project, ["ann", "bob"], overlap=1.0).shards
    assert all(s.image_status(first) == "done" for s in shards.values())
    assert all(s.app["time_spent"] == {str(second): {"ann": 4.0}} for s in shards.values())


def test_per_image_and_per_class_maps_keep_ids_of_the_whole_range(tmp_path: Path) -> None:
    """Ids another tool gave (negative, or of 19 digits up to 2**63 - 1) are valid, and the project keys its
    per-image maps by ``str(id)``; but the reader of those keys took at most 18 digits and no sign, so a
    split dropped those images' statuses and time spent from the shards, and merge the classes as dealt."""
    from pixelproof.core.limits import ID_MIN
    from pixelproof.core.merge import image_reviews, time_spent_by_image

    p = Project(path=tmp_path / "p.json")
    ids = [ID_MIN, -3, 7, 10**18 + 5, ID_MAX]
    for i in ids:
        p.add_image(ImageRecord(i, f"{i}.png", 10, 10))
        p.image_status_map()[str(i)] = "done"
        p.app.setdefault("time_spent", {})[str(i)] = {"ann": 3.0}
        p.app.setdefault("image_review", {})[str(i)] = {"decision": "accepted"}
    p.add_category(Category(ID_MAX, "far"))
    p.add_category(Category(-1, "below"))
    assert image_reviews(p).keys() == set(ids) and time_spent_by_image(p).keys() == set(ids)
    shards = split_project(p, ["ann", "bob"], overlap=0.0).shards
    dealt = [i for s in shards.values() for i in s.images]
    assert sorted(dealt) == sorted(ids)
    for shard in shards.values():
        assert all(shard.image_status(i) == "done" for i in shard.images)
        assert time_spent_by_image(shard).keys() == shard.images.keys()
        assert Shard.of(shard, "x").at_split == {ID_MAX: "far", -1: "below"}
