"""``convert -o OUTPUT`` (as ``new``/``add``/``prelabel`` take it), and an option a subcommand does not take
refused with that subcommand's usage, not the app's."""

from __future__ import annotations

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
