"""Image > Channels: show or hide each channel of a multichannel (fluorescence) image in its composite, as
QuPath's channel check boxes do, and set each channel's display range (Brightness / Contrast…, the
``channel_ranges`` dialog). Display settings of this view, kept for the file (every plane of a z-stack
shows them, as a window set by hand stays for a CT volume) and for the next time it is shown (in the
app's settings, keyed by the file's path, for the ``KEPT_FILES`` most recently used files). **Save
Display Settings to Project** keeps them in the project for the image (QuPath's per-image display
settings, ``core.channel_display``), and **Save … to All Images of This Kind** for every image whose file
has the same channel names: everyone who opens the project (a shard, the merged one) sees them. The
project's settings are the baseline an image is shown with; what the user changes over them stays theirs
(the app's settings) until saved. The Assist tool sees the ranges (it sees the picture as the view shows
it), batch pre-labeling reads the file with its automatic ones."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QMenu

from pixelproof.core import channel_display as shared
from pixelproof.core.edits import SetChannelDisplay
from pixelproof.core.history import current_author
from pixelproof.core.view_memory import file_key, most_recent_first
from pixelproof.core.wording import plural
from pixelproof.ui.icons import swatch
from pixelproof.ui.jobs import Job
from pixelproof.ui.settings import json_value, settings
from pixelproof.ui.shortcuts import make_action, plain

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell

GROUP = "channel_view"  # GROUP/<file key>: a file's settings (JSON of Composite.view_settings)
ORDER_KEY = "channel_view_order"  # JSON list of the file keys kept, most recently used first


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
    """The Channels submenu of ``parent`` (the Image menu), filled from the shown image when it opens;
    the one place the view's channels change (shown, display range): ``changed`` then fires."""

    changed = Signal()

    def __init__(self, shell: Shell, parent: QMenu) -> None:
        super().__init__(shell)
        self.shell = shell
        self.canvas = shell.canvas
        self.dialog = None  # the Brightness / Contrast dialog, made when first asked for
        tip = "Each channel's display range (QuPath's brightness / contrast)"
        self.act_ranges = make_action("image.channel_ranges", shell.widget, self.show_ranges, tip=tip)
        shell.add_action(self.act_ranges)
        self.menu = QMenu("C&hannels", parent)
        self.menu.setObjectName("channelsMenu")
        self.menu.setToolTipsVisible(True)
        self.menu.aboutToShow.connect(self._fill)
        parent.addMenu(self.menu)
        self.changed.connect(self._remember)
        self.canvas.imageShown.connect(self._restore)
        self._shown_token: str | None = None  # ``shared.token`` of the project settings the view started from
        self.kind_job: Job | None = None  # Save to All Images of This Kind, reading the files' headers
        shell.documentChanged.connect(self._document_changed)
        self._document_changed(shell.document)

    def _document_changed(self, doc) -> None:  # type: ignore[no-untyped-def]
        if doc is not None:  # the connection goes with the document
            doc.imageStatusChanged.connect(self._project_changed)

    def composite(self):  # type: ignore[no-untyped-def]
        """The view's ``core.channels.Composite`` of the image on the canvas; None if it has no channels."""
        item = self.canvas.image_item
        return item.image.channels if item is not None else None

    # -- settings kept per file --------------------------------------------------------------------
    def _key(self, image_id: int) -> str | None:
        """The settings key of image ``image_id``'s file (``core.view_memory.file_key``); None without a
        project or image."""
        doc = self.shell.document
        rec = doc.project.images.get(image_id) if doc is not None else None
        if rec is None:
            return None
        return file_key(str(doc.project.image_path(rec)))

    def _entry(self, image_id: int) -> dict | None:
        """Image ``image_id``'s display settings in the project (None: none that hold)."""
        doc = self.shell.document
        return shared.entry_of(doc.project, image_id) if doc is not None else None

    def _remember(self) -> None:
        """The shown image's channel settings kept for its file where they differ from the baseline (the
        project's settings, else automatic), with the baseline they were made over; dropped where not."""
        composite, key = self.composite(), self._key(self.canvas.image_id)
        if composite is None or key is None:
            return
        entry, base = self._entry(self.canvas.image_id), self.baseline()
        twin = composite.copy()
        twin.apply_view_settings(base)
        if twin.display_settings() == composite.display_settings():
            self._forget_own(key)
        else:
            over = shared.token(entry) if base is not None else None
            settings().setValue(
                f"{GROUP}/{key}", json.dumps({**composite.display_settings(), shared.OVER: over})
            )
            self._keep_recent(key)

    def _forget_own(self, key: str) -> None:
        settings().remove(f"{GROUP}/{key}")
        self._keep_recent(None)

    def _keep_recent(self, used: str | None) -> None:
        """The order of use brought up to date (``used`` first); the settings of files past the
        ``KEPT_FILES`` most recently used dropped."""
        s = settings()
        s.beginGroup(GROUP)
        present = s.childKeys()
        s.endGroup()
        order = json_value(s.value(ORDER_KEY), [])  # a damaged value: entries count as unordered
        order, dropped = most_recent_first(order if isinstance(order, list) else [], present, used)
        for key in dropped:
            s.remove(f"{GROUP}/{key}")
        s.setValue(ORDER_KEY, json.dumps(order))

    def _restore(self, image_id: int) -> None:
        """An image shown: the project's display settings for it, or the user's own over them
        (``shared.choose``; none: every channel shown at its automatic range, also on a plane held in the
        loader's cache since it was last shown); a file with settings of the user's counts as used."""
        composite, key = self.composite(), self._key(image_id)
        if composite is None or key is None:
            return
        doc = self.shell.document
        names, where = [c.name for c in composite.channels], doc.project.images[image_id].file_name
        entry = self._entry(image_id)
        own = json_value(settings().value(f"{GROUP}/{key}"))  # a damaged value: the baseline
        choice = shared.choose(entry, own, names, where)
        before = composite.display_settings()
        if not (choice.personal and composite.apply_view_settings(choice.settings)):
            composite.apply_view_settings(
                shared.choose(entry, None, names).settings
            )  # own for other channels
        self._shown_token = shared.token(entry)
        if composite.display_settings() != before:
            self.canvas.image_item.channels_changed()
        if choice.forget:
            self._forget_own(key)
        elif own is not None:
            self._keep_recent(key)
        if choice.note:
            self.shell.status(choice.note, 8000)

    def _project_changed(self, image_id: int) -> None:
        """The shown image's settings in the project changed (saved, merged, undone): shown again by them."""
        shown = image_id == self.canvas.image_id and self.composite() is not None
        if shown and shared.token(self._entry(image_id)) != self._shown_token:
            self._restore(image_id)
            self.changed.emit()  # the Brightness / Contrast window follows

    # -- settings kept in the project ---------------------------------------------------------------
    def save_to_project(self) -> None:
        """The shown image's display settings saved in the project for it (for every plane of its file):
        one undo step; the user's own settings for the file are then the project's, so forgotten."""
        composite, doc, image_id = self.composite(), self.shell.document, self.canvas.image_id
        if composite is None or doc is None or image_id not in doc.project.images:
            self.shell.status("Not a multichannel image: no display settings to save")
            return
        ids = shared.same_file(doc.project, image_id)
        entry = shared.stamped(composite.display_settings(), current_author())
        key = self._key(image_id)
        if key is not None:
            self._forget_own(key)
        name = doc.project.images[image_id].file_name
        doc.push(SetChannelDisplay({i: entry for i in ids}, "Save display settings to the project"))
        self._shown_token = shared.token(self._entry(image_id))
        self.shell.status(
            f"{name}: display settings saved to the project (everyone opening it sees them)", 8000
        )

    def save_for_kind(self) -> None:
        """The shown image's display settings saved in the project for every image whose file has the same
        channel names (QuPath's "apply to similar images"): the files' headers are read in a job, then one
        undo step sets them all."""
        composite, doc = self.composite(), self.shell.document
        if composite is None or doc is None or self.canvas.image_id not in doc.project.images:
            self.shell.status("Not a multichannel image: no display settings to save")
            return
        if self.kind_job is not None:
            return
        names = [c.name for c in composite.channels]
        entry = shared.stamped(composite.display_settings(), current_author())
        files = {i: str(doc.project.image_path(im)) for i, im in doc.project.images.items()}
        shown = ", ".join(names)
        job = self.kind_job = Job(lambda j: shared.images_with_channels(files, names, j.step), self)
        job.progress.connect(
            lambda d, t: self.shell.status(f"Images with channels {shown}: {d:,} / {t:,} files")
        )
        job.finished.connect(lambda ids: self._kind_found(doc, ids, entry, shown))
        job.failed.connect(
            lambda why: self.shell.status(f"Display settings not saved: {why}", 8000, "warning")
        )
        for signal in (job.finished, job.failed, job.cancelled):
            signal.connect(lambda *_: setattr(self, "kind_job", None))
        job.start()

    def _kind_found(self, doc, ids: list[int], entry: dict, shown: str) -> None:  # type: ignore[no-untyped-def]
        ids = [i for i in ids if i in doc.project.images]
        if doc is not self.shell.document or not ids:
            return
        key = self._key(self.canvas.image_id)
        if key is not None and self.canvas.image_id in ids:
            self._forget_own(key)
        n = len(ids)
        what = f"{plural(n, 'image')}"
        doc.push(SetChannelDisplay({i: entry for i in ids}, f"Save display settings to {what}"))
        self.shell.status(f"Display settings saved to the project for {what} with channels {shown}", 8000)

    def use_project_settings(self) -> None:
        """The user's own settings for the shown file forgotten: the project's (else automatic) shown."""
        key = self._key(self.canvas.image_id)
        if key is not None and self.composite() is not None:
            self._forget_own(key)
            self._restore(self.canvas.image_id)
            self.changed.emit()

    def _fill(self) -> None:
        menu = self.menu
        menu.clear()
        composite = self.composite()
        if composite is None:
            menu.addAction("Not a multichannel image").setEnabled(False)  # Shift+C's window says so too
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
        menu.addAction(self.act_ranges)
        menu.addSeparator()
        tip = "Everyone who opens the project (a shard, the merged project) sees this image so"
        menu.addAction("Save Display Settings to Project", self.save_to_project).setToolTip(tip)
        act = menu.addAction("Save Display Settings to All Images of This Kind", self.save_for_kind)
        act.setToolTip(
            f"Every image whose file has the channels {', '.join(c.name for c in composite.channels)}"
        )
        act.setEnabled(self.kind_job is None)
        act = menu.addAction("Use the Project's Display Settings", self.use_project_settings)
        act.setToolTip("Forget your own settings for this file: show it as saved in the project")
        act.setEnabled(self._entry(self.canvas.image_id) is not None)

    def set_shown(self, index: int, shown: bool) -> None:
        """Show or hide channel ``index`` in the composite of the image on the canvas."""
        item = self.canvas.image_item
        composite = self.composite()
        if item is None or composite is None or not 0 <= index < len(composite.visible):
            return
        if composite.visible[index] != bool(shown):
            composite.visible[index] = bool(shown)
            item.channels_changed()
            self.changed.emit()

    def show_all(self) -> None:
        composite = self.composite()
        for i in range(len(composite.visible) if composite is not None else 0):
            self.set_shown(i, True)

    def set_range(self, index: int, lo: float, hi: float) -> str:
        """Show channel ``index`` from ``lo`` to ``hi`` (raw units); "" when done, else why not (the range
        is empty, reversed or not finite: the old one stays)."""
        item, composite = self.canvas.image_item, self.composite()
        if item is None or composite is None:
            return "not a multichannel image"
        try:
            composite.set_range(index, lo, hi)
        except ValueError as e:
            return str(e)
        self._redraw()
        return ""

    def auto_range(self, index: int) -> None:
        """Channel ``index`` back to its automatic range (0.5 / 99.5 percentiles)."""
        composite = self.composite()
        if composite is not None:
            composite.reset_range(index)
            self._redraw()

    def set_color(self, index: int, rgb: tuple[int, int, int]) -> None:
        """Channel ``index`` coloured ``rgb`` in the composite of the image on the canvas."""
        composite = self.composite()
        if composite is not None and 0 <= index < len(composite.channels):
            composite.set_color(index, rgb)
            self._redraw()

    def set_gamma(self, gamma: float) -> str:
        """The view's gamma (every channel); "" when done, else why not (the old one stays)."""
        item, composite = self.canvas.image_item, self.composite()
        if item is None or composite is None:
            return "not a multichannel image"
        if gamma == composite.gamma:
            return ""
        try:
            composite.set_gamma(gamma)
        except ValueError as e:
            return str(e)
        self._redraw()
        return ""

    def baseline(self) -> dict | None:
        """What the shown image opens with before the user's own changes: the project's display settings
        for it when they hold for its channels, else None (automatic ranges, the file's colours, gamma 1)."""
        composite = self.composite()
        if composite is None:
            return None
        names = [c.name for c in composite.channels]
        return shared.choose(self._entry(self.canvas.image_id), None, names).settings

    def reset_ranges(self) -> None:
        """Reset All: every channel's range and colour, and gamma, back to the ``baseline`` (the project's
        shared look when it has one, not automatic ranges over it); the channels shown stay as they are."""
        composite = self.composite()
        if composite is not None:
            shown, base = list(composite.visible), self.baseline()
            composite.reset_ranges()
            if base is not None:
                composite.apply_view_settings({**base, "shown": shown})
            self._redraw()

    def _redraw(self) -> None:
        """The canvas composite and a slide's overview drawn again through the new ranges."""
        if self.canvas.image_item is not None:
            self.canvas.image_item.channels_changed()
        self.changed.emit()

    def show_ranges(self) -> None:
        """Image > Channels > Brightness / Contrast…: the non-modal dialog, raised if already open."""
        from pixelproof.ui.channel_ranges import ChannelRangesDialog

        if self.dialog is None:
            self.dialog = ChannelRangesDialog(self, self.shell.widget)
        self.dialog.open_here()
