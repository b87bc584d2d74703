"""A shard's split records edited by hand or by another tool (``new_tracks_from``, ``stacking_at_split``
under its ``pixelproof.shard``): the merge neither fails nor gives ids the exports refuse (core, no Qt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.core.edits.stacking import restack
from pixelproof.core.merge import Shard, merge_shards
from pixelproof.core.split import split_project
from pixelproof.core.tracks import LIMIT, new_tracks, set_track
from tests.core.test_team_tracks import clip


def test_shards_new_tracks_near_the_limit_get_free_ids_below_it(tmp_path: Path) -> None:
    """A project whose highest track was 999,999,997: each shard's two new tracks are 999,999,998 and
    999,999,999, so the merge numbered the second shard's 10**9 and 10**9 + 1, ids the CVAT export writes
    as no track and the Track field refuses. As New Track does, the lowest free ids then."""
    project = clip(tmp_path, per_frame=2)
    set_track(project, [project.annotations_of(1)[0].id], LIMIT - 3).apply(project)  # type: ignore[union-attr]
    shards = split_project(project, ["ann", "bob"], overlap=0.0, seed=0).shards
    for shard in shards.values():
        frame = max(shard.images)  # image 1, with the project's track, is in one of them
        ids = [a.id for a in shard.annotations_of(frame)]
        new_tracks(shard, ids).apply(shard)  # type: ignore[union-attr]
        assert sorted(shard.annotations[i].extra["track_id"] for i in ids) == [LIMIT - 2, LIMIT - 1]
    result = merge_shards([Shard.of(s, n) for n, s in shards.items()], base=project)
    merged = [r["merged_as"] for r in result.report()["renumbered_tracks"]]
    assert merged == [0, 1, 2, 3]
    tracks = [a.extra["track_id"] for a in result.project.annotations.values() if "track_id" in a.extra]
    assert sorted(tracks) == [0, 1, 2, 3, LIMIT - 3]


@pytest.mark.parametrize(
    "record",
    [[[1], {"a": 1}], ["x", None, 2.5, True], [10**30, -7], "not a list"],
)
def test_a_stacking_record_holding_no_object_ids_is_passed_over(tmp_path: Path, record: object) -> None:
    """A list or a dict in an image's ``stacking_at_split`` raised TypeError (unhashable) out of the merge."""
    project = clip(tmp_path, per_frame=3)
    shards = split_project(project, ["ann", "bob"], overlap=0.0, seed=0).shards
    shard = shards["ann"]
    image = min(shard.images)
    restack(shard, [shard.annotation_ids_of(image)[0]], True).apply(shard)  # type: ignore[union-attr]
    shard.app["shard"]["stacking_at_split"][str(image)] = record
    out = merge_shards([Shard.of(s, n) for n, s in shards.items()], base=project).project
    assert out.annotation_ids_of(image) == project.annotation_ids_of(image)  # nothing known dealt: as merged
