"""Cityscapes' official label table (cityscapesScripts' ``helpers/labels.py``: name, id, train id, category,
has instances, ignore in eval, colour), read and written by ``interop.cityscapes`` and used by KITTI's
semantic PNGs, which share it; with the lookups both need (which ids carry instances, ``*group`` labels)."""

from __future__ import annotations

from typing import NamedTuple


class Label(NamedTuple):
    name: str
    id: int
    train_id: int
    category: str
    has_instances: bool
    ignore_in_eval: bool
    color: tuple[int, int, int]


# fmt: off
LABELS = (
    Label("unlabeled",             0, 255, "void",         False, True,  (0, 0, 0)),
    Label("ego vehicle",           1, 255, "void",         False, True,  (0, 0, 0)),
    Label("rectification border",  2, 255, "void",         False, True,  (0, 0, 0)),
    Label("out of roi",            3, 255, "void",         False, True,  (0, 0, 0)),
    Label("static",                4, 255, "void",         False, True,  (0, 0, 0)),
    Label("dynamic",               5, 255, "void",         False, True,  (111, 74, 0)),
    Label("ground",                6, 255, "void",         False, True,  (81, 0, 81)),
    Label("road",                  7, 0,   "flat",         False, False, (128, 64, 128)),
    Label("sidewalk",              8, 1,   "flat",         False, False, (244, 35, 232)),
    Label("parking",               9, 255, "flat",         False, True,  (250, 170, 160)),
    Label("rail track",           10, 255, "flat",         False, True,  (230, 150, 140)),
    Label("building",             11, 2,   "construction", False, False, (70, 70, 70)),
    Label("wall",                 12, 3,   "construction", False, False, (102, 102, 156)),
    Label("fence",                13, 4,   "construction", False, False, (190, 153, 153)),
    Label("guard rail",           14, 255, "construction", False, True,  (180, 165, 180)),
    Label("bridge",               15, 255, "construction", False, True,  (150, 100, 100)),
    Label("tunnel",               16, 255, "construction", False, True,  (150, 120, 90)),
    Label("pole",                 17, 5,   "object",       False, False, (153, 153, 153)),
    Label("polegroup",            18, 255, "object",       False, True,  (153, 153, 153)),
    Label("traffic light",        19, 6,   "object",       False, False, (250, 170, 30)),
    Label("traffic sign",         20, 7,   "object",       False, False, (220, 220, 0)),
    Label("vegetation",           21, 8,   "nature",       False, False, (107, 142, 35)),
    Label("terrain",              22, 9,   "nature",       False, False, (152, 251, 152)),
    Label("sky",                  23, 10,  "sky",          False, False, (70, 130, 180)),
    Label("person",               24, 11,  "human",        True,  False, (220, 20, 60)),
    Label("rider",                25, 12,  "human",        True,  False, (255, 0, 0)),
    Label("car",                  26, 13,  "vehicle",      True,  False, (0, 0, 142)),
    Label("truck",                27, 14,  "vehicle",      True,  False, (0, 0, 70)),
    Label("bus",                  28, 15,  "vehicle",      True,  False, (0, 60, 100)),
    Label("caravan",              29, 255, "vehicle",      True,  True,  (0, 0, 90)),
    Label("trailer",              30, 255, "vehicle",      True,  True,  (0, 0, 110)),
    Label("train",                31, 16,  "vehicle",      True,  False, (0, 80, 100)),
    Label("motorcycle",           32, 17,  "vehicle",      True,  False, (0, 0, 230)),
    Label("bicycle",              33, 18,  "vehicle",      True,  False, (119, 11, 32)),
    Label("license plate",        -1, -1,  "vehicle",      False, True,  (0, 0, 142)),
)
# fmt: on
BY_NAME = {lb.name: lb for lb in LABELS}
BY_ID = {lb.id: lb for lb in LABELS if lb.id >= 0}
BY_TRAIN_ID = {lb.train_id: lb for lb in LABELS if 0 <= lb.train_id < 255}

#: export warnings of the writers that draw Cityscapes label-id PNGs (Cityscapes, KITTI segment): what
#: a category outside this table or past the 8-bit ids became there, as ``noted_counts`` entries
PNG_ID_NOTES = {
    "void": (
        "void region",
        "outside the Cityscapes table given label id 0 (unlabeled, ignored in training and evaluation) "
        "in the PNGs",
    ),
    "shared_id": ("category", "with objects past the 8-bit label ids given the shared id 255 in the PNGs"),
}


def has_instances(label_id: int) -> bool:
    """Instance ids for labels with instances, and for ids outside the table (unknown categories)."""
    label = BY_ID.get(label_id)
    return label is None or label.has_instances


def split_group(name: str) -> tuple[str, bool]:
    """``cargroup`` -> (``car``, True): a crowd of its base label; names in the table stay as they are."""
    if name not in BY_NAME and name.endswith("group") and name[: -len("group")] in BY_NAME:
        return name[: -len("group")], True
    return name, False
