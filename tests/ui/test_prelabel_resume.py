"""An interrupted "Pre-label all" continued: cancelled, or the app gone (a crash: its autosave recovered),
a second click offers the images not done, runs only those, and no image gets its predictions twice;
another option starts anew and says why. Real clicks on the Model panel's buttons, with a slow backend
(one box per image), on the demo project."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtWidgets import QMessageBox

from pixelproof.core.edits.prelabel_run import run_record
from pixelproof.inference import registry as inference
from pixelproof.inference.registry import BackendInfo
from tests.ui.test_autosave_recovery import crash_window
from tests.ui.test_model_panel import (
    LEFT,
    SlowBackend,
    choose,
    close_window,
    demo,
    fake_backends,
    open_window,
    predictions,
    press,
    wait_batch,
)
from tests.ui.test_model_panel_run import tick, type_into

FIXTURES = (demo, fake_backends)  # pytest finds them by name


class EmptySlow(SlowBackend):
    """As slow as ``SlowBackend``, and finds nothing: images done without an undo step of their own."""

    name = "emptyslow"

    def predict(self, image, prompt=None):  # type: ignore[no-untyped-def]
        super().predict(image, prompt)
        return []


@pytest.fixture
def empty_backend(fake_backends, monkeypatch: pytest.MonkeyPatch) -> None:
    known = inference.discover
    extra = BackendInfo(EmptySlow.name, "tests:EmptySlow", None, EmptySlow)
    monkeypatch.setattr(inference, "discover", lambda: sorted([*known(), extra], key=lambda i: i.name))


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Every question answered Yes (continue; recover the autosave), each recorded."""
    asked: list[tuple[str, str]] = []

    def question(parent, title, text, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append((title, text))
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    return asked


def cancelled_run(qtbot, win):  # type: ignore[no-untyped-def]
    """Pre-label all with the slow backend ("Skip objects already labeled" off, so an image run twice
    would get its box twice), cancelled after a few images: the panel and the images done."""
    panel = choose(qtbot, win, "slow")
    if panel.run_options.skip.isChecked():
        tick(qtbot, panel.run_options.skip)
    press(qtbot, panel, panel.act_prelabel_all)
    qtbot.waitUntil(lambda: panel.batch.progress.value() >= 2, timeout=10000)
    qtbot.mouseClick(panel.batch.cancel_button, LEFT)
    wait_batch(qtbot, panel)
    done = {a.image_id for a in predictions(win.document)}
    assert 2 <= len(done) < len(win.document.image_ids())
    assert set(run_record(win.document.project)["done"]) == done  # marked with their predictions
    return panel, done


def each_once(doc) -> None:  # type: ignore[no-untyped-def]
    per_image = Counter(a.image_id for a in predictions(doc))
    assert set(per_image) == set(doc.image_ids()) and set(per_image.values()) == {1}, per_image


def test_a_cancelled_run_is_continued_on_the_images_not_done(qtbot, demo, answers) -> None:
    win, doc = demo, demo.document
    panel, done = cancelled_run(qtbot, win)
    n, left = len(doc.image_ids()), len(doc.image_ids()) - len(done)
    press(qtbot, panel, panel.act_prelabel_all)
    wait_batch(qtbot, panel)
    assert len(answers) == 1 and answers[0][0] == "Continue pre-labeling?"
    assert f"{len(done)} of the {n} images" in answers[0][1] and f"{left} images not done" in answers[0][1]
    assert panel.batch.summary_label.text().startswith(f"Pre-labeled {left} of {left} images")
    each_once(doc)
    press(qtbot, panel, panel.act_prelabel_all)  # finished: a new run, nothing asked
    qtbot.waitUntil(lambda: panel.batch.progress.maximum() == n, timeout=10000)
    panel.cancel_batch()
    wait_batch(qtbot, panel)
    assert len(answers) == 1


def test_a_run_cut_short_by_a_crash_is_continued_from_the_recovered_autosave(
    qtbot, tmp_path, demo, answers, monkeypatch
) -> None:
    from pixelproof.ui import dialogs

    win = demo
    path = win.document.path
    _panel, done = cancelled_run(qtbot, win)
    crash_window(win)  # the app dies after its last autosave, the project unsaved
    monkeypatch.setattr(dialogs, "ask_recover", lambda parent, name, changed: True)
    again = open_window(qtbot, path)
    try:
        doc = again.document
        assert {a.image_id for a in predictions(doc)} == done  # recovered with the record
        panel = choose(qtbot, again, "slow")
        assert not panel.run_options.skip.isChecked()  # the same options (kept in the settings)
        press(qtbot, panel, panel.act_prelabel_all)
        wait_batch(qtbot, panel)
        assert [t for t, _ in answers] == ["Continue pre-labeling?"]
        left = len(doc.image_ids()) - len(done)
        assert panel.batch.summary_label.text().startswith(f"Pre-labeled {left} of {left} images")
        each_once(doc)
    finally:
        close_window(again)


def test_other_options_start_anew_and_say_why(qtbot, demo, answers) -> None:
    win, doc = demo, demo.document
    panel, done = cancelled_run(qtbot, win)
    tick(qtbot, panel.run_options.skip)  # on again, at another IoU: another run
    type_into(panel.run_options.skip_iou, "0.7")
    press(qtbot, panel, panel.act_prelabel_all)
    wait_batch(qtbot, panel)
    assert not answers  # nothing to continue: not asked
    summary = panel.batch.summary_label.text()
    n = len(doc.image_ids())
    assert summary.startswith(f"Started anew: the unfinished pre-labeling ({len(done)} of {n} images done)")
    assert "“Skip objects already labeled” (IoU): not given then, 0.7 now" in summary, summary
    assert f"Pre-labeled {n} of {n} images" in summary
    each_once(doc)  # the images done before: their box again, skipped as repeating it


def test_images_where_nothing_was_found_are_done_too(qtbot, empty_backend, demo, answers) -> None:
    win, doc = demo, demo.document
    panel = choose(qtbot, win, "emptyslow")
    steps = doc.undo_stack.count()
    press(qtbot, panel, panel.act_prelabel_all)
    qtbot.waitUntil(lambda: panel.batch.progress.value() >= 2, timeout=10000)
    qtbot.mouseClick(panel.batch.cancel_button, LEFT)
    wait_batch(qtbot, panel)
    done = panel.batch.last_batch.done
    assert 2 <= done < len(doc.image_ids()) and not predictions(doc)
    assert len(run_record(doc.project)["done"]) == done
    assert doc.undo_stack.count() - steps == 1  # one step for them all, at the end
    assert doc.undo_stack.undoText() == f"Pre-label: nothing found on {done} images"
    press(qtbot, panel, panel.act_prelabel_all)
    wait_batch(qtbot, panel)
    assert len(answers) == 1 and panel.batch.last_batch.total == len(doc.image_ids()) - done


def test_an_image_that_failed_is_tried_again(qtbot, demo, answers) -> None:
    win, doc = demo, demo.document
    panel = choose(qtbot, win, "flaky")
    press(qtbot, panel, panel.act_prelabel_all)
    wait_batch(qtbot, panel)
    failed = doc.image_ids()[1]  # the picture of the size the flaky backend fails on
    assert set(run_record(doc.project)["done"]) == set(doc.image_ids()) - {failed}
    press(qtbot, panel, panel.act_prelabel_all)
    wait_batch(qtbot, panel)
    assert len(answers) == 1 and "1 image not done" in answers[0][1]
    assert panel.batch.last_batch.image_ids == [failed] and panel.batch.problems.count() == 1
    assert len(predictions(doc)) == len(doc.image_ids()) - 1  # the others not run again
