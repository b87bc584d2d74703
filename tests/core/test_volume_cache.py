"""The LRU of opened volumes (``core.volume_cache``) under threads: the canvas loads the shown slice and
prefetches its neighbours on the thread pool at once, three slices of one volume that is not yet open."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest

from pixelproof.core.volume_cache import cached, clear_cache


@pytest.fixture(autouse=True)
def _empty_cache():
    clear_cache()
    yield
    clear_cache()


def _open_in_thread(path, make, got: dict, name: str) -> threading.Thread:
    def run() -> None:
        try:
            got[name] = cached(path, ("nifti", "z", 0), make)
        except Exception as e:  # the test reads what each thread got
            got[name] = e

    t = threading.Thread(target=run, name=name, daemon=True)
    t.start()
    return t


def _race(path, make, inside: threading.Event, release: threading.Event) -> dict:
    """The shown slice's thread ("shown") opens the volume; once ``make`` is inside its decode, a prefetch
    thread ("prefetch") asks for the same volume and waits a little (before the fix: it decoded the
    volume again meanwhile); then the decode is let go. Returns what each thread got."""
    got: dict = {}
    first = _open_in_thread(path, make, got, "shown")
    assert inside.wait(10)
    second = _open_in_thread(path, make, got, "prefetch")
    second.join(0.3)
    release.set()
    first.join(10)
    second.join(10)
    return got


def test_two_threads_opening_one_volume_decode_it_once(tmp_path):
    path = tmp_path / "ct.nii"
    path.write_bytes(b"volume")
    made: list[str] = []
    inside, release = threading.Event(), threading.Event()

    def make():
        made.append(threading.current_thread().name)
        inside.set()
        release.wait(10)  # a decode taking a while: the other thread asks meanwhile
        return SimpleNamespace(nbytes=6)

    got = _race(path, make, inside, release)
    assert made == ["shown"], made
    assert got["shown"] is got["prefetch"]


def test_a_failed_decode_is_not_kept_and_the_waiting_thread_tries_itself(tmp_path):
    path = tmp_path / "ct.nii"
    path.write_bytes(b"volume")
    made: list[str] = []
    inside, release = threading.Event(), threading.Event()

    def make():
        made.append(threading.current_thread().name)
        if len(made) == 1:
            inside.set()
            release.wait(10)
            raise ValueError("truncated")
        return SimpleNamespace(nbytes=6)

    got = _race(path, make, inside, release)
    assert isinstance(got["shown"], ValueError)
    assert got["prefetch"].nbytes == 6
    assert cached(path, ("nifti", "z", 0), make) is got["prefetch"]  # kept now
    assert made == ["shown", "prefetch"]
