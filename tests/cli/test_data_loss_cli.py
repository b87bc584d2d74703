"""Commands never lose work (issue 11): a second writer is refused (item 1), a derived output never
overwrites an input (item 4), embedded LabelMe images never overwrite each other (item 5)."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from pixelproof.interop import read_labelme
from tests.cli.test_prelabel_cli import make_project
from tests.interop.conftest import sample_project  # noqa: F401  (fixture)


def run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_prelabel_in_place_refuses_when_the_app_saved_meanwhile(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    img = np.zeros((40, 60), dtype=np.uint8)
    img[10:30, 20:40] = 200
    path = make_project(tmp_path / "p", {"a.png": img}, ["blob"])
    import pixelproof.commands.prelabel as prelabel_cmd

    real = prelabel_cmd.propose_batch

    def app_saves_while_the_model_runs(project, *args, **kwargs):  # type: ignore[no-untyped-def]
        other = load_project(path)  # the other writer: the app, saving the user's edit
        other.categories[1].name = "edited in the app"
        save_project(other)
        return real(project, *args, **kwargs)

    monkeypatch.setattr(prelabel_cmd, "propose_batch", app_saves_while_the_model_runs)
    code, _, err = run(capsys, "prelabel", path, "--backend", "threshold")
    assert code == 1
    assert str(path) in err and "changed on disk" in err and "-o" in err
    again = load_project(path)
    assert again.categories[1].name == "edited in the app"  # the app's work is intact
    assert again.annotations == {}


def test_convert_into_its_own_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "yolo"
    (src / "images").mkdir(parents=True)
    (src / "labels").mkdir()
    (src / "classes.txt").write_text("cat\n")
    Image.fromarray(np.zeros((20, 30, 3), dtype=np.uint8)).save(src / "images" / "a.png")
    (src / "labels" / "a.txt").write_text("0 0.5 0.5 0.5 0.5\nnot a line\n")
    before = {p: p.read_bytes() for p in src.rglob("*") if p.is_file()}
    for out in (src, src / "converted", tmp_path):  # same folder, inside it, holding it
        code, _, err = run(capsys, "convert", src, out, "--from", "yolo", "--to", "labelme")
        assert code == 2, err
        assert "could overwrite" in err and str(out) in err
    code, _, err = run(capsys, "convert", src, tmp_path / "out", "--from", "yolo", "--to", "labelme")
    assert code == 3, err  # converted; the bad line is reported
    assert {p: p.read_bytes() for p in src.rglob("*") if p.is_file()} == before


def test_convert_coco_onto_itself_is_refused(sample_project, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    path = sample_project.path
    before = path.read_bytes()
    code, _, err = run(capsys, "convert", path, path, "--from", "coco", "--to", "coco")
    assert code == 2 and "is the input" in err
    assert path.read_bytes() == before


def test_qa_report_over_an_input_is_refused(sample_project, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    path = sample_project.path
    before = path.read_bytes()
    for option in ("--json", "--csv", "--html"):
        code, _, err = run(capsys, "qa", path, path, option, path)
        assert code == 2 and option in err and "is the input" in err
    assert path.read_bytes() == before
    code, _, err = run(capsys, "qa", path, path, "--csv", path.parent / "report.csv")
    assert code == 0, err


def _png(color: int) -> str:
    buf = io.BytesIO()
    Image.fromarray(np.full((8, 10, 3), color, dtype=np.uint8)).save(buf, format="PNG")
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _labelme(folder: Path, name: str, image_path: str, data: object) -> None:
    doc = {"shapes": [], "imagePath": image_path, "imageData": data, "imageWidth": 10, "imageHeight": 8}
    (folder / name).write_text(json.dumps(doc))


def test_embedded_images_of_the_same_name_are_all_kept(tmp_path: Path) -> None:
    src = tmp_path / "lm"
    (src / "day1").mkdir(parents=True)
    (src / "day2").mkdir()
    _labelme(src / "day1", "a.json", "photo.png", _png(10))
    _labelme(src / "day2", "b.json", "photo.png", _png(200))
    _labelme(src / "day2", "c.json", "../..", _png(90))  # a name that is no file name
    _labelme(src / "day2", "d.json", "x.png", 12345)  # imageData not base64 text
    out = tmp_path / "extracted"
    result = read_labelme(src, extract_images=out)
    names = sorted(p.name for p in out.iterdir())
    assert names == ["c.png", "photo.png", "photo_2.png"]
    colors = {int(np.asarray(Image.open(out / n))[0, 0, 0]) for n in names}
    assert colors == {10, 200, 90}  # nothing overwritten
    assert any("extracted as photo_2.png" in p for p in result.problems)
    assert any("d.json: imageData: expected base64 text" in p for p in result.problems)
    again = read_labelme(src, extract_images=out)  # a second run reuses identical files
    assert sorted(p.name for p in out.iterdir()) == names
    assert len(again.project.images) == len(result.project.images) == 4
