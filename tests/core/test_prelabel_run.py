"""The record of the app's "Pre-label all" kept in the project (core.edits.prelabel_run): images marked
done with their step, undone with it, saved with the project; a run continued only with the same inputs,
each change named otherwise. No Qt."""

from __future__ import annotations

from pathlib import Path

from pixelproof.core.batch.checkpoint import differences
from pixelproof.core.coco import load_project, new_project, save_project
from pixelproof.core.edits.prelabel_run import RUN, MarkPrelabeled, RunMark, plan_run, run_record
from pixelproof.core.model import ImageRecord, Project
from pixelproof.inference.batch import BackendSpec

INPUTS = {"--backend": "slow", "--model": "sha256:aa", "--score-threshold": 0.25}


def project(n: int = 5) -> Project:
    p = new_project(["thing"])
    for i in range(1, n + 1):
        p.add_image(ImageRecord(i, f"im{i}.png", 32, 32))
    return p


def test_marks_go_with_their_step_and_undo_restores_the_record_exactly() -> None:
    p = project()
    p.app[RUN] = {"run": "old", "inputs": {"--backend": "x"}, "images": [1, 2], "done": [1]}
    before = {**p.app[RUN]}
    mark = RunMark("new", INPUTS, (1, 2, 3, 4, 5))
    first, second = MarkPrelabeled(mark, [1]), MarkPrelabeled(mark, [2, 3, 2])
    first.apply(p)  # a new run: the old record goes
    assert run_record(p) == {"run": "new", "inputs": INPUTS, "images": [1, 2, 3, 4, 5], "done": [1]}
    second.apply(p)
    assert p.app[RUN]["done"] == [1, 2, 3]  # each image once
    MarkPrelabeled(mark, [3]).apply(p)  # marked again (a redo, a file edited): never twice
    assert p.app[RUN]["done"] == [1, 2, 3]
    second.revert(p)
    assert p.app[RUN]["done"] == [1]
    second.apply(p)  # redo
    assert p.app[RUN]["done"] == [1, 2, 3]
    second.revert(p)
    first.revert(p)
    assert p.app[RUN] == before
    p.app.pop(RUN)
    first.apply(p)
    first.revert(p)
    assert RUN not in p.app


def test_an_unfinished_run_with_the_same_inputs_is_continued_on_the_images_not_done() -> None:
    p = project()
    assert plan_run(p, [1, 2, 3, 4, 5], INPUTS, "t1").todo == [1, 2, 3, 4, 5]  # no record: a new run
    inputs = {**INPUTS, "--option size": (640, 480)}  # a tuple in memory, a list in the file
    mark = RunMark("t1", inputs, (1, 2, 3, 4, 5))
    MarkPrelabeled(mark, [1, 3]).apply(p)
    plan = plan_run(p, [1, 2, 3, 4, 5], dict(inputs), "t2")
    assert (plan.todo, plan.done, plan.changed) == ([2, 4, 5], 2, [])
    assert plan.mark.run == "t1" and plan.mark.images == (1, 2, 3, 4, 5)  # the same run goes on
    again = plan.anew()  # "run all again": a new run of every image
    assert (again.todo, again.mark.run, again.done) == ([1, 2, 3, 4, 5], "t2", 0)
    assert plan_run(p, [2, 4], INPUTS, "t3").todo == [2, 4]  # none of them done: a run of its own
    MarkPrelabeled(plan.mark, [2, 4, 5]).apply(p)  # finished: nothing to continue
    assert plan_run(p, [1, 2, 3, 4, 5], INPUTS, "t4").todo == [1, 2, 3, 4, 5]


def test_other_inputs_start_anew_naming_each_change() -> None:
    p = project()
    MarkPrelabeled(RunMark("t1", INPUTS, (1, 2, 3, 4, 5)), [1, 2]).apply(p)
    other = {**INPUTS, "--model": "sha256:bb", "--score-threshold": 0.5}
    labels = {"--model": "the model file m.onnx", "--score-threshold": "the minimum score"}
    plan = plan_run(p, [1, 2, 3, 4, 5], other, "t2", labels)
    assert plan.todo == [1, 2, 3, 4, 5] and plan.mark.run == "t2" and plan.done == 0
    assert plan.changed == ["the model file m.onnx changed", "the minimum score: 0.25 then, 0.5 now"]
    assert plan.was == (2, 5)


def test_a_malformed_record_starts_a_new_run() -> None:
    p = project()
    for bad in ("x", {"run": 1}, {"run": "t", "inputs": {}, "images": [1], "done": ["1"]}):
        p.app[RUN] = bad
        assert run_record(p) is None
        assert plan_run(p, [1, 2], INPUTS, "t").todo == [1, 2]


def test_the_record_is_saved_and_read_with_the_project(tmp_path: Path) -> None:
    p = project()
    MarkPrelabeled(RunMark("t1", INPUTS, (1, 2, 3, 4, 5)), [4, 1]).apply(p)
    save_project(p, tmp_path / "p.json")
    plan = plan_run(load_project(tmp_path / "p.json"), [1, 2, 3, 4, 5], INPUTS, "t2")
    assert (plan.todo, plan.done, plan.mark.run) == ([2, 3, 5], 2, "t1")


def test_a_model_file_is_compared_by_content(tmp_path: Path) -> None:
    model = tmp_path / "m.onnx"
    model.write_bytes(b"one")
    spec = BackendSpec("onnx", (("model_path", str(model)), ("score_threshold", 0.3)))
    then, labels = spec.inputs()
    assert then["--model"].startswith("sha256:") and labels["--model"] == f"--model {model}"
    assert then["file m.onnx.json"] is None  # no card: its absence is what is compared
    assert differences(then, spec.inputs()[0]) == []
    model.write_bytes(b"other")  # replaced under the same name: another model
    assert differences(then, spec.inputs()[0], labels) == [f"--model {model} changed"]


def test_a_record_of_thousands_of_odd_inputs_is_named_in_a_line() -> None:
    """A hand-edited or hostile record of 20,000 inputs (one named by a 100,000-character key) was named
    in full in the app's note, megabytes of text in one label: the first ten are named, the rest counted."""
    p = project()
    inputs = {"x" * 100_000: 1, **{f"--option k{i}": i for i in range(20_000)}}
    p.app[RUN] = {"run": "old", "inputs": inputs, "images": [1, 2], "done": [1]}
    plan = plan_run(p, [1, 2], INPUTS, "t2")
    assert plan.was == (1, 2) and len(plan.changed) == 11
    assert plan.changed[0] == "x" * 297 + "...: 1 then, not given now"
    assert plan.changed[-1] == "and 19,994 more"  # 20,004 differ: the record's 20,001 and INPUTS' 3
    assert sum(map(len, plan.changed)) < 1_000


def test_a_done_image_shrunk_a_lot_keeps_its_factor_with_its_mark() -> None:
    """The factor of a done image shrunk a lot to the model's input goes and comes with its mark (undo,
    redo), a continued run gets those of the images it asks for, a hand-edited one no picture can have is
    left out, and the factor follows its image when ids change (``run_ids``)."""
    from pixelproof.core.run_ids import run_ids

    p = project()
    mark = RunMark("t1", INPUTS, (1, 2, 3, 4, 5))
    first = MarkPrelabeled(mark, [1], shrunk={1: 6.4})
    second = MarkPrelabeled(mark, [2, 3], shrunk={3: 12.8, 4: 9.0})  # 4 is not marked here: not kept
    first.apply(p)
    second.apply(p)
    assert p.app[RUN]["shrunk"] == [[1, 6.4], [3, 12.8]]
    second.revert(p)
    assert p.app[RUN]["shrunk"] == [[1, 6.4]]
    second.apply(p)
    plan = plan_run(p, [1, 2, 3, 4, 5], INPUTS, "t2")
    assert plan.shrunk == [(1, 6.4), (3, 12.8)] and plan.anew().shrunk == []
    assert plan_run(p, [2, 3, 4], INPUTS, "t2").shrunk == [(3, 12.8)]  # only the images asked
    MarkPrelabeled(RunMark("t9", INPUTS, (1, 2)), [1]).apply(p)  # a new run: none shrunk, no key
    assert "shrunk" not in p.app[RUN]
    for bad in (1e300, float("nan"), float("inf"), -9.0, 0, "9", [9], None):
        p.app[RUN] = {
            "run": "t1",
            "inputs": INPUTS,
            "images": [1, 2, 3],
            "done": [1, 2],
            "shrunk": [[1, bad]],
        }
        assert plan_run(p, [1, 2, 3], INPUTS, "t3").shrunk == []
    p.app[RUN] = {"run": "t1", "inputs": INPUTS, "images": [1, 2], "done": [1], "shrunk": "x"}
    assert plan_run(p, [1, 2], INPUTS, "t3").shrunk == []  # the record itself still read
    rec = {"run": "t1", "inputs": INPUTS, "images": [1, 2, 3], "done": [1, 3], "shrunk": [[1, 6.4], [3, 5.0]]}
    moved, _ = run_ids(rec, {1: 10, 2: 20})  # image 3 removed
    assert moved is not None and moved["shrunk"] == [[10, 6.4]] and moved["done"] == [10]


def test_hostile_shrunk_entries_each_image_once_and_a_step_holds_no_copy_of_the_record() -> None:
    """A hand-edited ``shrunk``: an image listed twice was counted twice in the continued run's summary;
    a long list (or a run of thousands of images shrunk) was deep-copied into every image's undo step
    (4,000 images: 0.9 GB held); undo and redo still give the record back exactly."""
    import copy
    import tracemalloc

    p = project(3)
    p.app[RUN] = {
        "run": "t1", "inputs": INPUTS, "images": [1, 2, 3], "done": [1, 2],
        "shrunk": [[1, 6.0], [1, 6.0], [1, 9.0], ["2", 8.0], [7, 8.0], {"1": 5}, [2, -1], [2, 5.5]],
    }  # fmt: skip
    assert plan_run(p, [1, 2, 3], INPUTS, "t3").shrunk == [(1, 6.0), (2, 5.5)]
    n = 1500
    p = project(n)
    mark = RunMark("t1", INPUTS, tuple(range(1, n + 1)))
    MarkPrelabeled(mark, [1], shrunk={1: 5.0}).apply(p)
    p.app[RUN]["shrunk"] += [[1, 5.0]] * 20_000  # hand-edited
    start = copy.deepcopy(p.app[RUN])
    tracemalloc.start()
    try:
        steps = [MarkPrelabeled(mark, [i], shrunk={i: 5.0 + i}) for i in range(2, n + 1)]
        for step in steps:
            step.apply(p)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert held < 8 << 20  # the steps and the record's new entries; was 378 MB
    end = copy.deepcopy(p.app[RUN])
    assert end["done"] == list(range(1, n + 1)) and end["shrunk"][-1] == [n, 5.0 + n]
    for step in reversed(steps):
        step.revert(p)
    assert p.app[RUN] == start
    for step in steps:  # redo
        step.apply(p)
    assert p.app[RUN] == end
