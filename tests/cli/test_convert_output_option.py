"""``convert -o OUTPUT`` (as ``new``/``add``/``prelabel`` take it), and an option a subcommand does not take
refused with that subcommand's usage, not the app's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pixelproof.cli import main
from tests.interop.conftest import sample_project  # noqa: F401  (fixture)


@pytest.mark.usefixtures("sample_project")  # writes tmp_path/src/project.json
def test_output_given_as_o(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "yolo"
    assert main(["convert", str(tmp_path / "src" / "project.json"), "--to", "yolo", "-o", str(out)]) == 0
    assert (out / "data.yaml").is_file() or any(out.rglob("*.txt"))
    assert f"{out}: 2 images" in capsys.readouterr().out


@pytest.mark.usefixtures("sample_project")
def test_output_given_both_ways_or_neither_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = str(tmp_path / "src" / "project.json")
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    with pytest.raises(SystemExit) as e:
        main(["convert", src, a, "--to", "yolo", "-o", b])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: pixelproof convert ")
    assert "OUTPUT given twice" in err and repr(a) in err and repr(b) in err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    with pytest.raises(SystemExit) as e:
        main(["convert", src, "--to", "yolo"])
    assert e.value.code == 2
    assert (
        "pixelproof convert: error: the following arguments are required: output" in capsys.readouterr().err
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["qa", "a.json", "b.json", "--bogus"],
        ["convert", "in.json", "out", "--to", "yolo", "--bogus"],
        ["agreement", "a.json", "b.json", "--bogus"],
        ["lint", "p.json", "--bogus"],
    ],
)
def test_an_unknown_option_prints_the_commands_usage(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: pixelproof {argv[0]} ")
    assert err.rstrip().endswith(f"pixelproof {argv[0]}: error: unrecognized arguments: --bogus")


def test_an_unknown_option_of_the_app_itself_keeps_the_apps_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["--self-test", "--bogus"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: pixelproof [PATH]")
    assert "pixelproof: error: unrecognized arguments: --bogus" in err


@pytest.mark.usefixtures("sample_project")
def test_output_after_an_option_is_still_the_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``convert IN --to yolo OUT`` (an option between the two paths) worked while OUTPUT was required; made
    optional for ``-o``, argparse gave it nothing and refused OUT as an unrecognized argument."""
    src = str(tmp_path / "src" / "project.json")
    out = tmp_path / "yolo"
    assert main(["convert", src, "--to", "yolo", str(out)]) == 0
    assert f"{out}: 2 images" in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:  # a third path is still refused, by convert
        main(["convert", src, "--to", "yolo", str(out), str(tmp_path / "more")])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.rstrip().endswith(f"pixelproof convert: error: unrecognized arguments: {tmp_path / 'more'}")
    with pytest.raises(SystemExit) as e:  # and OUT after an option and -o too: given twice
        main(["convert", src, "--to", "yolo", str(tmp_path / "a"), "-o", str(tmp_path / "b")])
    assert e.value.code == 2
    assert "OUTPUT given twice" in capsys.readouterr().err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_diffs_new_after_an_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """diff's NEW (optional: ``diff PROJECT --at TAG`` has none) after an option is NEW, not refused."""
    from pixelproof.core.coco import new_project, save_project

    old, new = tmp_path / "old.json", tmp_path / "new.json"
    save_project(new_project(["cat"]), old)
    save_project(new_project(["cat", "dog"]), new)
    assert main(["diff", str(old), "--json", str(new)]) == 0
    assert json.loads(capsys.readouterr().out)["categories"]["added"] == ["dog"]
