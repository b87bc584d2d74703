"""A Dask cluster whose workers all leave mid-job: the job waits for workers to come back (and then finishes
as it would have), but it waited without a word - the client blocked re-gathering a result from a worker
that was gone, and the runner never printed. It now says so once, and again when workers are back."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pixelproof.cli import main
from pixelproof.core.batch import DaskExecutor, dask_executor
from tests.cli.test_prelabel_cli import make_project
from tests.cli.test_scale_cli import THRESHOLD, _keep_thread_settings, coin_pictures
from tests.core import batch_tasks

GUARD_SECONDS = 60.0  # a hang guard only: workers come back by themselves after this, the test then fails


@pytest.fixture
def cluster(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A scheduler and one one-thread worker in this process; no workers is said at once (the grace of a
    few seconds is for a real cluster's restarts)."""
    distributed = pytest.importorskip("distributed")
    _keep_thread_settings(monkeypatch)  # the worker is a thread of this process
    monkeypatch.setattr(dask_executor, "NO_WORKERS_SECONDS", 0.0)
    monkeypatch.setattr(dask_executor, "LOOK_SECONDS", 0.0)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
        dashboard_address=":0",
    ) as cluster:  # fmt: skip
        yield cluster


def _until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 30
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _workers(cluster: Any) -> int:
    return len(cluster.scheduler_info["workers"])


def _back_on_note(cluster: Any, said: list[str]) -> Callable[[str], None]:
    """The executor's note: recorded, and a worker started once the job says it has none (as a user
    would); a guard starts one anyway after ``GUARD_SECONDS``, so a job that says nothing still ends."""
    guard = threading.Timer(GUARD_SECONDS, lambda: cluster.scale(1))
    guard.daemon = True
    guard.start()

    def note(text: str) -> None:
        said.append(text)
        if text.startswith("waiting: "):
            guard.cancel()
            cluster.scale(1)

    return note


def test_a_result_to_gather_again_from_a_worker_gone_waits_saying_so_until_one_is_back(cluster: Any) -> None:
    """The case that hung silently: a task finished, then every worker left before its result was
    gathered. Dask computes it again once a worker joins; ``result`` waited for that inside the client,
    saying nothing however long it took."""
    with DaskExecutor(cluster.scheduler_address) as dask:
        handle = dask.submit(batch_tasks.square, {"model": "m"}, [3])
        _until(lambda: bool(dask.wait([handle], 0.2)), "the task finished")
        cluster.scale(0)
        _until(lambda: _workers(cluster) == 0, "the worker left")
        said: list[str] = []
        dask.on_note = _back_on_note(cluster, said)
        results = dask.result(handle)
    assert [r[0] for r in results] == [9]
    address = cluster.scheduler_address
    assert said == [
        f"waiting: the scheduler at {address} has no workers (1 task left); start workers or press Ctrl+C",
        f"waiting over: the scheduler at {address} has 1 worker again; the job goes on",
    ]


@pytest.mark.parametrize("sharded", [False, True])
def test_a_prelabel_job_whose_workers_all_leave_says_it_waits_and_writes_what_a_serial_run_writes(
    sharded: bool,
    cluster: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The whole command: every worker leaves after the first image is done; stderr says the job waits
    for workers, and that it goes on once one is back; the project written is the serial run's. A job
    that keeps its finished parts (``--shard-size``) says Ctrl+C keeps them; another keeps nothing."""
    from pixelproof.commands import _batch, prelabel

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    project = make_project(tmp_path / "p", coin_pictures(6, side=48))
    shards = ["--shard-size", "2"] if sharded else []
    serial = tmp_path / ("serial" if sharded else "serial.json")
    assert main(["prelabel", str(project), *THRESHOLD, *shards, "--workers", "1", "-o", str(serial)]) == 0
    account = prelabel._account
    gone: list[bool] = []

    def leave_after_the_first(*args: Any, **kwargs: Any) -> None:
        account(*args, **kwargs)
        if not gone:
            gone.append(True)
            cluster.scale(0)

    said: list[str] = []
    back = _back_on_note(cluster, said)
    say = _batch.say_mid_job
    monkeypatch.setattr(prelabel, "_account", leave_after_the_first)
    monkeypatch.setattr(_batch, "say_mid_job", lambda text: (back(text), say(text)))
    out = tmp_path / ("dask" if sharded else "dask.json")
    capsys.readouterr()
    argv = ["prelabel", str(project), *THRESHOLD, *shards, "--scheduler", cluster.scheduler_address]
    argv += ["-o", str(out)]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 0, err
    waits = [line for line in err.splitlines() if line.startswith("pixelproof: waiting")]
    assert len(waits) == 2, err
    said_left = re.fullmatch(
        f"pixelproof: waiting: the scheduler at {cluster.scheduler_address} has no workers "
        r"\((\d+) tasks? left\); start workers or press Ctrl\+C"
        + (r" \(finished parts are kept\)" if sharded else ""),
        waits[0],
    )
    assert said_left and 1 <= int(said_left[1]) <= 5, err  # the first image was done
    assert waits[1].startswith("pixelproof: waiting over: "), err
    if not sharded:
        assert out.read_bytes() == serial.read_bytes()
        return
    parts = sorted(p.name for p in serial.glob("part-*.json"))
    assert len(parts) == 3 and sorted(p.name for p in out.glob("part-*.json")) == parts
    assert all((out / name).read_bytes() == (serial / name).read_bytes() for name in parts)
