"""Adding images to an existing project and pointing it at images that were moved (known answers over real
files written here)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.core import history
from pixelproof.core.coco import dumps_project, load_project, new_project, save_project
from pixelproof.core.edits.images import AddImages, RelocateImages
from pixelproof.core.image_folder import find_moved, images_to_add, project_from_folder
from pixelproof.core.model import ImageRecord

posix_only = pytest.mark.skipif(os.name != "posix", reason="symlinks")


def png(path: Path, w: int = 10, h: int = 8) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.zeros((h, w), np.uint8)).save(path)
    return path


def nifti(path: Path, depth: int = 3) -> Path:
    nib = pytest.importorskip("nibabel")
    path.parent.mkdir(parents=True, exist_ok=True)
    nib.save(nib.Nifti1Image(np.zeros((6, 5, depth), np.uint8), np.eye(4)), path)
    return path


def saved_project(tmp_path: Path, records: list[ImageRecord]) -> Path:
    project = new_project(["cat"])
    for r in records:
        project.add_image(r)
    out = tmp_path / "proj" / "p.json"
    out.parent.mkdir(exist_ok=True)
    save_project(project, out)
    return out


@posix_only
def test_add_lists_new_images_once_with_ids_above_all_and_names_as_new_writes_them(tmp_path: Path) -> None:
    png(tmp_path / "data" / "a.png")
    path = saved_project(
        tmp_path, [ImageRecord(5, "../data/a.png", 10, 8), ImageRecord(9, "../gone.png", 4, 4)]
    )
    new = tmp_path / "new"
    png(new / "b.png", 12, 7)
    png(new / "sub" / "c.png")
    png(new / ".cache" / "d.png")
    png(tmp_path / "elsewhere" / "e.png")
    (new / "linked").symlink_to(tmp_path / "elsewhere")
    (new / "notes.txt").write_text("not a picture")
    (tmp_path / "alias.png").symlink_to(tmp_path / "data" / "a.png")  # a.png again, by another path
    project = load_project(path)
    said: list[str] = []
    found = images_to_add(project, [new, tmp_path / "alias.png", new / "b.png"], said.append)
    assert [(r.id, r.file_name, r.width, r.height) for r in found.images] == [
        (10, "../new/b.png", 12, 7),
        (11, "../new/sub/c.png", 10, 8),
    ]
    assert found.already == [str(tmp_path / "alias.png")]
    named = {Path(m.split(":")[0]).name for m in said}
    assert named == {".cache", "linked", "notes.txt"}, said
    # the names are those `new` writes for the same project file
    fresh = project_from_folder(new, path)
    assert {r.file_name for r in fresh.images.values()} == {r.file_name for r in found.images}


def test_adding_what_is_there_adds_nothing_and_counts_it(tmp_path: Path) -> None:
    png(tmp_path / "imgs" / "a.png")
    nifti(tmp_path / "imgs" / "ct.nii.gz", depth=3)
    project = project_from_folder(tmp_path / "imgs", tmp_path / "p.json")
    save_project(project, tmp_path / "p.json")
    project = load_project(tmp_path / "p.json")
    assert len(project.images) == 4  # a.png + 3 slices
    found = images_to_add(project, [tmp_path / "imgs"], lambda m: None)
    assert found.images == [] and len(found.already) == 4
    nifti(tmp_path / "more" / "mr.nii.gz", depth=2)
    found = images_to_add(project, [tmp_path / "more", tmp_path / "imgs" / "ct.nii.gz"], lambda m: None)
    assert [r.file_name for r in found.images] == ["more/mr.nii.gz#z=000", "more/mr.nii.gz#z=001"]
    assert [r.id for r in found.images] == [5, 6] and len(found.already) == 3


def test_untitled_folder_project_names_added_images_from_its_folder(tmp_path: Path) -> None:
    """The app's folder project is untitled with ``project.path = folder/project.json``: names as there."""
    png(tmp_path / "imgs" / "a.png")
    png(tmp_path / "imgs" / "later" / "b.png")
    png(tmp_path / "other" / "c.png")
    project = project_from_folder(tmp_path / "imgs", tmp_path / "imgs" / "project.json")
    found = images_to_add(project, [tmp_path / "other" / "c.png"], lambda m: None)
    assert [r.file_name for r in found.images] == ["../other/c.png"]
    assert project.image_path(found.images[0]).resolve() == (tmp_path / "other" / "c.png").resolve()
    no_path = new_project([])
    found = images_to_add(no_path, [tmp_path / "other"], lambda m: None)
    assert [r.file_name for r in found.images] == [str((tmp_path / "other" / "c.png").absolute())]


def test_add_images_undo_redo_is_byte_exact(tmp_path: Path) -> None:
    png(tmp_path / "data" / "a.png")
    project = load_project(saved_project(tmp_path, [ImageRecord(1, "../data/a.png", 10, 8)]))
    png(tmp_path / "new" / "b.png")
    before = dumps_project(project)
    edit = AddImages(images_to_add(project, [tmp_path / "new"], lambda m: None).images)
    edit.apply(project)
    after = dumps_project(project)
    assert after != before
    edit.revert(project)
    assert dumps_project(project) == before
    edit.apply(project)
    assert dumps_project(project) == after


def moved_project(tmp_path: Path) -> Path:
    """Images stored under ../old/ (now gone) and one that is still there; a folder they moved to."""
    png(tmp_path / "still" / "here.png")
    to = tmp_path / "to"
    png(to / "x" / "cats" / "a.png")  # ends with cats/a.png: the longer tail wins
    png(to / "y" / "a.png")
    png(to / "p" / "b.png")  # b.png twice, tails of one: ambiguous
    png(to / "q" / "b.png")
    png(to / "c.png", 30, 30)  # c.png is 10x8 in the project: another picture
    png(to / "here.png")  # here.png exists where the project says: never relocated
    png(to / ".hidden" / "d.png")  # hidden folders are not searched
    nifti(to / "vol" / "ct.nii.gz", depth=3)
    return saved_project(
        tmp_path,
        [
            ImageRecord(1, "../old/cats/a.png", 10, 8),
            ImageRecord(2, "../old/b.png", 10, 8),
            ImageRecord(3, "../old/c.png", 10, 8),
            ImageRecord(4, "../still/here.png", 10, 8),
            ImageRecord(5, "../old/d.png", 10, 8),
            ImageRecord(6, "../old/ct.nii.gz#z=001", 6, 5),
            ImageRecord(7, "../old/ct.nii.gz#z=002", 6, 5),
        ],
    )


def test_find_moved_takes_the_longest_tail_refuses_ties_and_other_sizes(tmp_path: Path) -> None:
    project = load_project(moved_project(tmp_path))
    found, problems = find_moved(project, tmp_path / "to")
    assert found == {
        1: "../to/x/cats/a.png",
        6: "../to/vol/ct.nii.gz#z=001",
        7: "../to/vol/ct.nii.gz#z=002",
    }
    text = "\n".join(map(str, problems))
    assert sorted((p.image_id, p.reason) for p in problems) == [
        (2, "ambiguous"),
        (3, "refused"),
        (5, "not found"),
    ]
    assert len(problems) == 3, problems
    assert "../old/b.png" in text and "ambiguous" in text and "p/b.png" in text and "q/b.png" in text
    assert "../old/c.png" in text and "30x30" in text and "10x8" in text
    assert "../old/d.png" in text and "not found" in text
    for iid in found:
        assert project.image_path(ImageRecord(iid, found[iid].partition("#")[0], 1, 1)).exists()


def test_relocate_edit_undo_redo_is_byte_exact_and_logged(tmp_path: Path) -> None:
    path = moved_project(tmp_path)
    project = load_project(path)
    before = dumps_project(project)
    found, _ = find_moved(project, tmp_path / "to")
    edit = RelocateImages(found)
    changes = edit.apply(project)
    assert changes.image_ids == [1, 6, 7]
    assert project.images[1].file_name == "../to/x/cats/a.png"
    after = dumps_project(project)
    edit.revert(project)
    assert dumps_project(project) == before
    edit.apply(project)
    assert dumps_project(project) == after
    history.note(project, tool="relocate", author="ann", edit=edit.label)
    save_project(project, path)
    entry = history.read_log(path, None)[0][0]
    assert entry["images"]["relocated"] == 3 and entry["edits"] == ["Relocate 3 images"]
    assert entry["author"] == "ann" and entry["tool"] == "relocate"


def test_saving_elsewhere_is_not_a_relocation(tmp_path: Path) -> None:
    """Save to another folder rewrites every relative name; the change log must not call that moving."""
    png(tmp_path / "data" / "a.png")
    project = load_project(saved_project(tmp_path, [ImageRecord(1, "../data/a.png", 10, 8)]))
    project.add_image(ImageRecord(2, "../data/b.png", 10, 8))  # something to log
    (tmp_path / "deeper" / "down").mkdir(parents=True)
    save_project(project, tmp_path / "deeper" / "down" / "q.json")
    entry = history.read_log(tmp_path / "deeper" / "down" / "q.json", None)[0][0]
    assert entry["images"] == {"added": 1, "removed": 0, "relocated": 0}


def test_taxonomy_examples_follow_a_relocated_image_and_come_back_on_undo(tmp_path: Path) -> None:
    path = moved_project(tmp_path)
    project = load_project(path)
    cat = project.categories[1]
    cat.app_extra["examples"] = [
        {"file_name": "../old/cats/a.png", "bbox": [0, 0, 4, 4]},
        {"file_name": "../still/here.png", "bbox": [1, 1, 2, 2]},
    ]
    save_project(project, path)
    project = load_project(path)
    before = dumps_project(project)
    edit = RelocateImages(find_moved(project, tmp_path / "to")[0])
    edit.apply(project)
    names = [e["file_name"] for e in project.categories[1].app_extra["examples"]]
    assert names == ["../to/x/cats/a.png", "../still/here.png"]
    edit.revert(project)
    assert dumps_project(project) == before


def test_an_absolute_name_stays_absolute_when_relocated(tmp_path: Path) -> None:
    """A project that names its images by absolute path keeps doing so (they survive the project moving)."""
    png(tmp_path / "to" / "cats" / "a.png")
    path = saved_project(tmp_path, [ImageRecord(1, str(tmp_path / "old" / "cats" / "a.png"), 10, 8)])
    found, problems = find_moved(load_project(path), tmp_path / "to")
    assert problems == [] and found == {1: str(tmp_path / "to" / "cats" / "a.png")}


def test_a_dicom_series_folder_is_found_and_its_slices_keep_their_suffix(tmp_path: Path) -> None:
    """A series is stored as its folder + ``#z=NNN``: the folder is what was moved."""
    import shutil

    from tests.core.test_dicom import pydicom_file

    shutil.copytree(pydicom_file("dicomdirtests") / "77654033" / "CT2", tmp_path / "scans" / "CT2")
    path = tmp_path / "proj" / "p.json"
    path.parent.mkdir()
    project = project_from_folder(tmp_path / "scans", path)
    save_project(project, path)
    assert [im.file_name for im in project.images.values()][:2] == [
        "../scans/CT2#z=000",
        "../scans/CT2#z=001",
    ]
    shutil.move(tmp_path / "scans", tmp_path / "archive" / "2024" / "scans")
    project = load_project(path)
    found, problems = find_moved(project, tmp_path / "archive")
    assert problems == []
    assert found == {
        im.id: im.file_name.replace("../scans/", "../archive/2024/scans/") for im in project.images.values()
    }
    assert images_to_add(project, [tmp_path / "archive"], lambda m: None).images != []  # not there yet
    RelocateImages(found).apply(project)
    assert images_to_add(project, [tmp_path / "archive"], lambda m: None).images == []  # now it is


def test_the_projects_own_images_under_the_folder_are_not_candidates(tmp_path: Path) -> None:
    """Locating into the folder that holds the project's other images: a file the project has already is not
    where a missing image went, so it neither wins nor makes a tie."""
    png(tmp_path / "data" / "a.png")
    png(tmp_path / "data" / "moved" / "a.png")
    png(tmp_path / "data" / "b.png")
    path = saved_project(
        tmp_path,
        [
            ImageRecord(1, "../data/a.png", 10, 8),
            ImageRecord(2, "../gone/a.png", 10, 8),
            ImageRecord(3, "../data/b.png", 10, 8),
            ImageRecord(4, "../gone/b.png", 10, 8),
        ],
    )
    found, problems = find_moved(load_project(path), tmp_path / "data")
    assert found == {2: "../data/moved/a.png"}
    assert [(p.image_id, p.reason) for p in problems] == [(4, "refused")]
    assert "another image of the project" in str(problems[0])


def test_names_in_another_unicode_form_are_found(tmp_path: Path) -> None:
    """A name stored composed (NFC, as typed on Linux/Windows) finds the file a Mac wrote decomposed (NFD),
    and the other way round; the new name is the file's own spelling, which opens."""
    import unicodedata

    nfc, nfd = (unicodedata.normalize(form, "café") for form in ("NFC", "NFD"))
    png(tmp_path / "to" / nfd / "a.png")
    png(tmp_path / "to" / f"{nfc}.png")
    path = saved_project(
        tmp_path, [ImageRecord(1, f"../old/{nfc}/a.png", 10, 8), ImageRecord(2, f"../old/{nfd}.png", 10, 8)]
    )
    project = load_project(path)
    found, problems = find_moved(project, tmp_path / "to")
    assert problems == []
    assert found == {1: f"../to/{nfd}/a.png", 2: f"../to/{nfc}.png"}
    assert all(project.image_path(ImageRecord(i, n, 1, 1)).is_file() for i, n in found.items())


def test_two_images_claiming_one_file_the_longer_tail_keeps_it(tmp_path: Path) -> None:
    """``old/cats/x.png`` and ``old/x.png`` both missing, one file ``cats/x.png`` found: it is the first's."""
    png(tmp_path / "to" / "cats" / "x.png")
    path = saved_project(
        tmp_path, [ImageRecord(1, "../old/x.png", 10, 8), ImageRecord(2, "../old/cats/x.png", 10, 8)]
    )
    found, problems = find_moved(load_project(path), tmp_path / "to")
    assert found == {2: "../to/cats/x.png"}
    assert [(p.image_id, p.reason) for p in problems] == [(1, "refused")]
    assert "../old/cats/x.png" in str(problems[0])


def test_a_volume_found_with_fewer_slices_is_not_relocated_in_part(tmp_path: Path) -> None:
    """``mr.nii.gz`` of 5 slices in the project, one of 3 under the folder: another volume. Relocating its
    first 3 slices would put their objects on another scan's slices; none is relocated, each says why."""
    nifti(tmp_path / "to" / "mr.nii.gz", depth=3)
    nifti(tmp_path / "to" / "ct.nii.gz", depth=2)
    records = [ImageRecord(k + 1, f"../old/mr.nii.gz#z={k:03d}", 6, 5) for k in range(5)]
    records += [ImageRecord(6 + k, f"../old/ct.nii.gz#z={k:03d}", 6, 5) for k in range(2)]
    found, problems = find_moved(load_project(saved_project(tmp_path, records)), tmp_path / "to")
    assert found == {6: "../to/ct.nii.gz#z=000", 7: "../to/ct.nii.gz#z=001"}
    assert sorted((p.image_id, p.reason) for p in problems) == [(k, "refused") for k in range(1, 6)]
    assert all("mr.nii.gz" in str(p) for p in problems)


def test_a_name_the_os_cannot_look_up_is_missing_not_a_crash(tmp_path: Path) -> None:
    """A stored name with a component over the file system's 255 bytes (a project made elsewhere): the OS
    answers ENAMETOOLONG, not "no such file"; the image is missing (not found), the others are relocated
    and adding images still works."""
    long = "x" * 300
    png(tmp_path / "to" / "a.png")
    png(tmp_path / "new" / "b.png")
    path = saved_project(
        tmp_path,
        [
            ImageRecord(1, "../old/a.png", 10, 8),
            ImageRecord(2, f"../{long}/c.png", 10, 8),
            ImageRecord(3, f"../{long}.nii.gz#z=001", 6, 5),
        ],
    )
    project = load_project(path)
    found, problems = find_moved(project, tmp_path / "to")
    assert found == {1: "../to/a.png"}
    assert sorted((p.image_id, p.reason) for p in problems) == [(2, "not found"), (3, "not found")]
    added = images_to_add(project, [tmp_path / "new"], lambda m: None)
    assert [im.file_name for im in added.images] == ["../new/b.png"]


def test_some_files_of_a_dicom_series_are_added_as_those_slices(tmp_path: Path) -> None:
    """Two of a series folder's four files picked: a slice is named by its place in the whole folder's
    series (that is how it is read back), so the records name those two files' slices, not slices 0 and 1
    of a two-file series that, reopened, would show other files (the objects on the wrong slices)."""
    import shutil

    import pydicom

    from pixelproof.core.sources import image_meta
    from pixelproof.core.volume_cache import clear_cache
    from tests.core.test_dicom import pydicom_file

    shutil.copytree(pydicom_file("dicomdirtests") / "77654033" / "CT2", tmp_path / "scans" / "CT2")
    files = sorted((tmp_path / "scans" / "CT2").iterdir())
    z = {f: float(pydicom.dcmread(f).ImagePositionPatient[2]) for f in files}
    project = load_project(saved_project(tmp_path, []))
    picked = sorted(files, key=z.get)[2:]
    added = images_to_add(project, picked, lambda m: None)
    assert [im.extra.get("slice_position") for im in added.images] == pytest.approx(
        sorted(z[f] for f in picked)
    )
    clear_cache()  # as when the project is opened again
    shown = [image_meta(project.image_path(im)).slice_position for im in added.images]
    assert shown == pytest.approx(sorted(z[f] for f in picked))
    AddImages(added.images).apply(project)
    again = images_to_add(project, [tmp_path / "scans"], lambda m: None)  # the other two are new
    assert len(again.images) == 2 and len(again.already) == 2
    clear_cache()
    shown = [image_meta(project.image_path(im)).slice_position for im in again.images]
    assert shown == pytest.approx(sorted(z[f] for f in files)[:2])
