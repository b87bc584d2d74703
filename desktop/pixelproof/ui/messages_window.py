"""View > Messages…: the session's status messages (``Shell.messages``), newest at the bottom, each with
its time and kind, selectable and copyable, as QGIS's Log Messages panel or an IDE's message log. A status
message lasts seconds; one shown while the user looked elsewhere, a warning among them, is read here.
A window of its own, not a dock: it is opened now and then, and a dock would take the 1366x768 layout's
room. A click on the status bar's message opens it too."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QIcon, QMouseEvent, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from pixelproof.core.message_log import Message, as_text
from pixelproof.ui.copy_rows import copy_key, to_clipboard
from pixelproof.ui.shell import Shell
from pixelproof.ui.shortcuts import make_action
from pixelproof.ui.status_message import message_room

ICONS = {
    "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
}
EMPTY = "No messages yet: what the status bar says is kept here for the session."


class MessageList(QListWidget):
    """The messages, one row each; Ctrl+C copies the selected ones (with their time and kind)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("messagesList")
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        copy_key(self, self.copy)  # the list's copy, not a window action's

    def selected_messages(self) -> list[Message]:
        rows = sorted(self.row(item) for item in self.selectedItems())
        return [self.item(r).data(Qt.ItemDataRole.UserRole) for r in rows]

    def copy(self) -> None:
        messages = self.selected_messages()
        if messages:
            to_clipboard(as_text(messages))


class MessagesWindow(QDialog):
    """The log's window, non-modal: it follows new messages while open (scrolled to the newest when it
    was at the bottom)."""

    def __init__(self, shell: Shell) -> None:
        super().__init__(shell.widget)
        self.setObjectName("messagesWindow")
        self.setWindowTitle("Messages")
        self.shell = shell
        self.list = MessageList(self)
        self.list.setIconSize(QSize(16, 16))
        blank = QPixmap(self.list.iconSize())
        blank.fill(Qt.GlobalColor.transparent)
        self._blank = QIcon(blank)
        self.empty = QLabel(EMPTY, self)
        self.empty.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        role = QDialogButtonBox.ButtonRole.ActionRole
        self.copy_button = buttons.addButton("Copy &All", role)
        self.copy_button.clicked.connect(self.copy_all)
        self.clear_button = buttons.addButton("C&lear", role)
        self.clear_button.clicked.connect(self.clear)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(720, 360)
        for message in shell.messages.messages:
            self._add(message)
        self._update_empty()
        shell.messageLogged.connect(self._logged)

    def _add(self, message: Message) -> None:
        item = QListWidgetItem(message.line())
        item.setData(Qt.ItemDataRole.UserRole, message)
        if message.kind in ICONS:
            item.setIcon(self.style().standardIcon(ICONS[message.kind]))
        else:  # room of an icon: the times stay in one column
            item.setIcon(self._blank)
        self.list.addItem(item)

    def _logged(self, message: Message) -> None:
        bar = self.list.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum()
        self._add(message)
        while self.list.count() > len(self.shell.messages):  # the log dropped its oldest
            self.list.takeItem(0)
        self._update_empty()
        if at_bottom:
            self.list.scrollToBottom()

    def _update_empty(self) -> None:
        self.empty.setVisible(self.list.count() == 0)
        self.copy_button.setEnabled(self.list.count() > 0)
        self.clear_button.setEnabled(self.list.count() > 0)

    def copy_all(self) -> None:
        to_clipboard(as_text(self.shell.messages.messages))

    def clear(self) -> None:
        self.shell.messages.clear()
        self.list.clear()
        self._update_empty()

    def showEvent(self, event: QEvent) -> None:  # type: ignore[override]
        super().showEvent(event)
        self.list.scrollToBottom()


class MessagesActions(QObject):
    """View > Messages… and the status bar's click on its message, both opening the one log window."""

    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.window: MessagesWindow | None = None
        self.act_messages = make_action(
            "view.messages", shell, self.show_window, tip="Every status bar message of this session"
        )
        shell.add_action(self.act_messages)
        view = next(m for m in shell.menus if m.title().replace("&", "") == "View")
        view.addSeparator()
        view.addAction(self.act_messages)
        self._bar, self._main = shell.status_bar, shell.widget  # as they were: compared while they go
        self._bar.installEventFilter(self)
        self._main.installEventFilter(self)  # the window closed: its log goes with it

    def show_window(self) -> MessagesWindow:
        if self.window is None:
            self.window = MessagesWindow(self.shell)
        self.window.show()
        self.window.raise_()
        self.window.activateWindow()
        return self.window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """A click on the bar's message (left of the readouts) while one shows: the log, where it stays.
        The window closed (hidden, not minimized): the log's window closes too, left open it outlived it."""
        if watched is self._main and event.type() == QEvent.Type.Hide:
            if self.window is not None and not self._main.isVisible():
                self.window.close()
        elif (
            watched is self._bar
            and event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
            and self._bar.currentMessage()
            and event.position().x() < message_room(self._bar)
        ):
            self.show_window()
        return False
