"""Batch commands on several cores and on a Dask cluster (issue 17): byte-identical outputs (prelabel's
project, qa's CSV and JSON, lint's JSON, convert's mask folder; merge and agreement) serially, with
``--workers 2`` and with ``--scheduler`` on a real LocalCluster; shards; Ctrl+C leaves nothing behind."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from skimage import data

from pixelproof.cli import main
from pixelproof.core.batch import DaskExecutor, Failed, available_cores, executors, run_batch, worker
from pixelproof.core.coco import load_project, save_project
from tests.cli.test_prelabel_cli import make_project
from tests.core import batch_tasks
from tests.core.test_batch import CONTEXT, ITEMS, _check_loaded_once, _expected, _values

THRESHOLD = ("--backend", "threshold", "--option", "category=coin", "--option", "min_area=30")


def coin_pictures(n: int, side: int = 96) -> dict[str, np.ndarray]:
    """``n`` different crops of scikit-image's coins (a few coins each)."""
    coins = data.coins()
    step = (coins.shape[1] - side) // max(1, n - 1) if n > 1 else 0
    return {
        f"c{i:03d}.png": coins[(i * 7) % 200 : (i * 7) % 200 + side, i * step : i * step + side]
        for i in range(n)
    }


def _keep_thread_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Dask worker in this process (``processes=False``) sets this process's threads (``set_threads``:
    a global and the BLAS/OpenMP variables); they are put back after the test so later tests on this
    pytest worker see the machine's own."""
    for name in worker._THREAD_VARIABLES:
        was = os.environ.get(name)
        monkeypatch.setenv(name, was or "1")  # records the variable as it was, absent too, for the undo
        if was is None:
            monkeypatch.delenv(name)
    monkeypatch.setattr(worker, "_threads", worker._threads)


@pytest.fixture
def coins_project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "p", coin_pictures(14))


def test_prelabel_qa_and_lint_outputs_are_byte_identical_serially_on_two_workers_and_on_a_cluster(
    coins_project: Path,
    dask_cluster: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from pixelproof.commands import _batch

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # one timestamp per job, fixed for the comparison
    # --workers 2 runs two processes on any runner: a one-core CI machine caps it at 1 (in this process)
    monkeypatch.setattr(_batch, "available_cores", lambda: max(2, available_cores()))
    folder = coins_project.parent
    # a third of the images labeled already: the workers must skip predictions repeating those labels
    assert main(["prelabel", str(coins_project), *THRESHOLD, "--images", "c00[0-4].png"]) == 0
    runs = {
        "serial": ["--workers", "1"],
        "pool": ["--workers", "2"],
        "dask": ["--scheduler", dask_cluster.scheduler_address],
    }
    lanes: list[executors.ThreadExecutor] = []  # the default for a small job: two lanes in this process
    made = executors.ThreadExecutor.__init__
    monkeypatch.setattr(executors.ThreadExecutor, "__init__", lambda s, *a: (lanes.append(s), made(s, *a))[1])
    capsys.readouterr()
    outputs = {}
    for name, flags in [*runs.items(), ("lanes", [])]:
        out = folder / f"{name}.json"
        code = main(["prelabel", str(coins_project), *THRESHOLD, *flags, "-o", str(out)])
        said = capsys.readouterr()
        assert code == 0, said.err
        assert "skipped: repeat an existing object" in said.out
        assert ("running on 2 local worker processes" in said.err) == (name == "pool")
        outputs[name] = (out.read_bytes(), said.out.split(": ", 1)[1])  # the file, and what was said
        assert bool(lanes) == (name == "lanes" and available_cores() >= 2)
    project = load_project(folder / "serial.json")
    assert len(project.annotations) > 14  # every crop has coins: the comparison is not between empties
    assert outputs["pool"] == outputs["serial"]
    assert outputs["dask"] == outputs["serial"]
    assert outputs["lanes"] == outputs["serial"]

    # detect-then-segment on the workers: grabcut outlines box labels, masks linked to their boxes
    boxes = load_project(folder / "serial.json")
    for a in boxes.annotations.values():
        a.segmentation, a.review, a.source = None, "accepted", None
    save_project(boxes, folder / "boxes.json")
    outlined = {}
    for name in ("serial", "pool"):
        out = folder / f"{name}.outlined.json"
        argv = ["prelabel", str(folder / "boxes.json"), "--backend", "grabcut", "--from-boxes", "--images",
                "c00[0-3].png", *runs[name], "-o", str(out)]  # fmt: skip
        assert main(argv) == 0, capsys.readouterr().err
        outlined[name] = out.read_bytes()
    masks = [a for a in load_project(folder / "serial.outlined.json").annotations.values() if a.segmentation]
    assert masks and all(a.app_extra.get("from_box") in boxes.annotations for a in masks)
    assert outlined["pool"] == outlined["serial"]

    # the predictions accepted: labels, not pending proposals (qa's reference and lint take only labels)
    labels = load_project(folder / "serial.json")
    for a in labels.annotations.values():
        a.review = "accepted"
    save_project(labels, folder / "labels.json")

    # qa: the same report files, scored here, on two workers and on the cluster
    candidate = folder / "candidate.json"
    assert main(["prelabel", str(coins_project), *THRESHOLD[:-1], "min_area=80", "-o", str(candidate)]) == 0
    reports = {}
    for name, flags in runs.items():
        csv, js = folder / f"{name}.csv", folder / f"{name}.qa.json"
        code = main(
            ["qa", str(folder / "labels.json"), str(candidate), *flags, "--csv", str(csv), "--json", str(js)]
        )
        assert code == 0, capsys.readouterr().err
        reports[name] = (csv.read_bytes(), js.read_bytes())
    assert b"fn" in reports["serial"][0] and reports["serial"][0].count(b"\n") > 14
    assert reports["pool"] == reports["serial"]
    assert reports["dask"] == reports["serial"]

    # lint: the same problems file (first pass on the workers, dataset figures and second pass here)
    lints = {}
    for name, flags in runs.items():
        out = folder / f"{name}.lint.json"
        assert main(["lint", str(folder / "labels.json"), *flags, "--json", str(out)]) == 1
        lints[name] = out.read_bytes()
    assert json.loads(lints["serial"])["summary"]["problems"] > 0
    assert lints["pool"] == lints["serial"] and lints["dask"] == lints["serial"]

    # convert to the formats that draw mask PNGs: the same files, drawn here and on two workers (the
    # cluster runs the same tasks)
    drawn = {"masks": "masks/", "cityscapes": "gtFine/", "kitti": "training/instance/",
             "mvtec": "object/ground", "openimages": "masks/"}  # fmt: skip
    for fmt, mask_folder in drawn.items():
        converted = {}
        for name in ("serial", "pool"):
            out = folder / f"{name}.{fmt}"
            argv = ["convert", str(folder / "labels.json"), str(out), "--from", "coco", "--to", fmt,
                    "--images", "keep" if fmt == "masks" else "copy", *runs[name]]  # fmt: skip
            capsys.readouterr()
            code = main(argv)
            said = capsys.readouterr().err
            assert code == 0, said
            assert ("running on 2 local worker processes" in said) == (name == "pool"), said
            files = sorted(p for p in out.rglob("*") if p.is_file())
            converted[name] = {p.relative_to(out).as_posix(): p.read_bytes() for p in files}
        assert sum(k.startswith(mask_folder) for k in converted["serial"]) >= 14, fmt
        assert converted["pool"] == converted["serial"], fmt

    # merge and agreement of two annotators' shards (every image labelled by both): the same files
    shards = folder / "shards"
    assert main(["split", str(folder / "serial.json"), "--annotators", "ann,bob", "--overlap", "1",
                 "-o", str(shards)]) == 0  # fmt: skip
    team = {}
    for name in ("serial", "pool"):
        merged, agreed = folder / f"{name}.merged.json", folder / f"{name}.agreement.json"
        parts = [str(shards / "ann.json"), str(shards / "bob.json")]
        assert main(["merge", *parts, *runs[name], "-o", str(merged)]) in (0, 3)
        assert main(["agreement", *parts, *runs[name], "--json", str(agreed)]) == 0
        team[name] = (merged.read_bytes(), agreed.read_bytes())
    assert b'"kappa' in team["serial"][1] or b"kappa" in team["serial"][1]
    assert team["pool"] == team["serial"]

    # shards: the same annotations, split into projects of 5 images
    assert main(["prelabel", str(coins_project), *THRESHOLD, "--workers", "1", "--shard-size", "5",
                 "-o", str(folder / "parts")]) == 0  # fmt: skip
    parts = sorted(p for p in (folder / "parts").iterdir() if p.suffix == ".json")  # (+ their histories)
    assert [p.name for p in parts] == ["part-00001.json", "part-00002.json", "part-00003.json"]
    merged = {}
    for part in parts:
        shard = load_project(part)
        assert len(shard.images) <= 5
        assert all(shard.image_path(im).is_file() for im in shard.images.values())  # names rebased
        merged.update(shard.annotations)
    assert merged == project.annotations


def _labelled(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small project with the threshold backend's coins as labels (3 images)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = make_project(folder, coin_pictures(3))
    assert main(["prelabel", str(project), *THRESHOLD, "--workers", "1"]) == 0
    return project


def test_path_map_is_for_a_cluster_a_local_run_reads_the_paths_as_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--path-map says where a cluster's workers see the files; this process and its own worker
    processes see them where they are. It was applied to every run: a serial --path-map run read the
    mapped paths here and failed every image ("image file not found", exit 1)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = make_project(tmp_path / "p", coin_pictures(3))
    plain, mapped = tmp_path / "plain.json", tmp_path / "mapped.json"
    assert main(["prelabel", str(project), *THRESHOLD, "--workers", "1", "-o", str(plain)]) == 0
    capsys.readouterr()
    remote = "/nowhere/on/this/machine"
    argv = [
        "prelabel",
        str(project),
        *THRESHOLD,
        "--workers",
        "1",
        "--path-map",
        f"{project.parent}={remote}",
    ]
    assert main([*argv, "-o", str(mapped)]) == 0, capsys.readouterr().err
    assert "--path-map applies with --scheduler only" in capsys.readouterr().err
    assert mapped.read_bytes() == plain.read_bytes()


def test_a_tiled_run_on_a_cluster_says_its_progress_counts_images_and_writes_what_a_serial_run_writes(
    tmp_path: Path, dask_cluster: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Local worker processes tell of each tile; a cluster's workers cannot: the run says its bar counts
    images, not a silent 0/3 over slides."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = make_project(tmp_path / "p", coin_pictures(3))
    tiled = [*THRESHOLD, "--tile", "64", "--overlap", "0.1"]
    plain, cluster = tmp_path / "plain.json", tmp_path / "cluster.json"
    assert main(["prelabel", str(project), *tiled, "--workers", "1", "-o", str(plain)]) == 0
    assert "progress counts images" not in capsys.readouterr().err
    argv = [
        "prelabel",
        str(project),
        *tiled,
        "--scheduler",
        dask_cluster.scheduler_address,
        "-o",
        str(cluster),
    ]
    assert main(argv) == 0
    assert (
        "pixelproof: warning: 12 tiles in all; the progress counts images: tiles are counted only in this "
        "process or with --workers" in capsys.readouterr().err
    )
    assert cluster.read_bytes() == plain.read_bytes()


def test_convert_to_a_relative_folder_on_a_cluster_writes_it_where_this_process_sees_it(
    dask_cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The cluster's workers write the mask PNGs themselves: they must get the output folder as an
    absolute path. A relative OUTPUT was sent as it was typed, so the workers looked for it under their
    own working folder ("No such file or directory", exit 1; or wrote the masks somewhere else)."""
    project = _labelled(tmp_path / "p", monkeypatch)
    monkeypatch.chdir(tmp_path)  # the cluster's workers run elsewhere (pytest's folder)
    trees = {}
    for name, flags in {
        "serial": ["--workers", "1"],
        "dask": ["--scheduler", dask_cluster.scheduler_address],
    }.items():
        argv = [
            "convert",
            str(project),
            f"{name}.masks",
            "--from",
            "coco",
            "--to",
            "masks",
            "--images",
            "keep",
            "--pending",  # the coins are the threshold backend's pending objects: written as labels
            "keep",
        ]
        assert main([*argv, *flags]) == 0, capsys.readouterr().err
        out = tmp_path / f"{name}.masks"
        trees[name] = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert sum(k.startswith("masks/") for k in trees["serial"]) == 3
    assert trees["dask"] == trees["serial"]


def test_a_cluster_reads_a_windows_projects_pictures_through_the_path_map(
    dask_cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A project made on Windows (``C:\\Lead\\Data\\c000.png``), pre-labeled from here on a cluster whose
    workers see the pictures elsewhere, with the map typed as Windows users do (``c:/lead/data``): the
    same objects as a local run. Every picture failed: the names were joined to the project's folder,
    and the map's other spelling matched nothing."""
    serial = _labelled(tmp_path / "p", monkeypatch)
    windows = load_project(serial)
    for image in windows.images.values():
        image.file_name = "C:\\Lead\\Data\\" + image.file_name
    save_project(windows, tmp_path / "windows.json")
    out = tmp_path / "dask.json"
    where = ["--scheduler", dask_cluster.scheduler_address, "--path-map", f"c:/lead/data={tmp_path / 'p'}"]
    argv = ["prelabel", str(tmp_path / "windows.json"), *THRESHOLD, "--keep-overlapping", *where, "-o", out]
    assert main([str(a) for a in argv]) == 0, capsys.readouterr().err
    assert "3/3 images pre-labeled" in capsys.readouterr().out
    labelled = load_project(out).annotations.values()
    twice = [(a.image_id, a.bbox) for a in labelled]  # each object the serial run found, found again
    assert len(twice) == 2 * len(load_project(serial).annotations)
    assert sorted(twice[: len(twice) // 2]) == sorted(twice[len(twice) // 2 :])


def test_a_cluster_without_workers_is_said_to_wait_for_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scheduler whose workers have not joined (or are all gone): the job waits for them, as Dask
    does (an adaptive cluster starts them on demand), but it said "running on ... 1 task slots on 0
    machine(s)" and then nothing, a hang to whoever ran it."""
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=0, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=":0"
        ) as cluster,
        DaskExecutor(cluster.scheduler_address) as dask,
    ):
        said = dask.describe()
    assert said == (
        f"Dask cluster {cluster.scheduler_address}: no workers yet; the job waits for them to join "
        "(Ctrl+C stops it)"
    )


def test_a_cluster_whose_workers_run_another_pixelproof_is_refused_before_the_job(
    coins_project: Path,
    dask_cluster: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Workers with another PixelProof (one not upgraded with the others) ran the job as they are: other
    predictions, other QA figures in the one output, or an error per image (200,000 lines) where an
    attribute or option is missing. The versions are compared first; the job is refused, naming each."""
    import pixelproof
    from pixelproof.commands import prelabel

    theirs = pixelproof.__version__  # what the cluster's worker processes import
    monkeypatch.setattr(pixelproof, "__version__", theirs + ".dev1")  # this machine upgraded
    monkeypatch.setattr(prelabel, "propose_batch", lambda *a, **k: pytest.fail("the job ran"))
    out = coins_project.parent / "out.json"
    capsys.readouterr()
    argv = ["prelabel", str(coins_project), *THRESHOLD, "--scheduler", dask_cluster.scheduler_address]
    assert main([*argv, "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"PixelProof {theirs}.dev1 here, but " in err, err
    for address in dask_cluster.scheduler_info["workers"]:
        assert f"{address} has {theirs}" in err
    assert not out.exists()


@pytest.mark.parametrize(("command", "code"), [("qa", 1), ("lint", 3)])
def test_an_unreachable_scheduler_is_reported_at_once_and_nothing_is_written(
    command: str,
    code: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Nothing listens at the address: the error is the system's refusal of the first connection (it took
    Dask's whole 30 s connect timeout, retrying a refused connection, and said it timed out), and no
    report is written."""
    import socket

    project = _labelled(tmp_path / "p", monkeypatch)
    report = tmp_path / "report.json"
    argv = {"qa": ["qa", str(project), str(project)], "lint": ["lint", str(project)]}[command]
    with pytest.raises(OSError) as refused:  # what this system says to one connection there
        socket.create_connection(("127.0.0.1", 1), timeout=5).close()
    capsys.readouterr()
    assert main([*argv, "--scheduler", "tcp://127.0.0.1:1", "--json", str(report)]) == code
    said = f"cannot reach the Dask scheduler at tcp://127.0.0.1:1: {refused.value.strerror}"
    assert capsys.readouterr().err.strip().splitlines()[-1] == f"pixelproof: error: {said}"
    assert not report.exists()


def test_a_scheduler_address_dask_cannot_parse_is_refused_and_the_process_ends_at_once(
    tmp_path: Path,
) -> None:
    """ "garbage" (no port): refused before a Dask Client is made. The Client that failed on it was closed
    at the interpreter's exit, which waited 60 s ("Exception ignored in Client.__del__ ... timed out")."""
    pytest.importorskip("distributed")
    project = make_project(tmp_path / "p", coin_pictures(2))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    argv = [sys.executable, "-m", "pixelproof", "qa", str(project), str(project), "--scheduler", "garbage"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=50)  # a hang guard only
    assert done.returncode == 1, done.stderr
    assert (
        done.stderr.strip()
        == "pixelproof: error: --scheduler garbage: missing port number in address 'garbage'"
    )


def test_a_service_that_is_not_a_dask_scheduler_is_refused_in_seconds(tmp_path: Path) -> None:
    """Something else listens at the address (a web server, an SSH tunnel's far end down) and never
    answers Dask's handshake: refused after the probe's few seconds, not waited on forever (the Dask
    Client waited past any timeout, the process hung)."""
    pytest.importorskip("distributed")
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    held: list[socket.socket] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            while True:
                held.append(listener.accept()[0])  # accepted, never answered

    threading.Thread(target=accept, daemon=True).start()
    project = make_project(tmp_path / "p", coin_pictures(2))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    address = f"tcp://127.0.0.1:{port}"
    argv = [sys.executable, "-m", "pixelproof", "qa", str(project), str(project), "--scheduler", address]
    try:  # the timeout is a hang guard: the message below is the probe's, the Client's wait had none
        done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=60)
    finally:
        listener.close()
        for conn in held:
            conn.close()
    assert done.returncode == 1, done.stderr
    assert f"no Dask scheduler answers at {address}" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_a_scheduler_lost_during_the_job_stops_it_with_a_message_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The cluster goes away mid-job: one error line and exit 1, no output, the project as it was. It
    ended in a traceback (distributed's FuturesCancelledError out of ``wait``), and then the line came
    after the traceback the Dask client logs while it tries to reconnect."""
    distributed = pytest.importorskip("distributed")
    from pixelproof.commands import prelabel

    _keep_thread_settings(monkeypatch)  # the cluster's worker is a thread of this process
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = make_project(tmp_path / "p", coin_pictures(8))
    before = project.read_bytes()
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
        dashboard_address=":0",
    )  # fmt: skip
    account = prelabel._account

    def close_after_the_first(*args: Any, **kwargs: Any) -> None:
        account(*args, **kwargs)
        cluster.close()

    monkeypatch.setattr(prelabel, "_account", close_after_the_first)
    logged: list[logging.LogRecord] = []  # distributed's own handler writes these on stderr
    catch = logging.Handler(logging.ERROR)
    catch.emit = logged.append  # type: ignore[method-assign]
    logging.getLogger("distributed").addHandler(catch)
    out = tmp_path / "out.json"
    try:
        argv = [
            "prelabel",
            str(project),
            *THRESHOLD,
            "--scheduler",
            cluster.scheduler_address,
            "-o",
            str(out),
        ]
        code = main([*argv])
    finally:
        cluster.close()
        logging.getLogger("distributed").removeHandler(catch)
    err = capsys.readouterr().err
    assert code == 1, err
    assert f"pixelproof: error: lost the Dask scheduler at {cluster.scheduler_address}" in err
    # the one line, not after a traceback of the client's attempts to reconnect (ERROR, CancelledError)
    assert [r.getMessage() for r in logged] == []
    assert not out.exists() and project.read_bytes() == before


# last of the cluster's tests: it kills one of its workers
def test_dask_cluster_gives_the_same_results_and_survives_a_killed_worker(
    dask_cluster: Any, tmp_path: Path
) -> None:
    with DaskExecutor(dask_cluster.scheduler_address) as dask:
        assert dask.slots == 2
        results = list(run_batch(batch_tasks.square, CONTEXT, ITEMS, dask, chunk_size=3))
        assert _values(results) == _expected()
        _check_loaded_once(results, processes=2)
        # two one-thread workers on this machine: each gets half of its cores
        assert {r[4] for _, r in results if not isinstance(r, Failed)} == {max(1, available_cores() // 2)}
        context = {"kill_at": 21, "marker": str(tmp_path / "killed")}
        rerun = list(run_batch(batch_tasks.die_once, context, ITEMS, dask, chunk_size=4))
    assert (tmp_path / "killed").exists()
    assert [r for _, r in rerun] == [x * x for x in ITEMS]


def recorded_part(staging: Path) -> bool:
    """Whether the job's journal records a finished part yet: a part's file alone may be one the stop
    catches between its save and its record, which the job then removes (CI s19-5)."""
    from pixelproof.core.batch.checkpoint import JOURNAL

    try:
        return b"\n" in (staging / JOURNAL).read_bytes()  # a whole line: a part recorded
    except OSError:
        return False


def test_ctrl_c_stops_the_workers_and_keeps_only_finished_parts(tmp_path: Path) -> None:
    _stop_a_sharded_job(tmp_path, "SIGINT", 130, "interrupted; no output was written")


@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_a_job_stopped_by_sigterm_or_sighup_cleans_up_as_ctrl_c_does(tmp_path: Path, name: str) -> None:
    """``kill``, ``timeout``, a batch system cancelling the job (SIGTERM) and a closed terminal or SSH
    session (SIGHUP) ended the process where it stood, the worker processes left running; they now unwind
    as Ctrl+C does, keeping the finished parts for the same command to finish the job
    (tests/cli/test_prelabel_resume.py)."""
    if not hasattr(signal, name):
        pytest.skip(f"no {name} on this system")
    number = int(getattr(signal, name))
    _stop_a_sharded_job(tmp_path, name, 128 + number, f"stopped ({name}); no output was written")


def _stop_a_sharded_job(tmp_path: Path, name: str, code: int, said: str) -> None:
    project = make_project(tmp_path / "p", coin_pictures(200, side=64))
    parts = tmp_path / "p" / "parts"
    # Dask made unimportable: the local pool must not need it. Ctrl+C acts as in a terminal even when this
    # test runs in a background job, whose commands a shell starts with SIGINT ignored (Python keeps that);
    # SIGHUP likewise, as a terminal's shell starts it (nohup is what ignores it)
    script = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "hangup = getattr(signal, 'SIGHUP', None)\n"
        "hangup is None or signal.signal(hangup, signal.SIG_DFL)\n"
        "sys.modules['dask'] = sys.modules['distributed'] = None\n"
        "from pixelproof.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    argv = ["prelabel", str(project), *THRESHOLD, "--workers", "2", "--shard-size", "10", "-o", str(parts)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen([sys.executable, "-c", script, *argv], stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 120
    while not recorded_part(parts.parent / ".parts.partial"):  # under way, 19 parts to go
        assert proc.poll() is None, f"the job ended before its first part: exit {proc.returncode}"
        assert time.monotonic() < deadline, "no part written in 120 s"
        time.sleep(0.05)
    proc.send_signal(getattr(signal, name))
    _, rest = proc.communicate(timeout=60)
    assert proc.returncode == code, rest
    assert said in rest
    assert not parts.exists()  # no output; the finished parts kept for the same command to finish the job
    staging = parts.parent / ".parts.partial"
    kept = sorted(p.name for p in staging.glob("part-*.json"))
    assert kept and kept == [f"part-{n:05d}.json" for n in range(1, len(kept) + 1)]
    assert (
        f"{len(kept)} finished part{'s' if len(kept) > 1 else ''} ({len(kept) * 10} images) kept in {staging}"
        in rest
    )
    assert not list(parts.parent.glob(".parts.lock"))  # given back: the next run may take the job up


@pytest.mark.parametrize("command", ["qa", "lint", "convert", "merge", "agreement"])
def test_batch_flags_are_checked_by_the_parser_of_every_batch_command(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """One argument helper for every batch command: --workers with --scheduler, and a --path-map that is
    not LOCAL=REMOTE, are usage errors (exit 2) before anything is read."""
    base = {"qa": ["qa", "r.json", "c.json"], "lint": ["lint", "p.json"],
            "merge": ["merge", "a.json", "-o", "m.json"],
            "convert": ["convert", "in", "out", "--from", "coco", "--to", "masks"],
            "agreement": ["agreement", "a.json", "b.json"]}[command]  # fmt: skip
    with pytest.raises(SystemExit) as exit_info:
        main([*base, "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"])
    assert exit_info.value.code == 2
    assert "not allowed with argument --workers" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main([*base, "--path-map", "nodest"])
    assert exit_info.value.code == 2
    assert "--path-map 'nodest': expected LOCAL=REMOTE" in capsys.readouterr().err


def test_a_shard_folder_that_cannot_be_made_is_refused_before_the_job_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--shard-size`` with ``-o`` in a folder that cannot be made (a file on the way): the error named a
    hidden staging folder (``[Errno 2] No such file or directory: '.../.parts.x1y2.tmp'``), not the
    user's ``-o``; an ``-o`` that exists is refused, as it was, and neither starts the job."""
    from pixelproof.commands import prelabel

    project = make_project(tmp_path / "p", coin_pictures(2))
    monkeypatch.setattr(prelabel, "propose_batch", lambda *a, **k: pytest.fail("the job ran"))
    blocker = tmp_path / "nope"
    blocker.write_text("a file")
    missing = blocker / "sub" / "parts"
    argv = ["prelabel", str(project), *THRESHOLD, "--shard-size", "1"]
    assert main([*argv, "-o", str(missing)]) == 1
    err = capsys.readouterr().err
    assert f"{missing}: {blocker} is a file, not a folder" in err, err
    assert ".tmp" not in err
    assert main([*argv, "-o", str(project)]) == 1
    assert f"{project}: already exists; --shard-size writes a new folder" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nope", "p"]  # nothing made, no staging left


def test_shards_of_a_job_where_every_picture_failed_are_not_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every picture failed (the typical cause: a wrong ``--path-map``): ``-o OUT.json`` writes nothing,
    but ``--shard-size`` renamed its folder of unlabelled parts into place, and the run again, with the
    mistake fixed, was refused ("already exists")."""
    project = make_project(tmp_path / "p", coin_pictures(3))
    pictures = {p: p.read_bytes() for p in project.parent.glob("*.png")}
    for picture in pictures:
        picture.unlink()
    argv = ["prelabel", str(project), *THRESHOLD, "--workers", "1", "--shard-size", "2", "-o"]
    parts = tmp_path / "parts"
    assert main([*argv, str(parts)]) == 1
    assert "0/3 images pre-labeled" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p"]  # no folder, no staging left
    for picture, content in pictures.items():
        picture.write_bytes(content)
    assert main([*argv, str(parts)]) == 0, capsys.readouterr().err
    assert sorted(p.name for p in parts.glob("*.json")) == ["part-00001.json", "part-00002.json"]


def test_one_local_folder_mapped_two_ways_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["qa", "r.json", "c.json", "--path-map", "/data=/a", "--path-map", "/data/=/b"])
    assert exit_info.value.code == 2
    assert "--path-map /data is given twice: =/a and =/b" in capsys.readouterr().err


def test_shard_names_sort_in_order_past_99999_parts() -> None:
    """``part-NNNNN.json`` had five digits whatever the count: part 100000 sorted before part 10001, so
    ``merge OUT/part-*.json`` (a shell sorts the names) assembled a 1M-image job of ``--shard-size 10``
    out of order (other image order and ids than the same job unsharded)."""
    from pixelproof.commands.prelabel_shards import part_name

    assert part_name(1, 3) == "part-00001.json"  # as before for fewer than 100,000 parts
    numbers = [1, 9999, 10000, 10001, 99999, 100000, 123456]
    names = [part_name(n, 123456) for n in numbers]
    assert sorted(names) == names and len(set(names)) == len(names)


def test_a_picture_that_fails_in_one_shard_is_named_and_the_rest_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One unreadable picture in the second part: named on stderr, still listed in its part (the
    dataset stays whole, unlabelled there), and every other picture's objects are those of the same
    job written as one project."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = make_project(tmp_path / "p", coin_pictures(5))
    (project.parent / "c003.png").write_bytes(b"not a picture")
    argv = ["prelabel", str(project), *THRESHOLD, "--workers", "1"]
    assert main([*argv, "-o", str(tmp_path / "whole.json")]) == 0
    capsys.readouterr()
    assert main([*argv, "--shard-size", "2", "-o", str(tmp_path / "parts")]) == 0
    said = capsys.readouterr()
    assert "c003.png: not a readable image" in said.err and "4/5 images pre-labeled" in said.out
    parts = [load_project(tmp_path / "parts" / f"part-0000{n}.json") for n in (1, 2, 3)]
    assert [sorted(Path(im.file_name).name for im in p.images.values()) for p in parts] == [
        ["c000.png", "c001.png"], ["c002.png", "c003.png"], ["c004.png"]
    ]  # fmt: skip
    merged = {k: v for p in parts for k, v in p.annotations.items()}
    assert merged == load_project(tmp_path / "whole.json").annotations and merged
