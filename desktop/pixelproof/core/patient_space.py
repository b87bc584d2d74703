"""Where a slice's pixels lie in the patient: the patient position (RAS mm, 3D Slicer's convention) of the
pixel under the cursor and the orientation letters (R/L, A/P, S/I) at a view's edges, as 3D Slicer and PACS
viewers show them.

A slice with a known geometry (a NIfTI affine with a qform or sform code; DICOM's ImagePositionPatient,
ImageOrientationPatient and PixelSpacing) carries a ``PatientGeometry``: the centre of its first pixel and
the step in mm from one column, and one row, to the next, as displayed (after the NIfTI reader's own
reorientation). DICOM's patient coordinates are LPS; they are turned to RAS here (x and y negated), so one
point reads the same in a NIfTI and a DICOM copy of one scan, and as Slicer shows it. Nothing here is kept
in a project: the geometry is read from the file with its pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

# letters of the +/- RAS axes
_LETTERS = (("R", "L"), ("A", "P"), ("S", "I"))
# a second (third) letter joins the first when its axis takes at least this share of the direction (as a
# cosine: about 15 degrees off the main axis), as PACS viewers mark an oblique slice ("RA")
OBLIQUE_COSINE = 0.26


@dataclass(frozen=True, slots=True)
class PatientGeometry:
    """A displayed slice's place in the patient, RAS mm: ``origin`` the centre of pixel (0, 0), ``col_step``
    from one column to the next (x + 1), ``row_step`` from one row to the next (y + 1)."""

    origin: tuple[float, float, float]
    col_step: tuple[float, float, float]
    row_step: tuple[float, float, float]

    @classmethod
    def make(
        cls, origin: Sequence[float], col_step: Sequence[float], row_step: Sequence[float]
    ) -> PatientGeometry | None:
        """The geometry, or None when a number is not finite or the steps are null or parallel (an affine
        that gives an image axis no direction places no pixel)."""
        o, c, r = (np.asarray(v, np.float64).reshape(3) for v in (origin, col_step, row_step))
        if not (np.isfinite(o).all() and np.isfinite(c).all() and np.isfinite(r).all()):
            return None
        lengths = float(np.linalg.norm(c)) * float(np.linalg.norm(r))
        if not lengths > 1e-12 or float(np.linalg.norm(np.cross(c, r))) < 1e-6 * lengths:
            return None
        return cls(_triple(o), _triple(c), _triple(r))

    def position(self, x: float, y: float) -> np.ndarray:
        """RAS mm of the point at column ``x``, row ``y`` (whole numbers: a pixel's centre)."""
        return np.asarray(self.origin) + x * np.asarray(self.col_step) + y * np.asarray(self.row_step)

    def pixels(self, points: np.ndarray) -> np.ndarray:
        """``position``'s inverse for (n, 3) RAS points: (n, 3) of column, row (whole at a pixel's centre)
        and signed mm off the slice's plane along its normal (a contour drawn on the slice gives ~0)."""
        col, row = np.asarray(self.col_step), np.asarray(self.row_step)
        normal = np.cross(col, row)
        axes = np.column_stack([col, row, normal / np.linalg.norm(normal)])
        rel = np.asarray(points, np.float64).reshape(-1, 3) - np.asarray(self.origin)
        return np.linalg.solve(axes, rel.T).T

    def edge_letters(self) -> dict[str, str]:
        """The orientation letters of the view's ``left``, ``right``, ``top`` and ``bottom`` edges: the
        patient's side that lies that way (an axial slice shown as radiologists read it: R left, A top)."""
        col, row = np.asarray(self.col_step), np.asarray(self.row_step)
        return {
            "left": direction_letters(-col),
            "right": direction_letters(col),
            "top": direction_letters(-row),
            "bottom": direction_letters(row),
        }


def _triple(v: np.ndarray) -> tuple[float, float, float]:
    return (float(v[0]), float(v[1]), float(v[2]))


def direction_letters(direction: Sequence[float] | np.ndarray) -> str:
    """The patient sides a RAS direction points to, the main one first (``L``; ``LA`` for an oblique one:
    every axis taking ``OBLIQUE_COSINE`` or more of it, largest first); "" for a null direction."""
    d = np.asarray(direction, np.float64)
    norm = float(np.linalg.norm(d))
    if not norm > 0 or not math.isfinite(norm):
        return ""
    d = d / norm
    order = sorted(range(3), key=lambda i: -abs(d[i]))
    main = [order[0]] + [i for i in order[1:] if abs(d[i]) >= OBLIQUE_COSINE]
    return "".join(_LETTERS[i][0 if d[i] > 0 else 1] for i in main)


def position_text(ras: Sequence[float] | np.ndarray) -> str:
    """``L 12.3  P 40.1  S 55.0 mm``: a RAS point as a radiologist says it, each axis by the side it lies on
    (3D Slicer's data probe does the same), so no sign convention has to be known to read it."""
    parts = []
    for value, (plus, minus) in zip(ras, _LETTERS, strict=True):
        v = float(value)
        shown = round(abs(v), 1)
        parts.append(f"{plus if v >= 0 or shown == 0 else minus} {shown:.1f}")
    return "  ".join(parts) + " mm"


def ras_from_lps(point: Sequence[float] | np.ndarray) -> np.ndarray:
    """DICOM's patient coordinates (LPS) as RAS: x and y negated."""
    p = np.asarray(point, np.float64)
    return p * np.array([-1.0, -1.0, 1.0])


def dicom_geometry(
    position: Sequence[float] | None, orientation: Sequence[float] | None, spacing: Sequence[float] | None
) -> PatientGeometry | None:
    """A DICOM image's geometry (PS3.3 C.7.6.2.1.1) from ImagePositionPatient (the first pixel's centre,
    LPS mm), ImageOrientationPatient (the direction along a row, i.e. of the next column, then down a
    column) and PixelSpacing (row spacing, column spacing); None when one is missing."""
    if position is None or orientation is None or spacing is None:
        return None
    iop = np.asarray(orientation, np.float64)
    row_spacing, col_spacing = (float(v) for v in spacing)
    return PatientGeometry.make(
        ras_from_lps(position), ras_from_lps(iop[:3] * col_spacing), ras_from_lps(iop[3:] * row_spacing)
    )


def slice_voxels(shape: tuple[int, ...], axis: str, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(voxel of pixel (0, 0), voxel step of one column, of one row) of ``oriented_slice(a, axis, index)``
    of an array ``a`` of canonical ``shape``: read off ``oriented_slice`` itself, so the two never differ."""

    from pixelproof.core.volumes import oriented_slice

    def corner(dims: list[int]) -> np.ndarray:
        grids = [
            np.broadcast_to(np.arange(n).reshape([n if i == a else 1 for i in range(3)]), dims)
            for a, n in enumerate(dims)
        ]
        return np.array([oriented_slice(g, axis, index)[:2, :2] for g in grids], np.float64)  # (3, 2, 2)

    first = corner([int(n) for n in shape[:3]])[:, 0, 0]
    steps = corner([max(2, int(n)) for n in shape[:3]])  # a slice one pixel wide still has a direction
    return first, steps[:, 0, 1] - steps[:, 0, 0], steps[:, 1, 0] - steps[:, 0, 0]


def nifti_geometry(
    affine: np.ndarray, shape: tuple[int, ...], axis: str, index: int
) -> PatientGeometry | None:
    """Where slice ``index`` along ``axis`` of a canonical volume of ``shape`` and voxel-to-RAS ``affine``
    lies, as ``oriented_slice`` displays it."""
    return affine_geometry(affine, *slice_voxels(shape, axis, index))


def affine_geometry(
    affine: np.ndarray, first: Sequence[float], col: Sequence[float], row: Sequence[float]
) -> PatientGeometry | None:
    """A NIfTI slice's geometry: the voxel (``first``) of its pixel (0, 0) and the voxel steps of a column
    (``col``) and a row (``row``), through the voxel-to-RAS ``affine`` they are indexes of."""
    a = np.asarray(affine, np.float64)
    m, t = a[:3, :3], a[:3, 3]
    return PatientGeometry.make(
        m @ np.asarray(first, np.float64) + t,
        m @ np.asarray(col, np.float64),
        m @ np.asarray(row, np.float64),
    )


def nifti_placed(header: Any) -> bool:
    """Whether a NIfTI header places its voxels in the patient (a qform or sform code above 0)."""
    try:
        return any(int(header[k]) > 0 for k in ("qform_code", "sform_code"))
    except (KeyError, TypeError, ValueError):
        return False
