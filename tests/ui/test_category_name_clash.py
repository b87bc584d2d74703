"""The Categories panel's Add and Rename refuse a name that is another class's but for case: QA pairs
classes and the Images filter's ``class:`` finds them without case, so 'Dog' beside 'dog' was two classes
here and one there."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QMessageBox

from tests.ui.conftest import click_button, click_item


def test_add_and_rename_refuse_another_class_name_in_other_case(qtbot, window, monkeypatch) -> None:
    panel = window.panels["categoriesDock"]
    doc = window.document
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", staticmethod(lambda _p, _t, text, *a: said.append(text)))
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda _p, _t, text, *a: said.append(text)))
    typed = iter(["DOG", "Dog", "Cat"])
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: (next(typed), True)))
    click_button(panel.buttons["add"])  # "DOG" beside "dog"
    assert said and "“dog”" in said[-1]
    assert [c.name for c in doc.project.categories.values()] == ["cat", "dog"]
    click_item(panel.tree, panel.tree.topLevelItem(0))  # cat
    click_button(panel.buttons["rename"])  # to "Dog"
    assert len(said) == 2 and "'dog'" in said[-1]
    assert [c.name for c in doc.project.categories.values()] == ["cat", "dog"]
    assert not doc.undo_stack.canUndo()
    click_button(panel.buttons["rename"])  # its own name in other case: renamed, one undo step
    assert [c.name for c in doc.project.categories.values()] == ["Cat", "dog"]
    doc.undo_stack.undo()
    assert [c.name for c in doc.project.categories.values()] == ["cat", "dog"]
