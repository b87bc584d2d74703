"""Commands on a project whose ids reach 2**63 - 1 (another tool's numbering): each one that would hand out a
new object, image or class id exits 2 with the file, the kind of id and the way on, and writes nothing
(before, the file written held 2**63 and no longer opened, or the command stopped with a traceback). The
way on it names - ``pixelproof renumber`` - really gives a project that takes new objects."""

from __future__ import annotations

import shlex
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.limits import ID_MAX
from pixelproof.core.model import LAST_ANNOTATION_ID, Annotation
from tests.core.test_consensus import _merged
from tests.core.test_id_limit import at_the_top


def refused(capsys: pytest.CaptureFixture[str], kind: str, project: Path, *argv: str) -> str:
    """Run ``argv``: exit 2, one error naming ``project`` and ``kind`` ids, ``project`` unchanged."""
    before = project.read_bytes()
    assert main([*argv]) == 2
    err = capsys.readouterr().err
    assert f"pixelproof: error: {project}: {kind} ids reach " in err and "2**63 - 1" in err, err
    assert "Traceback" not in err and project.read_bytes() == before
    load_project(project)
    return err


def test_add_taxonomy_and_prelabel_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = at_the_top(tmp_path).path
    more = tmp_path / "more"
    more.mkdir()
    Image.fromarray(np.zeros((20, 30, 3), np.uint8)).save(more / "new.png")
    refused(capsys, "image", path, "add", str(path), str(more))
    refused(capsys, "category", path, "taxonomy", "split", str(path), "class0", "class0", "part")
    taxonomy = tmp_path / "taxonomy.json"
    taxonomy.write_text('{"categories": [{"name": "class0"}, {"name": "new one"}]}')
    refused(capsys, "category", path, "taxonomy", "apply", str(taxonomy), str(path))
    args = ["prelabel", str(path), "--backend", "threshold", "--option", "category=class0"]
    refused(capsys, "object", path, *args)


def test_consensus_merge_and_split_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    merged = _merged(tmp_path)
    merged.app[LAST_ANNOTATION_ID] = ID_MAX
    merged.path = tmp_path / "merged.json"
    save_project(merged)
    refused(capsys, "object", merged.path, "consensus", str(merged.path), "--method", "majority")

    # merge: test_a_merge_without_a_base_names_its_output_and_a_way_on_that_works

    top = at_the_top(tmp_path / "s")
    shards = tmp_path / "shards"
    refused(capsys, "object", top.path, "split", str(top.path), "--annotators", "ann,bob", "--overlap", "0",
            "-o", str(shards))  # fmt: skip
    low = load_project(top.path)  # room for the annotators' ranges of object ids, none for a new image
    for k, a in enumerate(list(low.annotations.values())):
        low.remove_annotation(a.id)
        low.add_annotation(Annotation(k + 1, a.image_id, a.category_id, a.bbox, None, a.area))
    low.app[LAST_ANNOTATION_ID] = 10
    save_project(low)
    reference = at_the_top(tmp_path / "ref", 7, name="ref.json")
    for image in reference.images.values():
        image.file_name = image.file_name.replace("images/", "images/ref_")
    save_project(reference)
    refused(capsys, "image", top.path, "split", str(top.path), "--annotators", "ann,bob", "--overlap", "0",
            "--honeypots", str(reference.path), "--honeypot-fraction", "0.5", "-o", str(shards))  # fmt: skip
    assert not shards.exists()


def test_the_way_on_the_message_names_gives_a_project_that_takes_new_objects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = at_the_top(tmp_path).path
    more = tmp_path / "more"
    more.mkdir()
    Image.fromarray(np.zeros((20, 30, 3), np.uint8)).save(more / "new.png")
    err = refused(capsys, "image", path, "add", str(path), str(more))
    hint = err.split("renumber it from 1 into a new project: ", 1)[1].split(" (", 1)[0]
    argv = [str(tmp_path / "new.json") if w == "NEW.json" else w for w in shlex.split(hint)]
    assert argv[:2] == ["pixelproof", "renumber"]
    assert main(argv[1:]) == 0, capsys.readouterr().err
    assert main(["add", str(tmp_path / "new.json"), str(more)]) == 0
    again = load_project(tmp_path / "new.json")
    assert sorted(again.images) == [1, 2, 3] and sorted(again.annotations) == [1, 2]
    assert again.next_annotation_id() == 3 and again.next_category_id() == 3
    assert [c.color for c in again.categories.values()] == ["#ff0000", "#ff0000"]  # a round trip lost them


def test_a_merge_without_a_base_names_its_output_and_a_way_on_that_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Merged without --into, the message named the first input (the merged project's path until it is
    written) and told to renumber it alone, which does not make the merge fit. It now names the inputs and
    the output and gives the commands of a way on, which the test follows to a merged project."""
    import re

    def inputs(folder: Path, top: int) -> list[Path]:
        """Two copies of one project, each with an object of its own under the same id ``top``."""
        path = at_the_top(folder, top - 1).path
        a, b = load_project(path), load_project(path)
        a.add_annotation(Annotation(top, top - 2, top - 2, [1.0, 1.0, 4.0, 4.0], None, 16.0))
        b.add_annotation(Annotation(top, top - 1, top - 1, [9.0, 9.0, 4.0, 4.0], None, 16.0))
        save_project(a, folder / "a.json")
        save_project(b, folder / "b.json")
        return [folder / "a.json", folder / "b.json"]

    def content(path: Path) -> list[tuple]:
        """The merged objects by picture, class, box and annotator tag (ids aside)."""
        p = load_project(path)
        return sorted(
            (
                Path(p.image_path(p.images[x.image_id])).name,
                p.categories[x.category_id].name,
                x.bbox,
                str(x.app_extra).replace(".renumbered", ""),  # the tag: the input's file name
            )
            for x in p.annotations.values()
        )

    ins, out = inputs(tmp_path / "t", ID_MAX), tmp_path / "m.json"
    assert main(["merge", *map(str, ins), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"merging {ins[0]}, {ins[1]} into {out}: object ids reach {ID_MAX}" in err, err
    assert f"renumber {ins[0]} -o NEW.json" not in err and not out.exists()
    commands = re.findall(r"`(pixelproof [^`]+)`", err)
    assert [shlex.split(c)[1] for c in commands] == ["renumber", "renumber", "merge"]
    for command in commands[:2]:
        assert main(shlex.split(command)[1:]) == 0, capsys.readouterr().err
    code = main(shlex.split(commands[2])[1:])
    # the same inputs with room for their ids: what the merge gives had they fitted
    low = inputs(tmp_path / "low", 1000)
    assert main(["merge", *map(str, low), "-o", str(tmp_path / "low.json")]) == code == 3  # conflicts
    assert content(out) == content(tmp_path / "low.json")
    assert len(content(out)) == 6  # both versions of each image (no base says who edited), tagged
    assert max(load_project(out).annotations) < 100
