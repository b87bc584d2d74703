"""Images dock: every image of the project with its status, annotation count and split (a column shown
once an image has one); a filter box (the query
language of ``core.image_query``: "cat", "class:cat objects>5 -status:done"); the status of the current
image can be set here (or from the Image menu). Selecting a row shows the image."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core.conditions import FilterError
from pixelproof.core.edits import Changes, Compound, SetImageStatus
from pixelproof.core.found_problems import FoundProblems
from pixelproof.core.image_query import ImageFacts, ImageQuery, parse_image_query
from pixelproof.core.model import DONE_STATES, IMAGE_STATES, STATUS_LABELS
from pixelproof.core.split_names import split_of
from pixelproof.core.wording import plural
from pixelproof.ui.annotation_batch import touched_images
from pixelproof.ui.cell_text import LabelOrIconDelegate
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.document import Document
from pixelproof.ui.file_names import TEXT_MARGIN, FileNameDelegate
from pixelproof.ui.fitted_table import header_need
from pixelproof.ui.go_to_frame import GoToFrame
from pixelproof.ui.icons import swatch
from pixelproof.ui.panels.base import Panel
from pixelproof.ui.panels.image_split_menu import add_split_actions
from pixelproof.ui.panels.images_model import STATUS_COLORS, ImagesModel, ImagesProxy, ListedImages
from pixelproof.ui.panels.images_width import DockFollowsPanel
from pixelproof.ui.panels.object_counts import count_text
from pixelproof.ui.shortcuts import make_action

if TYPE_CHECKING:
    from pixelproof.ui.shell import Shell

NAME_CHARS = 20  # a file name this long shows whole at the panel's default width
NAME_LEAST_CHARS = 12  # the Image column's least room ("cat_0001.png" whole): the status's text gives way
COUNT_SAMPLE_ROWS = 1000  # first rows sizing the Objects column on load (ResizeToContents read so many)
SPLIT_MOST_CHARS = 10  # the Split column's most room: a longer custom split name is cut (whole in the tip)
READ_AHEAD_PAUSE_MS = 150  # the typing pause after which a new filter's list is read ahead (once a word)
FILTER_HELP = (
    "Terms separated by spaces; every term must match:\n"
    '  text: the file name or the status contains it ("in progress" with spaces)\n'
    '  class:cat, class:"traffic light": an object of that class\n'
    "  author:NAME: an object drawn by NAME\n"
    "  status:done (todo, in_progress, done, reviewed)\n"
    "  split:val (train, val, test; split:none: no split)\n"
    "  objects:0, objects>5, predictions>0 (pending predictions); = != < <= > >=\n"
    "  problems>0, problem:wrong_class: in the Problems panel's last run (not dismissed)\n"
    "  -term: images the term does not match (-class:cat)"
)


class ImagesPanel(Panel):
    """The project's images with their status and object count, a filter over them (the list D / A
    walk); ``listedChanged`` once typing in the filter pauses, so the canvas reads ahead the image D
    will go to in the new list (it read ahead only when an image was shown, so the first D waited)."""

    title = "Images"
    object_name = "imagesDock"
    area = Qt.DockWidgetArea.LeftDockWidgetArea
    listedChanged = Signal()
    widthWanted = Signal(int, int)  # ``preferred_width`` before, after: the Split column came or went

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ImagesModel()
        self.proxy = ImagesProxy(self.model, self)
        self.filter = QLineEdit()
        self.filter.setAccessibleName("Filter images")
        self.filter.setPlaceholderText("Filter: name, status:done, class:cat, split:val…")
        self.filter.setToolTip(FILTER_HELP)
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter_changed)
        self.filter.returnPressed.connect(self._show_first_listed)  # then the window gives the keys back
        self.filter_note = QLabel()  # "3 of 120 images", or what is wrong with the query
        self.filter_note.setWordWrap(True)
        self.filter_note.hide()
        self._filter_error = False
        # the problem finder's run as the Problems panel holds it (``problems.image_filter`` sets it)
        self.found_problems: Callable[[], FoundProblems | None] = lambda: None
        self.table = QTableView()
        self.table.setAccessibleName("Images")
        self.table.setTabKeyNavigation(False)  # Tab leaves the table (arrows move in it)
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)  # Shift/Ctrl+click
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)  # sized by _fit_columns
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(ImagesModel.SPLIT, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnHidden(ImagesModel.SPLIT, True)  # until an image has a split (``_fit_split``)
        header.setHighlightSections(False)
        self._probe = QStandardItemModel(1, 1, self)  # a cell measured by what it would show
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self._fit_columns)
        self._in_sight_timer = QTimer(self)  # rows scrolled or filtered into sight: their counts fit
        self._in_sight_timer.setSingleShot(True)
        self._in_sight_timer.setInterval(0)
        self._in_sight_timer.timeout.connect(lambda: self._widen_counts(self._counts_in_sight()))
        in_sight = (
            self.table.verticalScrollBar().valueChanged,
            self.proxy.layoutChanged,
            self.proxy.rowsInserted,
        )
        for signal in (*in_sight, self.proxy.rowsRemoved):
            signal.connect(lambda *_: self._in_sight_timer.start())  # not start(msec) with a signal's int
        self.table.installEventFilter(self)
        self.table.setItemDelegateForColumn(0, FileNameDelegate(self.table))
        self._status_cells = LabelOrIconDelegate(self.table)  # the swatch alone when a label would be cut
        self.table.setItemDelegateForColumn(1, self._status_cells)
        self._status_need = 0  # px: the widest status label (``_fit_columns``)
        self.table.viewport().installEventFilter(self)  # its width shared again (``_fit_status``)
        self.table.selectionModel().currentRowChanged.connect(self._row_chosen)
        self._updating_rows = False  # see _update_rows
        self._counts: dict[int, None] = {}  # images whose object count changed, see _count_changed
        self._done: set[int] = set()  # images marked done or reviewed, kept as statuses change
        self._splits: dict[int, str] = {}  # image -> its split, for the images that have one
        self._split_room = 0  # px the Split column takes (0: hidden), in ``preferred_width``
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(0)
        self._counts_timer.timeout.connect(self._apply_counts)
        self._listed_timer = QTimer(self)  # debounced: one read-ahead per word typed, not per key
        self._listed_timer.setSingleShot(True)
        self._listed_timer.setInterval(READ_AHEAD_PAUSE_MS)
        self._listed_timer.timeout.connect(self.listedChanged)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)

        self.status = QComboBox()
        for s in IMAGE_STATES:
            self.status.addItem(swatch(STATUS_COLORS[s], 10), STATUS_LABELS[s], s)
        self.status.setToolTip("Status of the current image")
        # a combo box is said by its value alone ("In progress"): named, and on Linux by its label (a buddy)
        self.status.setAccessibleName("Image status")
        self.status.activated.connect(lambda i: self.set_status(self.status.itemData(i)))
        row = QHBoxLayout()
        row.addWidget(status_label := QLabel("Status:"))
        status_label.setBuddy(self.status)
        row.addWidget(self.status, 1)
        self.summary = QLabel()
        self.summary.setStyleSheet("color: palette(placeholder-text);")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.filter)
        layout.addWidget(self.filter_note)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.summary)

    def preferred_width(self) -> int:
        """Wide enough for a ``NAME_CHARS`` file name beside the status and count columns (the window
        keeps the dock at least this wide, so names stay readable on a 1366 px screen)."""
        fm = self.table.fontMetrics()
        status = max(fm.horizontalAdvance(t) for t in STATUS_LABELS.values()) + 10 + 24  # swatch, padding
        count = fm.horizontalAdvance(self.model.COLUMNS[2]) + 16
        scroll = self.table.verticalScrollBar().sizeHint().width()
        return fm.averageCharWidth() * NAME_CHARS + 12 + status + count + scroll + 16 + self._split_room

    def install(self, shell: Shell) -> None:
        """The dock grows by the Split column when it shows (``images_width``); a status picked in its box
        leaves the next key to the canvas."""
        shell.keys_back_after_choice(self.status)
        act = make_action(
            "image.find", shell.widget, self.find, tip="Type a name or a query in the Images filter"
        )
        shell.add_action(act)
        self.go_to_frame = GoToFrame(shell)  # Image > Go to Frame…, under Find Image…
        for menu in shell.menus:  # Image > Find Image…, under Next / Previous Image
            ids = [a.property("shortcut_id") for a in menu.actions()]
            if "image.previous" in ids[:-1]:
                after = menu.actions()[ids.index("image.previous") + 1]
                menu.insertActions(after, [act, self.go_to_frame.act])
        if isinstance(shell.widget, QMainWindow):
            self.widthWanted.connect(DockFollowsPanel(shell.widget, self).wanted)

    def bind(self, doc: Document) -> list:
        return [
            (doc.currentImageChanged, self._select_current),
            (doc.imageStatusChanged, self._status_changed),
            (doc.imagesChanged, self.schedule_refresh),  # a merge added images, or its undo removed them
            (doc.annotationAdded, self._count_changed),
            (doc.annotationRemoved, self._count_changed),
            (doc.annotationChanged, self._objects_changed),  # a class, author or review changed
            (doc.annotationsBatch, self._objects_batch),
            (doc.categoriesChanged, self._categories_changed),
        ]

    def refresh(self) -> None:
        doc = self.document
        self.proxy.facts = ImageFacts(doc.project, doc.shown_file_name) if doc is not None else None
        query = self._parse(self.filter.text())  # class names are looked up in this project
        self.proxy.query = query or ImageQuery()
        self.model.reset(doc)
        status = doc.project.image_status if doc is not None else None
        self._done = {i for i in self.model.ids if status(i) in DONE_STATES} if status is not None else set()
        images = doc.project.images if doc is not None else {}
        self._splits = {i: s for i, rec in images.items() if rec.extra and (s := split_of(rec))}
        self._fit_columns()
        self._select_current()
        self._update_summary()
        self._update_note()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The table's font or style changed (or it shows, its style sheet applied): size the columns
        again; resized, it may show more rows, whose counts must fit."""
        kinds = (QEvent.Type.FontChange, QEvent.Type.StyleChange, QEvent.Type.Show)
        if watched is self.table and event.type() in kinds:
            self._fit_timer.start()
        elif watched is self.table and event.type() == QEvent.Type.Resize:
            self._in_sight_timer.start()
        elif watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_status()  # a narrower dock (the Problems panel shown at 1024 px), a scroll bar
        return super().eventFilter(watched, event)

    def _cell_width(self, text: str, decoration: object = None) -> int:
        """The width the table's delegate asks for a cell showing ``text`` (and ``decoration``): what
        ResizeToContents measured of each cell."""
        cell = self._probe.index(0, 0)
        self._probe.setData(cell, text, Qt.ItemDataRole.DisplayRole)
        self._probe.setData(cell, decoration, Qt.ItemDataRole.DecorationRole)
        option = QStyleOptionViewItem()
        self.table.initViewItemOption(option)
        return self.table.itemDelegate().sizeHint(option, cell).width()

    def _fit_columns(self) -> None:
        """Status as wide as its widest label, Objects as its widest count in the first rows and in sight
        (a count that grows or scrolls into sight wider widens it: ``_widen_counts``). Both were
        ResizeToContents, which measured a thousand rows of both at every change of a cell: each D
        (the visit's time recorded changes the row) read 16,000 cells of 100,000 images, opening 49,000.
        A title needs its width as drawn (``header_need``, as the fitted tables measure it), not Qt's
        size hint, which measures it bold: the names get that room."""
        header = self.table.horizontalHeader()
        labels = (self._cell_width(STATUS_LABELS[s], swatch(STATUS_COLORS[s], 10)) for s in IMAGE_STATES)
        self._status_need = max(header_need(self.table, 1), *labels)
        header.resizeSection(2, header_need(self.table, 2))
        self._widen_counts(self._count_texts(self.model.ids[:COUNT_SAMPLE_ROWS]))
        self._widen_counts(self._counts_in_sight())
        self._fit_split()

    def _fit_status(self) -> None:
        """Status as wide as its widest label where the names keep ``NAME_LEAST_CHARS`` characters beside
        it, else as wide as its title, the swatches shown alone (``LabelOrIconDelegate``: "D…" for Done
        said less than the colour; the label in the tooltip). In a 1024-px window with the Problems panel
        open the Images dock is ~220 px wide: the names had 58 px ("c…a.png" for camera.png) beside a
        whole "In progress"."""
        if not self._status_need:
            return  # not measured yet
        header = self.table.horizontalHeader()
        least_name = NAME_LEAST_CHARS * self.table.fontMetrics().horizontalAdvance("x") + TEXT_MARGIN
        split = 0 if header.isSectionHidden(ImagesModel.SPLIT) else header.sectionSize(ImagesModel.SPLIT)
        spare = self.table.viewport().width() - header.sectionSize(2) - split - least_name
        least = max(header_need(self.table, 1), self._cell_width("", swatch(STATUS_COLORS["todo"], 10)))
        width = self._status_need if spare >= self._status_need else least
        icon_only = width < self._status_need
        if header.sectionSize(1) != width:
            header.resizeSection(1, width)
        if self._status_cells.icon_only != icon_only:
            self._status_cells.icon_only = icon_only
            self.table.viewport().update()

    def _fit_split(self) -> None:
        """The Split column only while an image of the project has a split (a project without keeps its
        names' room), as wide as its title or widest split name, at most ``SPLIT_MOST_CHARS``."""
        column = ImagesModel.SPLIT
        self.table.setColumnHidden(column, not self._splits)
        if self._splits:
            most = SPLIT_MOST_CHARS * self.table.fontMetrics().averageCharWidth() + TEXT_MARGIN
            cells = max(map(self._cell_width, set(self._splits.values())))
            width = max(header_need(self.table, column), min(cells, most))
            self.table.horizontalHeader().resizeSection(column, width)
        room = self.table.columnWidth(column) if self._splits else 0
        if room != self._split_room:
            before = self.preferred_width()
            self._split_room = room
            self.widthWanted.emit(before, self.preferred_width())
        self._fit_status()

    def _count_texts(self, image_ids: Iterable[int]) -> set[str]:
        """The Objects cells of ``image_ids``, each text once (each distinct count formatted once)."""
        doc = self.document
        return (
            {count_text(*c) for c in doc.project.distinct_object_counts(image_ids)}
            if doc is not None
            else set()
        )

    def _counts_in_sight(self) -> set[str]:
        """The Objects cells the table shows now (read from the table: no row mapped to the model)."""
        shown = self.proxy.rowCount()
        if shown == 0:
            return set()
        top = max(self.table.rowAt(0), 0)
        bottom = self.table.rowAt(self.table.viewport().height() - 1)
        bottom = shown - 1 if bottom < 0 else bottom
        return {self.proxy.index(r, 2).data() for r in range(top, bottom + 1)}

    def _widen_counts(self, texts: Iterable[str]) -> None:
        """Widen the Objects column to the widest of ``texts`` where it does not fit (it never narrows
        until the project is read again: a column shrinking under the pointer is worse)."""
        need = max(map(self._cell_width, texts), default=0)
        header = self.table.horizontalHeader()
        if need > header.sectionSize(2):
            header.resizeSection(2, need)
            self._fit_status()

    def _select_current(self, *_: object) -> None:
        doc = self.document
        enabled = doc is not None and doc.current_image_id != -1
        self.status.setEnabled(enabled)
        if not enabled:
            self.status.setCurrentIndex(-1)  # no image shown: no status (not the closed project's last)
            return
        row = self.model.row_of(doc.current_image_id)
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid() and self.table.currentIndex().row() != index.row():
            self.table.setCurrentIndex(index)
            self.table.scrollTo(index)
        elif not index.isValid():  # filtered out: no other row may look current (a click must go there)
            self.table.selectionModel().clear()
        self.status.setCurrentIndex(IMAGE_STATES.index(doc.project.image_status(doc.current_image_id)))

    def find(self) -> None:
        """Ctrl+F: the filter's text selected to type over (its dock shown first); Enter shows the image."""
        self._show_dock()
        self.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter.selectAll()

    def _show_dock(self) -> None:
        dock = self.parentWidget()
        while dock is not None and not isinstance(dock, QDockWidget):
            dock = dock.parentWidget()
        if dock is not None:
            dock.show()
            dock.raise_()  # in front of the docks stacked with it

    def filter_to(self, text: str) -> None:
        """The filter set to ``text`` (the Problems panel's Filter Images to These), its dock shown, and
        the first image it lists shown unless the one shown is listed, as Enter does."""
        self._show_dock()
        self.filter.setText(text)
        self._show_first_listed()

    def problems_changed(self) -> None:
        """The problem finder's run or its list changed (a run, a fix, X): a query naming problems is
        read again, and one refused for want of a run may now be read."""
        if self.proxy.query.reads_problems or self._filter_error:
            self._filter_changed(self.filter.text())

    def _show_first_listed(self) -> None:
        """Enter in the filter: the first image it lists is shown, as in a file list's search, unless the one
        shown is listed (`status:todo` typed on an image to do keeps it). A query that cannot be read (the
        list as the last readable one showed it) or that lists nothing shows no other image."""
        doc = self.document
        if doc is None or self._filter_error or not self.proxy.query or self.proxy.rowCount() == 0:
            return
        row = self.model.row_of(doc.current_image_id)
        if row >= 0 and self.proxy.mapFromSource(self.model.index(row, 0)).isValid():
            return
        doc.set_current_image(self.proxy.index(0, 0).data(Qt.ItemDataRole.UserRole))

    def listed_image_ids(self) -> ListedImages | None:
        """The images the filter shows, in the table's order: what D / A and Shift+G walk (a labeler
        expects them to walk the list in sight), read from the table as asked. None without a filter:
        every image, in file order."""
        return ListedImages(self.model, self.proxy) if self.proxy.query else None

    def filter_summary(self) -> str:
        """'3 of 120': how many images the filter shows, for a message naming the list D walks."""
        return f"{self.proxy.rowCount()} of {self.model.rowCount()}"

    def selected_image_ids(self) -> list[int]:
        """The images selected in the table, in the project's order."""
        if self.document is None:
            return []
        rows = self.table.selectionModel().selectedRows()
        chosen = {self.proxy.data(i, Qt.ItemDataRole.UserRole) for i in rows}
        return [i for i in self.document.image_ids() if i in chosen]

    def _update_rows(self, image_id: int, count_only: bool = False) -> None:
        """Redraw an image's row. The filter may hide it now (the current image became "in progress")."""
        self._rows_moving(
            lambda: (self.model.count_changed if count_only else self.model.image_changed)(image_id)
        )

    def _parse(self, text: str) -> ImageQuery | None:
        """The query ``text`` means, or None after saying under the box what is wrong with it."""
        doc = self.document
        try:
            found = self.found_problems() if doc is not None else None
            query = parse_image_query(text, doc.project, found) if doc is not None else ImageQuery()
        except FilterError as e:
            self._filter_error = True
            self.filter_note.setText(f"<span style='color:#d55e00'>{html.escape(str(e))}</span>")
            self.filter_note.setToolTip(as_text(str(e)))
            self.filter_note.show()
            return None
        self._filter_error = False
        return query

    def _filter_changed(self, text: str) -> None:
        """Apply the query; a malformed one is explained under the box and the rows stay as the last good
        query showed them (typing "class:c" on the way to "class:cat" empties nothing)."""
        query = self._parse(text)
        if query is None:
            return
        self._rows_moving(lambda: self.proxy.set_query(query))
        self._update_note()
        self._listed_timer.start()

    def _update_note(self) -> None:
        if self._filter_error:  # the note says what is wrong until the text changes
            return
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.filter_note.setText(f"{shown} of {plural(total, 'image')}")
        self.filter_note.setToolTip("")
        self.filter_note.setVisible(bool(self.proxy.query))

    def _rows_moving(self, change) -> None:  # type: ignore[no-untyped-def]
        """Run ``change``, which may hide or show rows and so move the table's current row: that is not
        the user choosing another image. The current image's row is made current again where shown."""
        self._updating_rows = True
        try:
            change()
        finally:
            self._updating_rows = False
        self._select_current()

    def _row_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._updating_rows:
            return
        if self.document is not None and current.isValid():
            image_id = self.proxy.data(current, Qt.ItemDataRole.UserRole)
            self.document.set_current_image(image_id)

    def _status_changed(self, image_id: int) -> None:
        """The image's row and the summary's done count follow its status; the count is kept, not
        counted again over every image (~0.13 s at each D over 100,000: the visit's time recorded
        signals the image as changed)."""
        doc = self.document
        if doc is not None and image_id in doc.project.images:
            done = doc.project.image_status(image_id) in DONE_STATES
            (self._done.add if done else self._done.discard)(image_id)
            self._split_changed(image_id, split_of(doc.project.images[image_id]))
        self._update_rows(image_id)
        self._update_summary()
        self._update_note()

    def _split_changed(self, image_id: int, split: str | None) -> None:
        """Keep ``_splits``; the column shows, hides or widens when the project's splits change (a split
        set or cleared from the context menu, or undone), not at each change of a row."""
        before = self._splits.get(image_id)
        if split == before:
            return
        names = set(self._splits.values())
        if split is None:
            del self._splits[image_id]
        else:
            self._splits[image_id] = split
        if bool(self._splits) != bool(names) or (split is not None and split not in names):
            self._fit_split()

    def _count_changed(self, image_id: int, _ann_id: int) -> None:
        """An object came or went: its image's count is redrawn once per event-loop turn, not per object
        (undoing the deletion of 5,000 objects is 5,000 signals, and each redraw counts the image's
        objects: that was a minute)."""
        self._counts[image_id] = None
        self._counts_timer.start()
        if self.proxy.facts is not None:
            self.proxy.facts.forget(image_id)

    def _objects_changed(self, image_id: int, _ann_id: int) -> None:
        """The image's objects changed: what the filter read of them is stale, and a query on them may
        now hide or show the row, and its Objects cell change (a prediction accepted or rejected: `3 +2` ->
        `5`): the count is redrawn, once per event-loop turn."""
        if self.proxy.facts is not None:
            self.proxy.facts.forget(image_id)
        self._counts[image_id] = None
        self._counts_timer.start()

    def _objects_batch(self, changes: Changes) -> None:
        """Many objects came, went or changed: each image's count once (``_objects_changed``)."""
        for image_id in touched_images(changes):
            self._objects_changed(image_id, -1)

    def _apply_counts(self) -> None:
        pending, self._counts = self._counts, {}
        if pending:  # the current row looked for once, not once per image
            self._rows_moving(lambda: self.model.counts_changed(pending))
        self._widen_counts(self._count_texts(i for i in pending if self.model.row_of(i) >= 0))
        if pending:
            self._update_note()

    def _categories_changed(self) -> None:
        """A class renamed, deleted or made void: counts and class names of the query change."""
        if self.proxy.facts is not None:
            self.proxy.facts.forget()
        if self.proxy.query.reads_objects:
            self._filter_changed(self.filter.text())

    def _update_summary(self) -> None:
        doc = self.document
        if doc is None:
            self.summary.setText("")
            return
        self.summary.setText(f"{plural(len(doc.project.images), 'image')} · {len(self._done)} done")

    def set_status(self, status: str, image_id: int | list[int] | None = None) -> None:
        """Mark the current image, one image or several (one undo step, whatever their number)."""
        doc = self.document
        if doc is None:
            return
        ids = (
            [doc.current_image_id if image_id is None else image_id]
            if not isinstance(image_id, list)
            else image_id
        )
        parts = [SetImageStatus(i, status) for i in ids
                 if i in doc.project.images and doc.project.image_status(i) != status]  # fmt: skip
        if len(parts) > 1:
            doc.push(Compound(parts, f"Mark {len(parts)} images as {STATUS_LABELS[status].lower()}"))
        elif parts:
            doc.push(parts[0])

    def _context_menu(self, pos) -> None:
        """Mark the row clicked, or every selected row when it is one of several selected; or set a split."""
        index = self.table.indexAt(pos)
        if not index.isValid() or self.document is None:
            return
        image_id = self.proxy.data(index, Qt.ItemDataRole.UserRole)
        chosen = self.selected_image_ids()
        ids = chosen if image_id in chosen and len(chosen) > 1 else [image_id]
        menu = QMenu(self)
        for s in IMAGE_STATES:
            label = STATUS_LABELS[s].lower()
            text = f"Mark as {label}" if len(ids) == 1 else f"Mark {len(ids)} images as {label}"
            act = menu.addAction(swatch(STATUS_COLORS[s], 10), text)
            act.triggered.connect(lambda _=False, s=s: self.set_status(s, ids))
        add_split_actions(menu, self.document, ids)
        menu.exec(self.table.viewport().mapToGlobal(pos))
