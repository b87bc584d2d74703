"""The batch executor layer (issue 17): same results serially and in a local pool (on a real Dask
LocalCluster: tests/cli/test_scale_cli.py, which starts the one cluster of the suite); models loaded once
per worker; lost workers retried; Cancel and Ctrl+C write nothing."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from pixelproof.core.atomic import atomic_output
from pixelproof.core.batch import (
    BatchCancelled,
    Executor,
    Failed,
    PathMap,
    PoolExecutor,
    Progress,
    SerialExecutor,
    ThreadExecutor,
    WorkerLost,
    available_cores,
    job_timestamp,
    make_executor,
    run_batch,
)
from tests.core import batch_tasks

ITEMS = list(range(40))
CONTEXT = {"model": "m", "bad": 7}


def _expected() -> list[Any]:
    return [Failed("item 7 is bad") if x == 7 else x * x for x in ITEMS]


def _values(results: list[tuple[int, Any]]) -> list[Any]:
    assert [i for i, _ in results] == list(range(len(results))), "results must come in item order"
    return [r if isinstance(r, Failed) else r[0] for _, r in results]


def _check_loaded_once(results: list[tuple[int, Any]], processes: int) -> None:
    seen = {(r[2], r[3]) for _, r in results if not isinstance(r, Failed)}
    assert {loads for _, loads in seen} == {1}, "the model was loaded more than once in a worker"
    pids = {pid for pid, _ in seen}
    assert os.getpid() not in pids and len(pids) <= processes  # which worker takes which task is timing


def test_serial_and_local_pool_give_the_same_results_in_order() -> None:
    serial = list(run_batch(batch_tasks.square, CONTEXT, ITEMS, SerialExecutor()))
    assert _values(serial) == _expected()
    progress: list[Progress] = []
    share = max(1, available_cores() // 2)  # CI's machine may have another number of cores than this one
    with PoolExecutor(2) as pool:
        assert pool.threads == share  # 2 workers x half the cores each (1 on a 2-core machine)
        pooled = list(
            run_batch(batch_tasks.square, CONTEXT, ITEMS, pool, chunk_size=3, on_progress=progress.append)
        )
        warm, started = pool._pool, set(pool._pool._processes)  # type: ignore[union-attr]
    assert _values(pooled) == _expected()
    _check_loaded_once(pooled, processes=2)
    assert {r[4] for _, r in pooled if not isinstance(r, Failed)} == {share}  # worker_threads() there
    assert progress[0].done == 0 and progress[-1].done == len(ITEMS) and progress[-1].failed == 1
    assert all(a.done <= b.done for a, b in itertools.pairwise(progress))
    # the next job finds the processes started and the model loaded (the app's second Pre-label all); the
    # pool starts workers on demand, so it may add one now, but none of the first may be gone
    with PoolExecutor(2) as pool:
        assert pool._pool is warm
        again = list(run_batch(batch_tasks.square, CONTEXT, ITEMS, pool, chunk_size=3))
        live = set(pool._pool._processes)  # type: ignore[union-attr]
    _check_loaded_once(again, processes=2)
    assert started <= live and {r[2] for _, r in again if not isinstance(r, Failed)} <= live


def test_a_worker_killed_mid_job_is_replaced_and_its_tasks_rerun(tmp_path: Path) -> None:
    context = {"kill_at": 13, "marker": str(tmp_path / "killed")}
    with PoolExecutor(2) as pool:
        results = list(run_batch(batch_tasks.die_once, context, ITEMS, pool, chunk_size=4))
    assert (tmp_path / "killed").exists(), "the worker was not killed: the test proves nothing"
    assert [r for _, r in results] == [x * x for x in ITEMS]


def test_parts_told_of_by_pool_workers_are_counted_once_a_worker_lost_midway_included(tmp_path: Path) -> None:
    """Progress within items (a slide's tiles) from local workers: what a killed worker's task told of
    is done again by its retry, so it is not counted twice; the count ends exact."""
    context = {"kill_at": 13, "marker": str(tmp_path / "killed")}
    progress: list[Progress] = []
    with PoolExecutor(2) as pool:
        task = batch_tasks.parts_then_die_once
        results = list(run_batch(task, context, ITEMS, pool, chunk_size=4, on_progress=progress.append))
    assert (tmp_path / "killed").exists(), "the worker was not killed: the test proves nothing"
    assert [r for _, r in results] == [x * x for x in ITEMS]
    assert progress[0].parts == 0 and progress[-1].parts == 2 * len(ITEMS)
    serial: list[Progress] = []  # in this process a caller's own callback counts them: nothing here
    list(run_batch(task, context, ITEMS, SerialExecutor(), on_progress=serial.append))  # killed already
    assert {p.parts for p in serial} == {0}


class _Handle:
    def __init__(self, generation: int, items: tuple, task: Any, context: Any) -> None:
        self.generation, self.items, self.task, self.context = generation, items, task, context


class _CrashingPool(Executor):
    """In-process stand-in for a process pool whose workers die on ``poison``: a crash loses every task
    of the pool generation it happened in, as ``BrokenProcessPool`` does."""

    kind = "fake pool"
    loses_all_on_crash = True

    def __init__(self, poison: int) -> None:
        super().__init__(slots=2, threads=1)
        self.poison, self.generation, self.restarts = poison, 0, 0
        self.broken: set[int] = set()

    def submit(self, task: Any, context: Any, items: list) -> Any:
        return _Handle(self.generation, tuple(items), task, context)

    def wait(self, handles: Any, timeout: float) -> Any:
        return handles

    def result(self, handle: Any) -> list:
        generation, items, task, context = handle.generation, handle.items, handle.task, handle.context
        if generation in self.broken or self.poison in items:
            self.broken.add(generation)
            raise WorkerLost("a process died")
        return task(context, list(items))

    def recover(self) -> None:
        self.generation += 1
        self.restarts += 1


def test_an_image_that_always_kills_its_worker_fails_alone_and_the_rest_completes() -> None:
    pool = _CrashingPool(poison=9)
    results = [r for _, r in run_batch(batch_tasks.square, {"model": "p"}, ITEMS, pool, chunk_size=4)]
    assert results[9] == Failed("the worker process died while processing it")
    assert [r[0] for i, r in enumerate(results) if i != 9] == [x * x for x in ITEMS if x != 9]
    assert pool.restarts <= 8  # suspects are isolated, then split: the retries are bounded


def _pids(results: list[tuple[int, Any]]) -> set[int]:
    return {r[2] for _, r in results if not isinstance(r, Failed)}


def test_cancel_stops_the_job_and_the_workers() -> None:
    calls = 0

    def cancelled() -> bool:
        nonlocal calls
        calls += 1
        return calls > 2

    other = PoolExecutor(2)  # another job running meanwhile (the app's QA during a Pre-label all)
    list(run_batch(batch_tasks.square, CONTEXT, ITEMS, other, chunk_size=3))
    other_pids = set(other._pool._processes)  # type: ignore[union-attr]
    assert other_pids, "the other job started no worker: the test proves nothing"
    with pytest.raises(BatchCancelled), PoolExecutor(2) as pool:
        assert pool._pool is not other._pool  # two jobs never share a pool
        stopped, workers = pool._pool, pool._pool._processes  # type: ignore[union-attr]
        for _ in run_batch(
            batch_tasks.square, CONTEXT, list(range(400)), pool, chunk_size=1, cancelled=cancelled
        ):
            pass
    assert pool._pool is None and workers, "no worker started: the test proves nothing"
    # ended and reaped when close() returns: no process has their pids, not even a zombie
    # (Process.is_alive is no witness: it says True for a process that another thread reaped)
    for pid in workers:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    with other:  # the other job's workers were not touched: they live on and do its next tasks
        # (the pool starts workers on demand, so it may add one now; none of the first may be gone)
        own_pool = other._pool
        done = _pids(list(run_batch(batch_tasks.square, CONTEXT, ITEMS, other, chunk_size=3)))
        assert other._pool is own_pool
        live = set(other._pool._processes)  # type: ignore[union-attr]
        assert other_pids <= live and done <= live
    with PoolExecutor(2) as again:  # the next job gets a live pool, never the stopped one
        assert again._pool is not stopped
        results = list(run_batch(batch_tasks.square, CONTEXT, ITEMS, again, chunk_size=3))
    assert _values(results) == _expected() and not _pids(results) & set(workers)


def test_lanes_run_tasks_at_once_in_this_process_each_with_its_own_model_and_cores() -> None:
    from pixelproof.core.batch import worker

    context = {**CONTEXT, "model": "lanes"}
    with ThreadExecutor(2) as lanes:
        share = max(1, worker.available_cores() // 2)
        assert lanes.threads == share and lanes.chunk_size(400) == 1
        results = list(run_batch(batch_tasks.square, context, ITEMS, lanes))
        assert _values(results) == _expected()
        assert {r[2] for _, r in results if not isinstance(r, Failed)} == {os.getpid()}
        assert {r[4] for _, r in results if not isinstance(r, Failed)} == {share}  # the lane's share
        # each lane loaded its own model (backends are not thread-safe), once
        assert 1 <= batch_tasks.LOADS["lanes"] <= 2
        assert sum(isinstance(k, worker._LaneKey) for k in worker._cache) == batch_tasks.LOADS["lanes"]
        # two tasks run at the same time: each waits at the barrier for the other
        met = list(run_batch(batch_tasks.meet, {"barrier": threading.Barrier(2, timeout=10)}, [0, 1], lanes))
        assert [r for _, r in met if isinstance(r, Failed)] == []
        assert len({name for _, (_, name) in met}) == 2 and threading.current_thread().name not in {
            name for _, (_, name) in met
        }
    assert not any(isinstance(k, worker._LaneKey) for k in worker._cache)  # forgotten when closed
    assert worker.worker_threads() == (worker._threads or worker.available_cores())  # not in a lane


def test_lanes_stop_on_cancel_and_are_chosen_for_small_jobs_that_ask(monkeypatch: pytest.MonkeyPatch) -> None:
    from pixelproof.core.batch import executors

    calls = 0

    def cancelled() -> bool:
        nonlocal calls
        calls += 1
        return calls > 2

    with pytest.raises(BatchCancelled), ThreadExecutor(2) as lanes:
        for _ in run_batch(batch_tasks.square, CONTEXT, list(range(400)), lanes, cancelled=cancelled):
            pass
    assert lanes._pool._shutdown  # type: ignore[attr-defined]
    monkeypatch.setattr(executors, "available_cores", lambda: 2)
    chosen = make_executor(20, lanes=True)
    assert isinstance(chosen, ThreadExecutor) and chosen.slots == 2 and chosen.threads == 1
    chosen.close()
    assert isinstance(make_executor(20), SerialExecutor)  # only jobs that ask (a model's tasks)
    assert isinstance(make_executor(20, workers=1, lanes=True), SerialExecutor)  # --workers 1: serial
    assert isinstance(make_executor(1, lanes=True), SerialExecutor)  # one image: nothing to overlap
    big = make_executor(500, lanes=True, workers=2)
    assert isinstance(big, PoolExecutor)
    big.close()
    monkeypatch.setattr(executors, "available_cores", lambda: 1)
    assert isinstance(make_executor(20, lanes=True), SerialExecutor)  # one core: nothing to share


def test_ctrl_c_while_streaming_leaves_no_file(tmp_path: Path) -> None:
    target = tmp_path / "rows.csv"
    with pytest.raises(KeyboardInterrupt), atomic_output(target, text=True) as out:
        for i, result in run_batch(batch_tasks.square, CONTEXT, ITEMS, SerialExecutor()):
            out.write(f"{i},{result}\n")
            if i == 5:
                raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []
    with atomic_output(target, text=True) as out:
        out.write("done\n")
    assert [p.name for p in tmp_path.iterdir()] == ["rows.csv"]


def test_executor_choice_path_map_and_job_timestamp(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(make_executor(20), SerialExecutor)  # small job: serial, as before
    big = make_executor(500, workers=2)
    assert isinstance(big, PoolExecutor) and big.slots == 2
    big.close()
    assert isinstance(make_executor(1, workers=4), SerialExecutor)  # never more processes than images
    from pixelproof.core.batch import executors

    monkeypatch.setattr(executors, "available_cores", lambda: 2)
    assert isinstance(make_executor(5000, light=True), SerialExecutor)  # shipping costs more than the work
    asked = make_executor(5000, light=True, workers=2)  # --workers 2 still spreads it
    assert isinstance(asked, PoolExecutor) and asked.slots == 2
    asked.close()
    assert multiprocessing.get_start_method(allow_none=True) in (None, "fork", "spawn", "forkserver")

    paths = PathMap.parse(["/data=/mnt/d", "/data/big=/fast", "C:\\img=/win"])
    assert paths("/data/a/b.png") == "/mnt/d/a/b.png"
    assert paths("/data/big/x.png") == "/fast/x.png"  # the longest prefix wins
    assert paths("/database/x.png") == "/database/x.png"  # whole components only
    assert paths("C:\\img\\sub\\x.png") == "/win/sub/x.png"
    with pytest.raises(ValueError, match="--path-map 'nodest'"):
        PathMap.parse(["nodest"])

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert job_timestamp() == "2023-11-14T22:13:20Z"


def test_progress_rate_and_eta() -> None:
    p = Progress(done=30, total=90, failed=0, elapsed=10.0, where="serial")
    assert p.rate == 3.0 and p.eta == 20.0
    assert Progress(0, 90, 0, 5.0, "serial").eta is None


def test_path_map_maps_where_a_path_leads_not_how_it_is_spelled(monkeypatch: pytest.MonkeyPatch) -> None:
    """A path is normalised before it is mapped: ``/data/../etc/x`` is outside ``/data`` and stays as it
    is (it was mapped to ``/mnt/d/../etc/x``, i.e. ``/mnt/etc/x`` on the workers: another file than this
    process's ``/etc/x``); a relative one is made absolute (workers have their own working folder)."""
    paths = PathMap.parse(["/data=/mnt/d", "C:\\img=/win"])
    assert paths("/data/../etc/passwd") == "/etc/passwd"
    assert paths("/data/a/./b/../c.png") == "/mnt/d/a/c.png"
    assert paths("C:\\img\\sub\\..\\..\\x.png") == "C:\\x.png"  # a Windows path, normalised as one
    assert paths("C:\\img\\sub\\x.png") == "/win/sub/x.png"
    monkeypatch.chdir("/")
    assert paths("data/x.png") == "/mnt/d/x.png"


def test_path_map_local_side_is_read_as_paths_are(monkeypatch: pytest.MonkeyPatch) -> None:
    """LOCAL is compared with normalised paths, so it is normalised the same way: ``C:/img`` (Windows
    accepts either slash), ``c:\\img`` (Windows paths ignore case), ``/data/./``, a relative LOCAL
    (from this folder), and a share's other case all matched nothing before, and the workers were sent paths
    they do not have. The rest of the path is joined with the remote side's separator, and a POSIX
    name's backslash is a character of the name, not a separator."""
    win = "C:\\img\\sub\\x.png"
    assert PathMap.parse(["C:/img=/win"])(win) == "/win/sub/x.png"
    assert PathMap.parse(["c:\\IMG=/win"])(win) == "/win/sub/x.png"
    assert PathMap.parse(["C:\\img=/win"])("c:\\Img\\Sub\\x.png") == "/win/Sub/x.png"  # its own case kept
    assert PathMap.parse(["\\\\srv\\share\\=/mnt/s"])("\\\\Srv\\share\\a\\b.png") == "/mnt/s/a/b.png"
    assert PathMap.parse(["/data/./=/mnt/d"])("/data/x.png") == "/mnt/d/x.png"
    monkeypatch.chdir("/")
    assert PathMap.parse(["data=/mnt/d"])("/data/x.png") == "/mnt/d/x.png"
    assert PathMap.parse(["/data=D:\\share"])("/data/a/b.png") == "D:\\share\\a\\b.png"
    assert PathMap.parse(["/data=/mnt/d"])("/data/a\\b.png") == "/mnt/d/a\\b.png"
    assert PathMap.parse(["/img=/mnt/d"])("C:\\img\\x.png") == "C:\\img\\x.png"  # another system's path


def test_path_map_leaves_a_double_slash_posix_path_a_posix_path() -> None:
    """``//mnt/data/x.png`` is ``/mnt/data/x.png`` on this system (POSIX); it was read as a Windows share
    (``\\\\mnt\\data\\x.png``), a name no file has here, even with no map at all (every local run)."""
    if os.sep != "/":
        pytest.skip("a POSIX path")
    assert PathMap()("//mnt/data/x.png") in ("//mnt/data/x.png", "/mnt/data/x.png")
    assert PathMap.parse(["/mnt/data=/d"])("/mnt//data/x.png") == "/d/x.png"


def test_a_source_date_epoch_out_of_datetimes_range_is_set_aside_as_a_malformed_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``SOURCE_DATE_EPOCH=99999999999999`` (digits, past year 9999) ended every pre-label job in a
    ``ValueError: year 3170843 is out of range`` traceback; a value that is not a number was already
    set aside (the job's own time is used), and so is this one now."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    now = job_timestamp()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "99999999999999")
    assert job_timestamp()[:4] == now[:4] and job_timestamp().endswith("Z")


def test_path_map_refuses_one_local_folder_mapped_two_ways() -> None:
    """``/data=/a`` and ``/data/=/b`` (or ``C:\\img`` and ``c:/IMG``) name one folder: the first given won
    in silence, so half a team's scripts sent the workers to the other share."""
    with pytest.raises(ValueError, match=r"--path-map /data is given twice: =/a and =/b"):
        PathMap.parse(["/data=/a", "/data/=/b"])
    with pytest.raises(ValueError, match=r"--path-map c:\\IMG is given twice"):
        PathMap.parse(["C:\\img=/a", "c:/IMG=/b"])
    assert PathMap.parse(["/data=/a", "/data/=/a/"])("/data/x") == "/a/x"  # the same map twice


def test_path_map_refuses_a_relative_remote_folder() -> None:
    """``/data=mnt/data`` sent the workers ``mnt/data/x.png``, read from whatever folder each worker
    runs in (the reason paths are made absolute before they are mapped); now a usage error."""
    with pytest.raises(ValueError, match=r"--path-map '/data=mnt/data': REMOTE must be an absolute path"):
        PathMap.parse(["/data=mnt/data"])
    for remote in ("/mnt/data", "D:\\share", "\\\\srv\\share", "//srv/share"):
        assert PathMap.parse([f"/data={remote}"]).pairs[0][0] == "/data"


_ORPHAN_SCRIPT = """
import sys, time
from pixelproof.core.batch import PoolExecutor, run_batch
from tests.core import batch_tasks

if __name__ == "__main__":
    pool = PoolExecutor(2)
    results = list(run_batch(batch_tasks.square, {"model": "m"}, list(range(8)), pool, chunk_size=1))
    print(" ".join(str(pid) for pid in pool._pool._processes), flush=True)
    time.sleep(600)  # killed by the test long before
"""


def _gone(pid: int) -> bool:
    """The process has ended: no such pid, or a zombie waiting for whoever adopted it to reap it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rpartition(")")[2].split()[0] in ("Z", "X")
    except OSError:
        return True


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX: kill the parent without its clean-up")
def test_workers_end_when_the_process_that_started_them_is_killed() -> None:
    """A job killed from outside (SIGKILL, a crash, a SIGTERM or SIGHUP that runs no clean-up) must not
    leave its worker processes behind, each holding a model, until the machine restarts."""
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(repo), str(repo / "desktop")])}
    parent = subprocess.Popen(
        [sys.executable, "-c", _ORPHAN_SCRIPT], cwd=repo, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        workers = [int(pid) for pid in parent.stdout.readline().split()]
        # (1 or 2: the pool starts its second worker only when no started one is idle at a submit)
        assert workers and not any(_gone(pid) for pid in workers), "no workers: proves nothing"
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 60  # a bound for a loaded machine, not a speed requirement
        while not all(_gone(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = [pid for pid in workers if not _gone(pid)]
        for pid in left:  # the test's own orphans: not left running after it fails
            os.kill(pid, signal.SIGKILL)
        assert not left, f"worker processes {left} outlived the job that started them"
    finally:
        parent.kill()
        parent.wait()
