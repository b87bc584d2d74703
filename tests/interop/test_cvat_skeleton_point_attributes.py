"""A CVAT skeleton track's per-point attributes survive a refill: the poses Fill Between Frames (or the refill
after a key's edit) makes carry each point's ``<attribute>`` values and kept XML attributes of the earlier
key, as CVAT's interpolation copies them from the earlier keyframe (``core.keypoint_fill``), so CVAT export
-> PixelProof -> refill -> CVAT export keeps them. Before, the filled poses had none and the export wrote
the filled frames' points bare. The task is written as CVAT 2.x's video export writes one: a hand (tip,
base) keyed on frames 0 and 4, CVAT's interpolation (``keyframe="0"``, the earlier key's attributes and
``occluded``) on 1-3; the tip's mutable ``state`` is ``closed`` on 0 and ``open`` on 4, the base occluded
on 0."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from PIL import Image

from pixelproof.core.edits import RemoveAnnotations, ReplaceAnnotations
from pixelproof.core.keypoint_fill import CVAT_PARTS
from pixelproof.core.keypoints import with_keypoint
from pixelproof.core.model import Annotation, Project
from pixelproof.core.track_fill import fill_between_frames, untouched_fill
from pixelproof.core.track_refill import refill_after
from pixelproof.interop.cvat import read_cvat, write_cvat

STATE = (
    "<attributes><attribute><name>state</name><mutable>True</mutable><input_type>select</input_type>"
    "<default_value>open</default_value><values>open\nclosed</values></attribute></attributes>"
)
LABELS = (
    "<labels><label><name>hand</name><color>#0c81b5</color><type>skeleton</type><attributes/><svg>"
    '&lt;line data-type="edge" data-node-from="1" data-node-to="2"&gt;&lt;/line&gt;'
    '&lt;circle data-type="element node" data-node-id="1" data-label-name="tip"&gt;&lt;/circle&gt;'
    '&lt;circle data-type="element node" data-node-id="2" data-label-name="base"&gt;&lt;/circle&gt;'
    "</svg></label>"
    f"<label><name>tip</name><color>#d12345</color><type>points</type>{STATE}<parent>hand</parent></label>"
    "<label><name>base</name><color>#350dea</color><type>points</type><attributes/><parent>hand</parent>"
    "</label></labels>"
)
TIP = {f: (2.0 * f, 1.0) for f in range(5)}
BASE = {f: (2.0 * f + 10.0, 8.0) for f in range(5)}


def _point(frame: int, xy: tuple[float, float], occluded: int, state: str | None) -> str:
    inner = f'<attribute name="state">{state}</attribute>' if state is not None else ""
    return (
        f'<points frame="{frame}" keyframe="{int(frame in (0, 4))}" outside="0" occluded="{occluded}" '
        f'points="{xy[0]:.2f},{xy[1]:.2f}" z_order="0">{inner}</points>'
    )


def _task(folder: Path) -> Path:
    (folder / "images").mkdir(parents=True)
    for f in range(5):
        Image.new("RGB", (30, 10)).save(folder / "images" / f"frame_{f:06d}.png")
    skeleton = "".join(
        f'<skeleton frame="{f}" keyframe="{int(f in (0, 4))}" outside="0" occluded="0" '
        f'points="{TIP[f][0]:.2f},{TIP[f][1]:.2f};{BASE[f][0]:.2f},{BASE[f][1]:.2f}" z_order="0"></skeleton>'
        for f in range(5)
    )
    tip = "".join(_point(f, TIP[f], 0, "open" if f == 4 else "closed") for f in range(5))
    base = "".join(_point(f, BASE[f], int(f < 4), None) for f in range(5))
    (folder / "annotations.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?><annotations><version>1.1</version><meta><task>'
        "<size>5</size><mode>interpolation</mode><start_frame>0</start_frame><stop_frame>4</stop_frame>"
        f"{LABELS}<original_size><width>30</width><height>10</height></original_size></task></meta>"
        f'<track id="3" label="hand" source="manual">{skeleton}'
        f'<track id="0" label="tip" source="manual">{tip}</track>'
        f'<track id="1" label="base" source="manual">{base}</track></track></annotations>'
    )
    return folder / "annotations.xml"


def _poses(project: Project) -> dict[int, Annotation]:
    return {int(Path(project.image(a.image_id).file_name).stem[6:]): a for a in project.annotations.values()}


def _written_points(xml: Path, label: str) -> dict[str, tuple[str | None, str | None, str | None]]:
    """frame -> (keyframe, occluded, its ``state`` attribute) of the part track ``label``."""
    part = ET.parse(xml).getroot().find(f"track/track[@label='{label}']")
    assert part is not None
    return {
        p.get("frame", ""): (p.get("keyframe"), p.get("occluded"), p.findtext("attribute[@name='state']"))
        for p in part
        if p.get("outside") == "0"
    }


def test_a_refill_after_a_keys_edit_keeps_each_points_attributes_through_the_export(tmp_path: Path) -> None:
    """Frame 4's tip dragged: the refill recomputes 1-3, which go back to CVAT with the tip's ``state``
    of frame 0 (``closed``) and the base occluded, as CVAT interpolates them, and are read back so."""
    project = read_cvat(_task(tmp_path / "in").parent).project
    key = _poses(project)[4]
    edit = ReplaceAnnotations([with_keypoint(key, project.images[key.image_id], 0, 16.0, 1.0)])
    refill = refill_after(project, edit, edit.apply(project))
    assert refill.edit is not None and refill.filled == 3
    refill.edit.apply(project)
    for f in (1, 2, 3):
        pose = _poses(project)[f]
        assert pose.extra["keypoints"][:3] == [4.0 * f, 1.0, 2] and untouched_fill(pose)
        assert pose.extra["keypoints"][5] == 1  # the base occluded, as on frame 0
        assert pose.app_extra[CVAT_PARTS][0]["attributes"] == {"state": "closed"}
    write_cvat(project, tmp_path / "out", images="copy")
    written = tmp_path / "out" / "annotations.xml"
    tip, base = _written_points(written, "tip"), _written_points(written, "base")
    assert [tip[str(f)] for f in range(5)] == [("1", "0", "closed")] + 3 * [("0", "0", "closed")] + [
        ("1", "0", "open")
    ]
    assert [base[str(f)][:2] for f in range(5)] == [
        ("1", "1"),
        ("0", "1"),
        ("0", "1"),
        ("0", "1"),
        ("1", "0"),
    ]
    again = _poses(read_cvat(tmp_path / "out").project)
    assert [again[f].app_extra[CVAT_PARTS][0].get("attributes") for f in range(5)] == 4 * [
        {"state": "closed"}
    ] + [{"state": "open"}]
    assert all(untouched_fill(again[f]) for f in (1, 2, 3))


def test_fill_between_frames_gives_new_poses_the_earlier_keys_point_attributes(tmp_path: Path) -> None:
    """CVAT's interpolated frames deleted, Shift+T fills them again: each point carries frame 0's values
    (not frame 4's, nor the frame-0 point's ``keyframe`` or place as read); a second Shift+T changes
    nothing and makes no edit."""
    project = read_cvat(_task(tmp_path / "in").parent).project
    RemoveAnnotations([_poses(project)[f].id for f in (1, 2, 3)]).apply(project)
    done = fill_between_frames(project, min(project.images), 3)
    assert done.edit is not None and done.filled == 3
    done.edit.apply(project)
    parts = _poses(project)[2].app_extra[CVAT_PARTS]
    assert parts[0] == {"attrib": {"z_order": "0", "source": "manual"}, "attributes": {"state": "closed"}}
    assert parts[1] == {"attrib": {"z_order": "0", "source": "manual"}}
    assert fill_between_frames(project, min(project.images), 3).edit is None
    write_cvat(project, tmp_path / "out", images="copy")
    tip = _written_points(tmp_path / "out" / "annotations.xml", "tip")
    assert [tip[str(f)][2] for f in range(5)] == 4 * ["closed"] + ["open"]
