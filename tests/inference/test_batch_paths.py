"""Where a cluster's workers are told to read a pre-label job's pictures (``--path-map``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pixelproof.core.batch import PathMap, SerialExecutor
from pixelproof.core.model import ImageRecord, Project
from pixelproof.inference.apply import PredictionMapper
from pixelproof.inference.batch import BackendSpec, propose_batch


class Remote(SerialExecutor):
    """Runs here, but as a cluster's executor would be used: notes the paths its workers are sent."""

    in_process = False

    def __init__(self) -> None:
        super().__init__()
        self.paths: list[str] = []

    def submit(self, task: Any, context: Any, items: list) -> Any:
        self.paths += [item.path for item in items]
        return super().submit(task, context, items)


def test_a_windows_projects_pictures_are_mapped_for_the_workers(tmp_path: Path) -> None:
    """A project made on Windows keeps its absolute names (``C:\\data\\a.png``) as written; run from a
    POSIX machine with ``--path-map C:\\data=/mnt/win`` its pictures were sent as
    ``<project folder>/C:\\data\\a.png`` (joined like a relative name), which matched no map: every
    picture failed on the workers ("image file not found")."""
    project = Project(path=tmp_path / "project.json")
    names = ["C:\\data\\a.png", "C:/data/sub/b.png", "rel/c.png", "/data/d.png"]
    for i, name in enumerate(names, start=1):
        project.add_image(ImageRecord(i, name, 8, 8))
    paths = PathMap.parse(["C:\\data=/mnt/win", f"{tmp_path}=/mnt/proj", "/data=/mnt/d"])
    executor = Remote()
    mapper = PredictionMapper(project, "threshold", skip_existing=None)
    spec = BackendSpec("threshold", (("category", "coin"),))
    results = list(propose_batch(project, list(project.images.values()), mapper, executor, spec=spec,
                                 path_map=paths))  # fmt: skip
    assert len(results) == len(names)  # each one failed (no such file here), none lost
    assert executor.paths == ["/mnt/win/a.png", "/mnt/win/sub/b.png", "/mnt/proj/rel/c.png", "/mnt/d/d.png"]
