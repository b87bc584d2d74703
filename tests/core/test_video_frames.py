"""core.video_frames: a video file's frames as frame_NNNNNN.png, numbered as in the video; its refusals."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pixelproof.core import atomic, limits
from pixelproof.core.coco import new_project
from pixelproof.core.model import ImageRecord
from pixelproof.core.track_fill import sequence_frames
from pixelproof.core.video_frames import VideoFramesError, extract_frames, frame_name
from tests.core.video_files import cut_after_header, level_of, write_video


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_every_third_frame_keeps_its_number_and_picture(tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.mp4", frames=20)
    seen: list[tuple[int, int]] = []
    done = extract_frames(video, tmp_path / "out", step=3, progress=lambda d, t: seen.append((d, t)))
    assert done.numbers == (0, 3, 6, 9, 12, 15, 18) and done.declared == 20 and not done.stopped
    assert _names(tmp_path / "out") == [frame_name(n) for n in done.numbers]
    assert all(level_of(tmp_path / "out" / frame_name(n)) == n for n in done.numbers)  # the video's frame n
    assert seen[0] == (0, 7) and seen[-1] == (7, 7)
    assert "7 frames written (frame_000000.png .. frame_000018.png, every 3rd)" in done.summary()
    # Fill Between Frames numbers them as the video does
    project = new_project(["car"])
    for i, name in enumerate(_names(tmp_path / "out"), start=1):
        project.add_image(ImageRecord(id=i, file_name=f"out/{name}", width=64, height=48))
    assert [f for f, _ in sequence_frames(project, 1)] == [0, 3, 6, 9, 12, 15, 18]


def test_a_range_is_inclusive_and_the_cap_refuses_before_writing(tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.mp4", frames=20)
    done = extract_frames(video, tmp_path / "a", start=5, stop=11, step=2)
    assert done.numbers == (5, 7, 9, 11)
    assert [level_of(tmp_path / "a" / frame_name(n)) for n in done.numbers] == [5, 7, 9, 11]
    with pytest.raises(VideoFramesError, match=r"20 frames would be written, over the cap of 19; .*--step"):
        extract_frames(video, tmp_path / "b", max_frames=19)
    assert not (tmp_path / "b").exists()  # refused before the folder was made
    assert extract_frames(video, tmp_path / "c", max_frames=10, step=2).numbers[-1] == 18  # 10 fit
    with pytest.raises(VideoFramesError, match="start 25 is past its end"):
        extract_frames(video, tmp_path / "d", start=25)
    with pytest.raises(VideoFramesError, match="step must be at least 1"):
        extract_frames(video, tmp_path / "d", step=0)


@pytest.mark.parametrize("kind", ["text", "half", "picture"])
def test_no_video_is_refused_and_nothing_written(tmp_path: Path, kind: str) -> None:
    good = write_video(tmp_path / "good.mp4")
    bad = tmp_path / ("clip.png" if kind == "picture" else "clip.mp4")
    if kind == "text":
        bad.write_text("not a video at all")
    elif kind == "half":  # its index (moov) is at the end: cut off, FFmpeg cannot open it
        bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    else:
        bad.write_bytes(good.read_bytes())  # a video named as a picture: refused by its name
    with pytest.raises(VideoFramesError, match=str(bad.name)):
        extract_frames(bad, tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "clip.mp4"
    os.mkfifo(fifo)
    with pytest.raises(limits.LimitError, match="FIFO"):
        extract_frames(fifo, tmp_path / "out")
    video = write_video(tmp_path / "good.mp4")
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(VideoFramesError, match="pipe: is a FIFO"):
        extract_frames(video, tmp_path / "pipe")


def test_a_truncated_video_keeps_the_frames_read_and_says_where_it_ended(tmp_path: Path) -> None:
    video = cut_after_header(write_video(tmp_path / "full.mp4", frames=20), tmp_path / "cut.mp4")
    done = extract_frames(video, tmp_path / "out")
    assert done.declared == 20 and 5 <= len(done.numbers) < 20
    assert done.numbers == tuple(range(len(done.numbers)))
    assert f"ended at frame {len(done.numbers)} of the 20 its header counts" in done.stopped
    assert all(level_of(tmp_path / "out" / frame_name(n)) == n for n in done.numbers[:-1])


def test_frames_over_the_pixel_limit_are_refused(tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.mp4", size=(64, 48))
    limits.set_max_pixels(64 * 48 - 1)  # the header's size is over it: no frame is decoded
    try:
        with pytest.raises(limits.LimitError, match=r"a frame of 64 x 48 = 3,072 pixels is over the limit"):
            extract_frames(video, tmp_path / "out")
    finally:
        limits.set_max_pixels(None)
    assert not (tmp_path / "out").exists()


def test_a_folder_with_frames_is_refused_unless_overwrite(tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.mp4", frames=10)
    out = tmp_path / "out"
    extract_frames(video, out, step=2)
    (out / "project.json").write_text("{}")
    before = (out / frame_name(4)).read_bytes()
    with pytest.raises(VideoFramesError, match=r"holds 5 frame files already \(frame_000000.png"):
        extract_frames(video, out, step=3)
    assert (out / frame_name(4)).read_bytes() == before and not (out / frame_name(3)).exists()
    done = extract_frames(video, out, step=3, overwrite=True)
    assert done.numbers == (0, 3, 6, 9) and done.replaced == 2 and done.others_kept == 3  # 2, 4, 8 kept
    assert "2 frames replaced; 3 other frame files kept as they were" in done.summary()
    assert (out / "project.json").read_text() == "{}"


def test_a_linked_frame_is_never_written_through(tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.mp4", frames=4)
    out, outside = tmp_path / "out", tmp_path / "secret.txt"
    outside.write_text("keep me")
    out.mkdir()
    (out / frame_name(2)).symlink_to(outside)
    with pytest.raises(VideoFramesError, match=r"frame_000002.png: is a symlink"):
        extract_frames(video, out, overwrite=True)
    assert outside.read_text() == "keep me" and _names(out) == [frame_name(2)]


def test_the_output_may_not_be_the_video_and_dotdot_stays_lexical(tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.mp4", frames=2)
    with pytest.raises(limits.LimitError, match="is the input"):
        extract_frames(video, tmp_path / "x" / ".." / "clip.mp4")
    (tmp_path / "x").mkdir()
    done = extract_frames(video, tmp_path / "x" / ".." / "y")
    assert done.folder == tmp_path / "y" and _names(tmp_path / "y") == [frame_name(0), frame_name(1)]
    assert _names(tmp_path / "x") == []


def test_a_full_disk_names_the_file_and_keeps_the_frames_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    video = write_video(tmp_path / "clip.mp4", frames=10)
    real_replace = os.replace

    def full(src: str, dst: str) -> None:
        if str(dst).endswith(frame_name(6)):
            raise OSError(28, "No space left on device", str(src))
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", full)
    out = tmp_path / "out"
    with pytest.raises(
        VideoFramesError, match=r"frame_000006.png: not written: No space left on device; the 3 "
    ):
        extract_frames(video, out, step=2)
    assert _names(out) == [frame_name(0), frame_name(2), frame_name(4)]  # no temporary left
    assert [level_of(out / frame_name(n)) for n in (0, 2, 4)] == [0, 2, 4]


def test_a_cancel_from_progress_stops_with_whole_frames(tmp_path: Path) -> None:
    video = write_video(tmp_path / "clip.mp4", frames=10)

    class Cancelled(Exception):
        pass

    def progress(done: int, _total: int) -> None:
        if done == 3:
            raise Cancelled

    with pytest.raises(Cancelled):
        extract_frames(video, tmp_path / "out", progress=progress)
    assert _names(tmp_path / "out") == [frame_name(0), frame_name(1), frame_name(2)]
