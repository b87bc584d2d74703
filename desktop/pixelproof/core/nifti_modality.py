"""A NIfTI volume's modality, from the files that travel with it: a NIfTI header names none (its intent and
units say nothing of CT), so a CT's values read as plain numbers where DICOM's read as HU.

Two sources say it, both written by the tools CT NIfTIs come from:

- a sidecar JSON beside the file (``ct.nii.gz`` -> ``ct.json``), as dcm2niix writes it on conversion, with
  ``"Modality": "CT"`` (BIDS sidecars carry it too);
- the ``dataset.json`` of a Medical Segmentation Decathlon / nnU-Net dataset, for a file in its
  ``imagesTr`` / ``imagesTs`` folder: ``"modality": {"0": "CT"}`` (MSD, nnU-Net v1) or
  ``"channel_names": {"0": "CT"}`` (nnU-Net v2; a file's channel is its ``_0000`` suffix there, a 4D
  volume's channel its index). Label files (``labelsTr``) are not images of that modality: never named.

A file unreadable, too big, or not saying anything is no error: the modality stays unknown ("").
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

MAX_JSON_BYTES = 4 << 20  # a sidecar is a few KB; an MSD dataset.json lists its cases (~100 KB)
_NNUNET_CHANNEL = re.compile(r"_(\d{4})$", re.ASCII)
_MODALITY = re.compile(r"^[A-Za-z0-9]{1,16}$", re.ASCII)  # DICOM's codes (CT, MR, PT) and names (T1w)


def nifti_modality(path: str | os.PathLike[str], channel: int = 0) -> str:
    """The modality (``CT``, ``MR``...) the sidecar or the dataset's ``dataset.json`` gives the NIfTI file
    at ``path`` (channel ``channel`` of a 4D one), upper-cased; "" when nothing says."""
    p = Path(path)
    stem = sidecar_path(p).stem
    sidecar = _json(sidecar_path(p))
    if isinstance(sidecar, dict) and _word(sidecar.get("Modality")):
        return sidecar["Modality"].upper()
    if not p.parent.name.lower().startswith("images"):
        return ""
    dataset = _json(p.parent.parent / "dataset.json")
    if not isinstance(dataset, dict):
        return ""
    names = dataset.get("channel_names", dataset.get("modality"))
    if not isinstance(names, dict) or not names:
        return ""
    m = _NNUNET_CHANNEL.search(stem)
    key = str(int(m.group(1)) if m else channel)
    value = names.get(key, next(iter(names.values())) if len(names) == 1 else None)
    return value.upper() if _word(value) else ""


def sidecar_path(path: Path) -> Path:
    """The JSON dcm2niix writes beside the NIfTI file at ``path`` (``ct.nii.gz`` -> ``ct.json``)."""
    name = path.name
    stem = name[: -len(".nii.gz")] if name.lower().endswith(".nii.gz") else path.stem
    return path.with_name(stem + ".json")


def _word(value: Any) -> bool:
    return isinstance(value, str) and bool(_MODALITY.match(value))


def _json(path: Path) -> Any:
    """The JSON at ``path``, or None when it is absent, too big or not JSON."""
    try:
        if not path.is_file() or path.stat().st_size > MAX_JSON_BYTES:
            return None
        return json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
