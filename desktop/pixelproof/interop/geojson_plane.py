"""QuPath's image plane of a feature: in a multi-plane image (a z-stack, a time series) QuPath writes the
plane of each object drawn off the first one in its geometry, ``"plane": {"c": -1, "z": 3, "t": 0}``
(``ImagePlane``; the default plane, c -1, z 0, t 0, is not written). PixelProof reads a GeoJSON onto the one
2-D image of its stem, so the plane cannot place the object; it is kept in the object's QuPath extras and
written back, so a round trip through PixelProof leaves each object on its plane in QuPath."""

from __future__ import annotations

from typing import Any

from pixelproof.core.limits import short_repr
from pixelproof.core.wording import plural
from pixelproof.interop._util import Reporter

PLANE_KEY = "plane"  # in an object's QuPath extras, as QuPath names it
DEFAULT_PLANE = {"c": -1, "z": 0, "t": 0}
_MOST = 2**31 - 1  # QuPath's planes are Java ints


def _whole(v: Any, low: int) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and low <= v <= _MOST


def read_plane(geometry: dict[str, Any], where: str, report: Reporter) -> dict[str, int] | None:
    """The plane QuPath wrote in ``geometry`` (``{"c", "z", "t"}``, a key left out being the default's),
    None when none or the default; one that is no plane is said (naming ``where``) and ignored."""
    value = geometry.get(PLANE_KEY)
    if value is None:
        return None
    plane = {k: value.get(k, v) for k, v in DEFAULT_PLANE.items()} if isinstance(value, dict) else None
    if plane is None or not (_whole(plane["c"], -1) and _whole(plane["z"], 0) and _whole(plane["t"], 0)):
        report(
            f"{where}.plane: expected {{'c', 'z', 't'}} of whole numbers, got {short_repr(value)}; ignored"
        )
        return None
    return plane if plane != DEFAULT_PLANE else None


def off_first(plane: dict[str, int] | None) -> bool:
    """Whether ``plane`` is another z-slice or time point than the first (the 2-D image's only one)."""
    return plane is not None and (plane["z"] != 0 or plane["t"] != 0)


def plane_text(plane: dict[str, int]) -> str:
    """ "z=3, t=0" (and the channel when QuPath gave one)."""
    channel = f", c={plane['c']}" if plane["c"] != -1 else ""
    return f"z={plane['z']}, t={plane['t']}{channel}"


def kept_plane(qupath: dict[str, Any]) -> dict[str, int] | None:
    """The plane kept in an object's QuPath extras, when it is one QuPath reads (a hand-edited project may
    hold anything there), else None."""
    value = qupath.get(PLANE_KEY)
    if not isinstance(value, dict) or set(value) != set(DEFAULT_PLANE):
        return None
    ok = _whole(value["c"], -1) and _whole(value["z"], 0) and _whole(value["t"], 0)
    return dict(value) if ok and value != DEFAULT_PLANE else None


def on_plane(geometry: dict[str, Any] | None, plane: dict[str, int] | None) -> dict[str, Any] | None:
    """``geometry`` as QuPath writes it on ``plane`` (unchanged when None)."""
    if geometry is None or plane is None:
        return geometry
    return {**geometry, PLANE_KEY: plane}


def off_plane_note(file: object, image: str, planes: dict[str, int]) -> str:
    """The import's message for features QuPath drew on other planes than the first: ``planes`` maps
    ``plane_text`` to how many."""
    n = sum(planes.values())
    listed = "; ".join(f"{k}: {v}" for k, v in sorted(planes.items())[:5])
    more = f"; and {len(planes) - 5} more planes" if len(planes) > 5 else ""
    return (
        f"{file}: {plural(n, 'feature', thousands=True)} on another plane than the first (z=0, t=0) "
        "of QuPath's multi-plane "
        f"image ({listed}{more}); {image} is read as one 2-D image, so they are shown on it together; each "
        "keeps its plane, written back in a GeoJSON export"
    )
