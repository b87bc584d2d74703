"""Class names in Japanese, Hebrew (right to left), emoji and combining accents, and names YAML or XML
would misread (``a: b``, ``#x``, ``- x``, ``yes``, ``<``), through the text formats: written in UTF-8 as
each format's own tools write it, read back exactly (issue: Japanese and Israeli labeling teams)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from pixelproof.core.coco import new_project
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.interop.voc import read_voc, write_voc
from pixelproof.interop.yolo import read_yolo, write_yolo

NAMES = [
    "猫",
    "自動車",
    "歩行者 (子供)",
    "חתול",
    "👍🏽 ok",
    unicodedata.normalize("NFD", "café"),
    "a: b",
    "#hash",
    "- dash",
    "yes",
    "null",
    '"quoted"',
    "1.5",
    "tab\there",
    "<script>&amp;",
]


def _project(folder: Path, names: list[str]) -> Project:
    folder.mkdir(parents=True)
    Image.fromarray(np.zeros((40, 50, 3), np.uint8)).save(folder / "画像_001.png")
    project = new_project(names)
    project.path = folder / "project.json"
    project.add_image(ImageRecord(1, "画像_001.png", 50, 40))
    for n in range(1, len(names) + 1):
        project.add_annotation(Annotation(n, 1, n, [1.0 + n, 2.0, 5.0, 6.0], None, 30.0))
    return project


def test_data_yaml_holds_the_names_in_utf8_and_yaml_gives_them_back(tmp_path: Path) -> None:
    write_yolo(_project(tmp_path / "in", NAMES), tmp_path / "out")
    text = (tmp_path / "out" / "data.yaml").read_bytes().decode("utf-8")
    assert "猫" in text and "חתול" in text and "👍🏽" in text  # readable, as Ultralytics writes it
    assert "\\u" not in text.replace("\\u0301", "")  # no escapes but for what YAML cannot hold
    assert yaml.safe_load(text)["names"] == dict(enumerate(NAMES))
    # Ultralytics' reader: UTF-8, then drops characters YAML calls non-printable before parsing
    kept = re.sub(r"[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010ffff]+", "", text)
    assert yaml.safe_load(kept)["names"] == dict(enumerate(NAMES))
    assert [c.name for c in read_yolo(tmp_path / "out").project.categories.values()] == NAMES


@pytest.mark.parametrize("odd", ["line\u2028sep", "next\x85line", "\ufeffbom", "rtl\u202eevil", "c1\x9bx"])
def test_data_yaml_escapes_what_yaml_would_fold_or_drop(tmp_path: Path, odd: str) -> None:
    write_yolo(_project(tmp_path / "in", ["猫", odd]), tmp_path / "out")
    text = (tmp_path / "out" / "data.yaml").read_text(encoding="utf-8")
    assert odd not in text and "猫" in text
    assert yaml.safe_load(text)["names"] == {0: "猫", 1: odd}


def test_voc_xml_declares_utf8_and_keeps_the_names(tmp_path: Path) -> None:
    write_voc(_project(tmp_path / "in", NAMES), tmp_path / "out")
    xml = (tmp_path / "out" / "Annotations" / "画像_001.xml").read_bytes()
    assert xml.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert "<name>猫</name>".encode() in xml and b"&lt;script&gt;&amp;amp;" in xml
    back = read_voc(tmp_path / "out").project
    assert sorted(c.name for c in back.categories.values()) == sorted(NAMES)
    assert [im.file_name.rsplit("/", 1)[-1] for im in back.images.values()] == ["画像_001.png"]


def test_label_studio_config_has_no_declaration_label_studio_would_refuse(tmp_path: Path) -> None:
    """Label Studio parses a pasted labeling config as a str with lxml, which refuses a str that declares
    an encoding ("Unicode strings with encoding declaration are not supported")."""
    from lxml import etree

    from pixelproof.interop.labelstudio import write_labelstudio

    write_labelstudio(_project(tmp_path / "in", NAMES), tmp_path / "out")
    config = (tmp_path / "out" / "label_config.xml").read_text(encoding="utf-8")
    labels = etree.fromstring(config).iter("Label")
    assert {x.get("value") for x in labels} == set(NAMES)
