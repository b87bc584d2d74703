"""The one terminal progress bar: rate and ETA on a terminal, nothing when stderr is not one, and problem
lines printed through it stay whole."""

from __future__ import annotations

import io

from pixelproof.commands._common import ProgressBar, error


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_shows_count_rate_and_eta_and_notes_stay_whole() -> None:
    out = Terminal()
    with ProgressBar("scoring", stream=out) as bar:
        items = list(bar.iterate(iter("abcd"), 4))
        error("img3.png: cannot read", bar)
    assert items == list("abcd")
    frames = out.getvalue().split("\r")
    last = [f for f in frames if f.startswith("scoring")][-1]
    assert "[##############################] 4/4" in last and "images/s" in last and "ETA    0s" in last
    assert "scoring [------------------------------] 0/4" in out.getvalue() and "ETA    ?" in out.getvalue()
    lines = out.getvalue().split("\n")
    *_, drawn, blank, note = lines[0].split("\r")
    assert note == "pixelproof: error: img3.png: cannot read"
    assert blank == " " * len(blank) and len(blank) >= len(drawn.rstrip())  # the bar's line wiped first
    assert lines[1].startswith("\rscoring [####") and lines[-1] == ""  # redrawn below, then closed


def test_bar_is_silent_off_a_terminal(capsys) -> None:
    bar = ProgressBar("reading")
    bar(3, 10)
    bar.note("a problem")
    bar.close()
    assert capsys.readouterr().err == "a problem\n"


def test_off_a_terminal_a_long_job_says_where_it_stands_a_line_a_minute() -> None:
    """A job of hours logged to a file (nohup, a batch system) said nothing until its summary: whoever
    looked at the log could not tell a running job from a stuck one. Off a terminal a plain line (no
    carriage returns) comes at most once a minute; a job shorter than that prints none, as before."""
    now = [100.0]
    out = io.StringIO()
    bar = ProgressBar("pre-labeling (threshold)", stream=out, clock=lambda: now[0])
    bar(0, 1000)
    for done in range(1, 1000):
        now[0] += 0.125  # 8 images/s: 125 s in all
        bar(done, 1000)
    bar.note("pixelproof: error: c7.png: cannot read")
    bar(1000, 1000)
    bar.close()
    text = out.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    assert lines == [
        "pre-labeling (threshold): 480/1000 images, 8.0 images/s, ETA 65s",
        "pre-labeling (threshold): 960/1000 images, 8.0 images/s, ETA 5s",
        "pixelproof: error: c7.png: cannot read",
    ]
