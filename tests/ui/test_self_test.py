"""``pixelproof --self-test``: passes on a working install, reports a broken step and exits 1."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_self_test_passes_in_a_fresh_process() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pixelproof", "--self-test"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "self test passed" in proc.stdout
    assert "propagateSizeHints" not in proc.stderr  # Qt's offscreen notice puzzled a newcomer: not said
    for step in ("draw a box", "save to a temporary folder", "QA", "pre-label with the threshold"):
        assert f"ok    {step}" in proc.stdout


def test_a_failing_step_is_reported_and_exits_1(
    qapp, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pixelproof.ui import self_test

    def broken_qa(self: object) -> str:
        raise RuntimeError("reference went missing")

    monkeypatch.setattr(self_test._SelfTest, "qa", broken_qa)
    assert self_test.run_self_test() == 1
    out = capsys.readouterr().out
    assert "FAIL  QA: candidate vs reference: RuntimeError: reference went missing" in out
    assert "ok    pre-label with the threshold backend" in out  # later steps still run
    assert "self test FAILED" in out


def test_only_the_offscreen_notice_is_silenced(qapp, capfd: pytest.CaptureFixture[str]) -> None:
    """The self test drops Qt's "does not support propagateSizeHints()" line, and nothing else Qt says."""
    from PySide6.QtCore import QMessageLogContext, QtMsgType

    from pixelproof.ui.self_test import _without_offscreen_noise

    context = QMessageLogContext()
    _without_offscreen_noise(
        QtMsgType.QtWarningMsg, context, "This plugin does not support propagateSizeHints()"
    )
    _without_offscreen_noise(
        QtMsgType.QtWarningMsg, context, "QPainter::begin: Paint device returned engine == 0"
    )
    assert capfd.readouterr().err == "QPainter::begin: Paint device returned engine == 0\n"
