"""``--scheduler ADDRESS`` checked before a Dask Client is made (``core.batch.dask_executor._probe``): an
address that is no Dask scheduler is one line for the user, never a traceback nor a process that hangs."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from pixelproof.core.batch import DaskExecutor
from pixelproof.core.batch.executors import BatchSetupError

pytest.importorskip("distributed")


@pytest.fixture
def no_client(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each Dask Client made: an address refused by the probe must make none (a Client that
    failed on its address held this process's exit for 60 s)."""
    import distributed

    made: list[str] = []

    def client(address: str, **_: object) -> None:
        made.append(address)
        raise OSError("a Client was made")

    monkeypatch.setattr(distributed, "Client", client)
    return made


@contextlib.contextmanager
def garbage_service(answer: bytes) -> Iterator[str]:
    """A TCP service that answers every connection with ``answer`` and keeps it open: another
    program on the scheduler's port (a proxy, a web server that talks first)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                conn = listener.accept()[0]
                held.append(conn)
                conn.sendall(answer)

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"tcp://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        listener.close()
        for conn in held:
            conn.close()


def test_a_service_that_talks_first_is_no_scheduler(no_client: list[str]) -> None:
    """An HTTP proxy's greeting: Dask's handshake reads "HTTP/1.1" as the length of a frame of 3 EiB and
    numpy's MemoryError came out as a traceback. It is refused as a silent service is."""
    with (
        garbage_service(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n") as address,
        pytest.raises(BatchSetupError) as refused,
    ):
        DaskExecutor(address)
    assert str(refused.value).startswith(f"no Dask scheduler answers at {address}: something listens")
    assert no_client == []


@pytest.mark.parametrize(
    ("address", "said"),
    [
        ("http://127.0.0.1:8786", "unknown address scheme 'http'"),
        ("tcp://127.0.0.1:99999", "port 99999 is out of range (1 to 65535)"),
    ],
)
def test_an_address_no_dask_scheme_or_port_can_be_is_refused_before_a_client(
    address: str, said: str, no_client: list[str]
) -> None:
    """``http://`` (a dashboard's address pasted): Dask's Client refused it and then held the process's
    exit for 60 s. A port past 65535 was said as "Connection refused"."""
    with pytest.raises(BatchSetupError) as refused:
        DaskExecutor(address)
    assert str(refused.value).startswith(f"--scheduler {address}: {said}"), refused.value
    assert no_client == []


def test_a_worker_gone_with_finished_results_is_no_dask_log_line_amid_the_jobs_lines(
    dask_cluster: Any,
) -> None:
    """A worker that left holding finished results: the client logged "Couldn't gather 1 keys,
    rescheduling ('run_on_dask_worker-...',)" with its time on stderr, amid the job's lines, though the
    job goes on (the results are computed again). Dropped while the job runs; other warnings stay."""
    import logging

    class Kept(logging.Handler):
        def __init__(self) -> None:
            super().__init__()
            self.lines: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.lines.append(record.getMessage())

    log, kept = logging.getLogger("distributed.client"), Kept()
    log.addHandler(kept)
    executor = DaskExecutor(dask_cluster.scheduler_address)
    try:
        log.warning("Couldn't gather %s keys, rescheduling %s", 1, ("run_on_dask_worker-0",))
        log.warning("another warning")
    finally:
        executor.close()
        log.removeHandler(kept)
    assert kept.lines == ["another warning"]
