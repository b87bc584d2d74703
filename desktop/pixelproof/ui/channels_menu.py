"""Image > Channels: show or hide each channel of a multichannel (fluorescence) image in its composite, as
QuPath's channel check boxes do. A display setting of this view, kept while the image stays loaded: the
project, the masks and what models read (all channels) do not change."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QMenu

from pixelproof.ui.icons import swatch
from pixelproof.ui.shortcuts import plain

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell


def hollow(color: QColor, size: int = 14) -> QIcon:
    """A hidden channel's swatch: the outline of its colour square (a style may draw a checkable action's
    icon instead of its check box, so the icon itself says shown or hidden)."""
    pm = QPixmap(size * 2, size * 2)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(QPen(color, 3))
    p.drawRoundedRect(3, 3, size * 2 - 6, size * 2 - 6, 4, 4)
    p.end()
    pm.setDevicePixelRatio(2.0)
    return QIcon(pm)


class ChannelsMenu(QObject):
    """The Channels submenu of ``parent`` (the Image menu), filled from the shown image when it opens."""

    def __init__(self, shell: Shell, parent: QMenu) -> None:
        super().__init__(shell)
        self.canvas = shell.canvas
        self.menu = QMenu("C&hannels", parent)
        self.menu.setObjectName("channelsMenu")
        self.menu.setToolTipsVisible(True)
        self.menu.aboutToShow.connect(self._fill)
        parent.addMenu(self.menu)

    def _composite(self):  # type: ignore[no-untyped-def]
        item = self.canvas.image_item
        return item.image.channels if item is not None else None

    def _fill(self) -> None:
        menu = self.menu
        menu.clear()
        composite = self._composite()
        if composite is None:
            menu.addAction("Not a multichannel image").setEnabled(False)
            return
        lo_hi = composite.ranges
        for i, channel in enumerate(composite.channels):
            color = QColor(*channel.color)
            act = menu.addAction(
                swatch(color) if composite.visible[i] else hollow(color), plain(channel.name)
            )
            act.setCheckable(True)
            act.setChecked(composite.visible[i])
            act.setToolTip(f"Display range {lo_hi[i][0]:.6g} – {lo_hi[i][1]:.6g}")
            act.toggled.connect(lambda on, i=i: self.set_shown(i, on))
        menu.addSeparator()
        menu.addAction("Show All", self.show_all)

    def set_shown(self, index: int, shown: bool) -> None:
        """Show or hide channel ``index`` in the composite of the image on the canvas."""
        item = self.canvas.image_item
        composite = self._composite()
        if item is None or composite is None or not 0 <= index < len(composite.visible):
            return
        if composite.visible[index] != bool(shown):
            composite.visible[index] = bool(shown)
            item.channels_changed()

    def show_all(self) -> None:
        composite = self._composite()
        for i in range(len(composite.visible) if composite is not None else 0):
            self.set_shown(i, True)
