"""CVAT exports two kinds of file, CVAT for images and CVAT for video, and the one ``cvat`` format reads and
writes both. Its title in the format lists named only "CVAT for images 1.1 XML", and an object imported from
a video task said so in the Properties panel's Source: a video user was sent to "for images". The list's
title names both; an import's Source and the export's summary name the kind the file was (``Format.kinds``,
``title_of``)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pixelproof.core.coco import load_project, save_project
from pixelproof.core.model import Annotation, Category, ImageRecord, Project
from pixelproof.interop.cvat import file_kind
from pixelproof.interop.formats import FORMATS
from pixelproof.interop.provenance import source_text

DATA = Path(__file__).resolve().parents[1] / "data" / "datumaro" / "cvat_dataset"
CVAT = FORMATS["cvat"]


def _sources(project: Project) -> set[str]:
    return {source_text(a, project.images.get(a.image_id)) for a in project.annotations.values()}


def test_the_format_lists_title_names_both_kinds_and_keeps_its_name() -> None:
    assert CVAT.name == "cvat"
    assert "for images" in CVAT.title and "for video" in CVAT.title, CVAT.title


def test_objects_of_a_video_task_say_cvat_for_video_and_keep_it_in_the_project_file(tmp_path: Path) -> None:
    project = CVAT.read(DATA / "for_video").project  # Datumaro's CVAT for video export (<track> elements)
    assert project.annotations
    # the box track has no CVAT source; the skeleton track's poses are "manual"
    said = {
        "imported: CVAT for video 1.1 XML (for_video)",
        "imported: CVAT for video 1.1 XML (for_video), CVAT source manual",
    }
    assert _sources(project) == said
    save_project(project, tmp_path / "project.json")  # the mark, kind included, stays in the project
    assert _sources(load_project(tmp_path / "project.json")) == said


def test_objects_of_an_image_task_say_cvat_for_images() -> None:
    project = CVAT.read(DATA / "for_images" / "export_task" / "train.xml").project
    assert project.annotations
    assert {s.split(", CVAT source")[0] for s in _sources(project)} == {
        "imported: CVAT for images 1.1 XML (train.xml)"
    }


HEAD = "<annotations><version>1.1</version>"
INTERPOLATION = "<meta><task><mode>interpolation</mode></task></meta>"


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (
            INTERPOLATION,
            "video",
        ),  # a video task with no annotations: CVAT for video writes no <track>, no <image>
        ("<track id='0' label='a'/>", "video"),  # CVAT for video's tracks, whatever the meta says
        # a video task exported as CVAT for images: <image> elements, so that file is for images
        (INTERPOLATION + "<image id='0' name='frame_000000.png' width='4' height='4'/>", "images"),
        ("<meta><task><mode>annotation</mode></task></meta>", "images"),
    ],
)
def test_the_kind_of_a_cvat_file(body: str, kind: str) -> None:
    assert file_kind(ET.fromstring(f"{HEAD}{body}</annotations>")) == kind


def test_a_mark_without_a_kind_or_with_an_unknown_one_says_the_formats_title() -> None:
    """A project imported before marks had kinds (or a mark edited by hand) names the format, both kinds."""
    for mark in ({"format": "cvat", "from": "task"}, {"format": "cvat", "from": "task", "kind": ["video"]}):
        image = ImageRecord(1, "a.png", 4, 4, {"pixelproof": {"imported": mark}})
        said = source_text(Annotation(1, 1, 1, [0.0, 0.0, 2.0, 2.0]), image)
        assert said == f"imported: {CVAT.title} (task)", said


def test_the_export_names_the_kind_it_writes() -> None:
    project = Project()
    project.add_category(Category(1, "car"))
    for i in (1, 2):
        project.add_image(ImageRecord(i, f"frame_00000{i}.png", 8, 6))
        project.add_annotation(Annotation(i, i, 1, [1.0, 1.0, 2.0, 2.0]))
    assert CVAT.title_for(project, {}) == "CVAT for images 1.1 XML"
    for a in project.annotations.values():
        a.extra["track_id"] = 3
    assert CVAT.title_for(project, {}) == "CVAT for video 1.1 XML"
    assert CVAT.title_for(project, {"tracks": "no"}) == "CVAT for images 1.1 XML"
