"""What a pre-label run respects and how it reads the images — the app's side of ``prelabel``'s
``--skip-existing IOU`` / ``--keep-overlapping``, ``--unlabeled-only``, ``--tile SIZE --overlap F`` and
``--keep-specks``.
The choices are kept in the settings: they are habits of a user, not facts of a project."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QWidget,
)

from pixelproof.inference.apply import SKIP_EXISTING_IOU
from pixelproof.inference.tiling import DEFAULT_OVERLAP, Tiling
from pixelproof.ui.panels.base import scroll_safe
from pixelproof.ui.settings import number_value, settings


@dataclass(frozen=True, slots=True)
class RunSettings:
    """One run's choices: ``skip_existing`` None = keep predictions repeating an object; ``unlabeled_only``
    applies to "Pre-label all" (M always runs on the image in view). ``overlap``: the tiles' overlap,
    also for a picture too big for the model's memory that an untiled run pre-labels in tiles."""

    skip_existing: float | None = SKIP_EXISTING_IOU
    unlabeled_only: bool = False
    tiling: Tiling | None = None
    overlap: float = DEFAULT_OVERLAP
    only_existing: bool = False  # the project's choice (``core.edits.prelabel_choice``), not a setting
    keep_specks: bool = False  # a picture's flood of specks is pre-labeled, not refused


class RunOptions(QGroupBox):
    """Rows: skip what is labeled (IoU), only unlabeled images, tiles (size, overlap), keep specks."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Run", parent)
        s = settings()
        self.skip = QCheckBox("Skip objects already labeled")
        self.skip.setObjectName("skipExisting")
        self.skip.setToolTip(
            "A prediction overlapping an object of its category on the image above this IoU is not added "
            "(counted as skipped)"
        )
        self.skip.setChecked(s.value("model/skip_existing", True, type=bool))
        self.skip_iou = QDoubleSpinBox()
        self.skip_iou.setObjectName("skipExistingIou")
        self.skip_iou.setRange(0.0, 1.0)
        self.skip_iou.setSingleStep(0.05)
        self.skip_iou.setDecimals(2)
        self.skip_iou.setValue(number_value(s.value("model/skip_iou"), SKIP_EXISTING_IOU, 0.0, 1.0))
        self.unlabeled = QCheckBox("All images: unlabeled only")
        self.unlabeled.setObjectName("unlabeledOnly")
        self.unlabeled.setToolTip("Images that have any object are left out of Pre-label all")
        self.unlabeled.setChecked(s.value("model/unlabeled_only", False, type=bool))
        self.tiles = QCheckBox("Tiles (px)")
        self.tiles.setObjectName("tiled")
        self.tiles.setToolTip(
            "Large images (aerial, whole-slide): run on overlapping tiles read region by region, merged "
            "across the seams; choose an overlap that fits the largest object"
        )
        self.tiles.setChecked(s.value("model/tiled", False, type=bool))
        self.tile_size = QSpinBox()
        self.tile_size.setObjectName("tileSize")
        self.tile_size.setRange(16, 65536)
        self.tile_size.setSingleStep(256)
        self.tile_size.setToolTip("Tile size in pixels (square tiles)")
        self.tile_size.setValue(number_value(s.value("model/tile_size"), 1024, 16, 65536))
        self.overlap = QDoubleSpinBox()
        self.overlap.setObjectName("tileOverlap")
        self.overlap.setRange(0.0, 0.85)
        self.overlap.setSingleStep(0.05)
        self.overlap.setDecimals(2)
        self.overlap.setValue(number_value(s.value("model/tile_overlap"), DEFAULT_OVERLAP, 0.0, 0.85))
        self.overlap.setToolTip(
            "Overlap between tiles, as a fraction of the tile size; also for a picture too big for the "
            "model's memory, which is pre-labeled in tiles without Tiles checked (and listed below)"
        )
        self.keep_specks = QCheckBox("Keep specks")
        self.keep_specks.setObjectName("keepSpecks")
        self.keep_specks.setToolTip(
            "Pre-label a picture even when its objects are a flood of tiny specks (tens of thousands of "
            "1-2 px objects: a threshold cutting noise), which fails the picture otherwise: for cells or "
            "particles that really are that small"
        )
        self.keep_specks.setChecked(s.value("model/keep_specks", False, type=bool))
        scroll_safe(self.skip_iou, self.tile_size, self.overlap)
        grid = QGridLayout(self)  # two narrow columns: the dock fits a 1366-px screen
        grid.setContentsMargins(6, 4, 6, 4)
        grid.setVerticalSpacing(2)
        right = Qt.AlignmentFlag.AlignRight
        grid.addWidget(self.skip, 0, 0, 1, 2)
        grid.addWidget(QLabel("IoU >"), 1, 0, alignment=right)
        grid.addWidget(self.skip_iou, 1, 1)
        grid.addWidget(self.unlabeled, 2, 0, 1, 2)
        grid.addWidget(self.tiles, 3, 0)
        grid.addWidget(self.tile_size, 3, 1)
        grid.addWidget(QLabel("overlap"), 4, 0, alignment=right)
        grid.addWidget(self.overlap, 4, 1)
        grid.addWidget(self.keep_specks, 5, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        for box in (self.skip, self.unlabeled, self.tiles, self.keep_specks):
            box.toggled.connect(self._changed)
        for spin in (self.skip_iou, self.tile_size, self.overlap):
            spin.valueChanged.connect(self._changed)
        self._changed()

    def settings(self) -> RunSettings:
        """The run the rows describe."""
        tiling = None
        if self.tiles.isChecked():
            tiling = Tiling(self.tile_size.value(), self.overlap.value())
        return RunSettings(
            self.skip_iou.value() if self.skip.isChecked() else None,
            self.unlabeled.isChecked(),
            tiling,
            self.overlap.value(),
            keep_specks=self.keep_specks.isChecked(),
        )

    def _changed(self, *_: object) -> None:
        self.skip_iou.setEnabled(self.skip.isChecked())
        self.tile_size.setEnabled(self.tiles.isChecked())
        s = settings()
        s.setValue("model/skip_existing", self.skip.isChecked())
        s.setValue("model/skip_iou", self.skip_iou.value())
        s.setValue("model/unlabeled_only", self.unlabeled.isChecked())
        s.setValue("model/tiled", self.tiles.isChecked())
        s.setValue("model/tile_size", self.tile_size.value())
        s.setValue("model/tile_overlap", self.overlap.value())
        s.setValue("model/keep_specks", self.keep_specks.isChecked())
