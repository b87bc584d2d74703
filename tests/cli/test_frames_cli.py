"""``pixelproof frames VIDEO -o FOLDER``: exit codes and messages; the frames then open as a folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core import limits
from pixelproof.core.coco import load_project, save_project
from pixelproof.core.image_folder import project_from_folder
from pixelproof.core.track_fill import sequence_frames
from tests.core.video_files import cut_after_header, write_video


@pytest.fixture(autouse=True)
def default_limit():
    """``--max-pixels`` sets the process's limit: back to the default after each test."""
    limits.set_max_pixels(None)
    yield
    limits.set_max_pixels(None)


def test_frames_writes_every_nth_frame_by_its_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = write_video(tmp_path / "clip.mp4", frames=20)
    out = tmp_path / "clip"
    assert main(["frames", str(video), "-o", str(out), "--step", "3", "--start", "3", "--stop", "15"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        f"{out}: 5 frames written (frame_000003.png .. frame_000015.png, every 3rd)",
        f"open them: pixelproof {out}",
    ]
    project = project_from_folder(out, out / "project.json", ["car"])  # what `pixelproof FOLDER` makes
    save_project(project, out / "project.json")
    project = load_project(out / "project.json")
    assert [f for f, _ in sequence_frames(project, 1)] == [3, 6, 9, 12, 15]


@pytest.mark.parametrize(
    ("make", "argv", "says"),
    [
        ("text", [], "clip.mp4: not a video OpenCV's FFmpeg can read"),
        ("none", [], "clip.mp4: no such file or directory"),
        (
            "video",
            ["--max", "19"],
            "clip.mp4: 20 frames would be written, over the cap of 19; narrow the run",
        ),
        ("video", ["--start", "9", "--stop", "3"], "stop (3) is before start (9)"),
        ("video", ["--max-pixels", "100"], "a frame of 64 x 48 = 3,072 pixels is over the limit of 100"),
    ],
)
def test_refusals_exit_1_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: str, argv: list[str], says: str
) -> None:
    video = tmp_path / "clip.mp4"
    if make == "text":
        video.write_text("hello")
    elif make == "video":
        write_video(video)
    assert main(["frames", str(video), "-o", str(tmp_path / "out"), *argv]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("pixelproof: error: ") and says in err[0], err
    assert not (tmp_path / "out").exists()


def test_a_second_run_into_the_folder_needs_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = write_video(tmp_path / "clip.mp4", frames=6)
    out = tmp_path / "out"
    assert main(["frames", str(video), "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["frames", str(video), "-o", str(out), "--step", "2"]) == 1
    assert "holds 6 frame files already" in capsys.readouterr().err
    assert main(["frames", str(video), "-o", str(out), "--step", "2", "--overwrite"]) == 0
    assert "3 frames replaced; 3 other frame files kept as they were" in capsys.readouterr().out


def test_a_truncated_video_exits_3_with_its_frames(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    video = cut_after_header(write_video(tmp_path / "full.mp4", frames=20), tmp_path / "cut.mp4")
    assert main(["frames", str(video), "-o", str(tmp_path / "out")]) == 3
    captured = capsys.readouterr()
    assert (
        "pixelproof: warning: " in captured.err and "of the 20 its header counts (truncated" in captured.err
    )
    assert "frames written (frame_000000.png .. " in captured.out


def test_step_0_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["frames", str(tmp_path / "clip.mp4"), "-o", str(tmp_path / "out"), "--step", "0"])
    assert stop.value.code == 2 and "pixelproof frames: error: argument --step" in capsys.readouterr().err
