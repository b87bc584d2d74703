"""Tasks on a Dask cluster (``--scheduler ADDRESS``): the ``Executor`` that drives a
``distributed.Client``, and the checks that a scheduler answers before a job waits on it. Apart from the
local executors because only ``--scheduler`` needs it (and ``distributed``: ``pixelproof[cluster]``)."""

from __future__ import annotations

import contextlib
import logging
import socket
import time
from collections.abc import Collection
from concurrent import futures
from typing import Any

from pixelproof.core.batch.executors import BatchSetupError, Executor, Task, WorkerLost
from pixelproof.core.batch.worker import run_on_dask_worker
from pixelproof.core.wording import plural


class DaskExecutor(Executor):
    """Tasks on a Dask cluster through ``distributed.Client(address)``. The scheduler retries the tasks
    of a worker that dies (``distributed.scheduler.allowed-failures``, default 3) and then reports
    ``KilledWorker``, which names the task."""

    kind = "dask"
    precise_blame = True

    def __init__(self, address: str, timeout: float = 30.0) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise BatchSetupError(
                "--scheduler needs Dask: pip install 'pixelproof[cluster]' (dask[distributed])"
            ) from None
        _probe(address)
        self._quiet = _QuietClient()
        logging.getLogger("distributed.client").addFilter(self._quiet)
        try:
            self._client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as e:
            logging.getLogger("distributed.client").removeFilter(self._quiet)
            raise BatchSetupError(f"cannot reach the Dask scheduler at {address}: {e}") from None
        self.address = address
        try:
            self._check_versions()
        except BaseException:
            self.close()
            raise
        self.host_slots = self._host_slots()
        super().__init__(sum(self.host_slots.values()) or 1, threads=None)
        self.machines = len(self.host_slots)
        self._looked = 0.0  # when the scheduler was last asked for its workers
        self._none_since: float | None = None  # since when it has had none
        self._said_none = not self.machines  # ``describe`` says so when the job starts

    def _check_versions(self) -> None:
        """``BatchSetupError`` when a worker runs another PixelProof than this process (or none): its images
        would get another model decoding or other QA figures, or fail one by one, and the output would
        depend on which worker took them. Workers that join later are not asked."""
        from pixelproof import __version__ as mine

        def version() -> str:  # nested: sent by value, so a worker without PixelProof can run it
            try:
                from pixelproof import __version__ as theirs
            except ImportError:
                return "none"
            return str(theirs)

        try:
            found = self._client.run(version, on_error="return")
        except TypeError:  # a Dask before on_error
            found = self._client.run(version)
        others = {a: v if isinstance(v, str) else "no answer" for a, v in sorted(found.items()) if v != mine}
        if not others:
            return
        shown = [f"{address} has {v}" for address, v in list(others.items())[:VERSIONS_NAMED]]
        if len(others) > VERSIONS_NAMED:
            shown.append(f"and {len(others) - VERSIONS_NAMED} more")
        raise BatchSetupError(
            f"the cluster's workers must run the PixelProof this machine runs (PixelProof {mine} here, but "
            f"{', '.join(shown)}): install PixelProof {mine} on every worker; nothing was sent"
        )

    def _host_slots(self) -> dict[str, int]:
        """Task slots (worker threads) per machine of the cluster."""
        try:
            info = self._client.scheduler_info(n_workers=-1)  # newer Dask lists only 5 workers by default
        except TypeError:
            info = self._client.scheduler_info()
        slots: dict[str, int] = {}
        for worker in info.get("workers", {}).values():
            slots[worker["host"]] = slots.get(worker["host"], 0) + int(worker["nthreads"])
        return slots

    def describe(self) -> str:
        if not self.machines:  # Dask queues the tasks (an adaptive cluster starts workers for them)
            waits = "the job waits for them to join (Ctrl+C stops it)"
            return f"Dask cluster {self.address}: no workers yet; {waits}"
        return f"Dask cluster {self.address}: {self.slots} task slots on {plural(self.machines, 'machine')}"

    def submit(self, task: Task, context: Any, items: list) -> Any:
        return self._client.submit(run_on_dask_worker, task, self.host_slots, context, items, pure=False)

    def wait(self, handles: Collection[Any], timeout: float) -> Collection[Any]:
        import asyncio  # here, not at the top: asyncio imports ssl, which the bundle leaves out

        from distributed import wait

        try:
            with self._client.as_current():  # wait() looks for "the" client; ours is not the global one
                done, _ = wait(list(handles), timeout=timeout, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return ()
        except (futures.CancelledError, asyncio.CancelledError) as e:
            raise self._lost(e) from None
        if done and self._said_none:  # tasks finish again: workers are back
            self._look_for_workers(now=True)
        return done

    def stalled(self) -> None:
        self._look_for_workers()

    def _look_for_workers(self, now: bool = False) -> None:
        """Say once when the scheduler has had no workers for ``NO_WORKERS_SECONDS`` (all gone mid-job, or
        none yet): Dask keeps the tasks queued and the job waits for workers, which looked like a hang; and
        say again when some are back. The scheduler is asked at most every ``LOOK_SECONDS`` (``now``: at
        once)."""
        clock = time.monotonic()
        if not now and clock - self._looked < LOOK_SECONDS:
            return
        self._looked = clock
        try:
            workers = len(self._client.nthreads())
        except Exception:  # a scheduler gone is the job's error (``_lost``), not this check's
            return
        if workers:
            if self._said_none:
                self._note(
                    f"waiting over: the scheduler at {self.address} has {plural(workers, 'worker')} "
                    "again; the job goes on"
                )
            self._none_since, self._said_none = None, False
            return
        self._none_since = self._none_since if self._none_since is not None else clock
        if not self._said_none and clock - self._none_since >= NO_WORKERS_SECONDS:
            self._said_none = True
            kept = " (finished parts are kept)" if self.keeps_parts else ""
            self._note(
                f"waiting: the scheduler at {self.address} has no workers "
                f"({plural(max(1, self.tasks_left), 'task')} left); start workers or press Ctrl+C{kept}"
            )

    def _note(self, text: str) -> None:
        if self.on_note is not None:
            self.on_note(text)

    def result(self, handle: Any) -> list:
        import asyncio

        from distributed import KilledWorker

        try:
            while True:  # a finished task's worker gone: its result is computed again, on a worker
                try:  # that may not exist yet (every worker left), so the wait is watched
                    results = handle.result(timeout=RESULT_POLL_SECONDS)
                    break
                except TimeoutError:
                    if handle.done():  # the task's own TimeoutError, not the wait's
                        return handle.result()
                    self._look_for_workers()
        except KilledWorker as e:
            raise WorkerLost(str(e)) from e
        except (futures.CancelledError, asyncio.CancelledError) as e:
            raise self._lost(e) from None
        if self._said_none:  # gathered: workers are back
            self._look_for_workers(now=True)
        return results

    def _lost(self, error: BaseException) -> BatchSetupError:
        """A task in flight was cancelled: not by this job (``discard`` cancels only tasks it no longer
        waits for), so the scheduler is gone (distributed cancels a lost client's futures)."""
        said = [line.strip() for line in str(error).splitlines() if line.strip().startswith("Message:")]
        why = said[0].removeprefix("Message:").strip() if said else type(error).__name__
        return BatchSetupError(f"lost the Dask scheduler at {self.address} during the job: {why}")

    def discard(self, handles: Collection[Any]) -> None:
        if handles:
            with contextlib.suppress(Exception):
                self._client.cancel(list(handles))

    def close(self, cancel: bool = False) -> None:
        with contextlib.suppress(Exception):
            self._client.close()
        logging.getLogger("distributed.client").removeFilter(self._quiet)


class _QuietClient(logging.Filter):
    """Drops the Dask client's errors while a job uses it: a scheduler lost mid-job is the job's one error
    line (``_lost``), which came after the traceback the client logs while it tries to reconnect. Also
    its warning that a worker which left held finished results, computed again (a Dask log line with
    its time and task keys amid the job's lines): the job goes on, as after any worker lost."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            return False
        return not (record.levelno == logging.WARNING and str(record.msg).startswith("Couldn't gather"))


NO_WORKERS_SECONDS = 3.0  # a cluster without workers this long mid-job is said (workers restart in less)
LOOK_SECONDS = 1.0  # the scheduler asked for its workers at most this often while nothing finishes
RESULT_POLL_SECONDS = 0.5  # a result being gathered again is waited on in steps this long
VERSIONS_NAMED = 5  # workers named in a version mismatch, the rest counted
PROBE_SECONDS = 5.0  # how long a scheduler's host gets to accept a connection


def _probe(address: str) -> None:
    """``BatchSetupError`` at once when nothing listens at a TCP/TLS scheduler address (refused, unknown
    host; or no answer in ``PROBE_SECONDS``): Dask's ``Client`` retries a refused connection for its
    whole timeout (30 s) before it says so; an address it cannot parse is refused too. Other protocols
    are left to Dask."""
    from distributed.comm import parse_address
    from distributed.comm.addressing import parse_host_port
    from distributed.comm.registry import get_backend

    try:  # checked here: a Client that fails on the address hangs this process's exit for 60 s
        scheme, location = parse_address(address)
        get_backend(scheme)  # ValueError naming the known schemes (`http://...` is none)
        if scheme not in ("tcp", "tls"):
            return
        host, port = parse_host_port(location)
    except ValueError as e:
        raise BatchSetupError(f"--scheduler {address}: {e}") from None
    if not 0 < port < 65536:
        raise BatchSetupError(f"--scheduler {address}: port {port} is out of range (1 to 65535)")
    try:
        socket.create_connection((host, port), timeout=PROBE_SECONDS).close()
    except OSError as e:
        reason = "no answer" if isinstance(e, TimeoutError) else (e.strerror or str(e))
        raise BatchSetupError(f"cannot reach the Dask scheduler at {address}: {reason}") from None
    if not _answers_dask(address):  # something else listens there: the Client would wait on it forever
        raise BatchSetupError(
            f"no Dask scheduler answers at {address}: something listens there but gave no Dask "
            f"handshake in {PROBE_SECONDS:.0f} s (another service, or the wrong port)"
        )


def _answers_dask(address: str) -> bool:
    """Whether a Dask comm handshake comes back from ``address`` within ``PROBE_SECONDS`` (distributed's
    own ``connect`` bounds both the connection and the handshake by its timeout)."""
    import asyncio  # here, not at the top: asyncio imports ssl, which the bundle leaves out

    from distributed.comm import connect

    async def handshake() -> None:
        comm = await connect(address, timeout=PROBE_SECONDS)
        await comm.close()

    try:
        asyncio.run(asyncio.wait_for(handshake(), PROBE_SECONDS + 1))
    except Exception:  # whatever another service sends fails the handshake: bytes Dask
        return False  # reads as a frame of exabytes (MemoryError), a bad frame header, a closed stream
    return True
