"""core/json_lines.py: a project file parsed line group by line group gives exactly what the standard
library's parser gives, and any file it cannot vouch for (another layout, a syntax error, a trailing comma,
whitespace JSON does not allow) is left to the whole-file parse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixelproof.core import json_lines
from pixelproof.core.coco import dumps_project, load_project, new_project
from pixelproof.core.json_lines import parse_by_lines
from pixelproof.core.model import Annotation, ImageRecord

AS_SAVED = [
    b'{\n"a": 1,\n"b": [\n  1,\n  2\n]\n}\n',
    b'{\n"a": [\n]\n}',
    b'{\n"images": [],\n"x": {"y": [1, "\\n"]}\n}\n',
    b'{\r\n"a": [\r\n  {"x": 1},\r\n  {"x": 2}\r\n],\r\n"b": null\r\n}\r\n',
    b'{\n"a": [\n  {"x":\n1}\n]\n}',  # a member over two lines, in one group
    b'{\n"a": [\n1\n],\n"a": 3\n}',  # a repeated key: the last one wins, as in the whole parse
]
NOT_VOUCHED = [
    b'{"a": 1}',  # another layout
    b'{\n  "a": {\n    "b": [\n      1\n    ]\n  }\n}',  # indented (json.dumps(indent=2))
    b'{\n"a": 1,\n"b": [\n  1,\n  2,\n]\n}\n',  # trailing comma in a list
    b'{\n"a": 1,\n}',  # trailing comma after the last key
    b'{\n"a": [\n  1,\n\n]\n}',  # trailing comma, then a blank line
    b'{\n"a": [\n  [1\n],\n  2\n]\n}',  # a member's own bracket at a line start (valid JSON)
    b'{\n"a": 1\n"b": 2\n}',  # missing comma
    b'{\n"a": 1\n}\nx',  # something after the object
    b'{\n"a": [\n  1,\n',  # cut short
    b'{\n"a": \x0c1\n}',  # form feed: not JSON whitespace
    b'{\n"a": NaN\n}',  # orjson refuses it: the whole parse reports where
    b'\xef\xbb\xbf{\n"a": 1\n}',  # a byte order mark: the whole parse removes it
]


@pytest.mark.parametrize("raw", AS_SAVED)
def test_files_laid_out_as_saved_parse_as_the_standard_library_does(raw: bytes) -> None:
    assert parse_by_lines(raw) == json.loads(raw)


@pytest.mark.parametrize("raw", NOT_VOUCHED)
def test_anything_else_is_left_to_the_whole_file_parse(raw: bytes) -> None:
    assert parse_by_lines(raw) is None


def test_a_saved_project_parses_in_small_groups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_lines, "GROUP_BYTES", 200)  # a group every few annotations
    project = new_project(["a", "b"])
    project.add_image(ImageRecord(1, "x.png", 64, 48))
    for n in range(1, 40):
        seg = [[1.5, 2.0, 10.0, 2.0, 10.0, 9.25]] if n % 2 else None
        project.add_annotation(Annotation(n, 1, 1 + n % 2, [1.0, 2.0, 9.0, 7.25], seg, 30.0, note=f"é {n}"))
    raw = dumps_project(project)
    assert parse_by_lines(raw) == json.loads(raw)
    path = tmp_path / "p.json"
    path.write_bytes(raw)
    loaded = load_project(path)
    assert [a.segmentation for a in loaded.annotations.values()] == [
        a.segmentation for a in project.annotations.values()
    ]
