"""A void region (LabelMe's ``__ignore__``, a class made void) is listed in the Annotations panel but not
counted in the Images panel's Objects column: its row says "(void)" and its tooltip why, so 3 objects
beside 4 rows reads as meant. Real window, real hover."""

from __future__ import annotations

import copy

from pixelproof.core.edits import AddAnnotations, ReplaceCategory
from pixelproof.ui.panels.annotations import VOID_TIP
from tests.ui.conftest import list_rows, settle, tip_text, tooltip_of
from tests.ui.test_images_filter import _box


def test_the_row_of_a_void_region_says_void_and_its_tooltip_why(qtbot, window) -> None:
    doc = window.document
    doc.push(AddAnnotations([_box(doc, 1, 1), _box(doc, 1, 1, 1), _box(doc, 1, 2, 2)]))  # cats and a dog
    void = copy.deepcopy(doc.project.categories[2])
    void.app_extra["void"] = True
    doc.push(ReplaceCategory(void, "Make dog void"))
    settle()
    images, listing = window.panels["imagesDock"], window.panels["annotationsDock"].list
    col = images.model.COLUMNS.index("Objects")
    qtbot.waitUntil(lambda: images.model.index(images.model.row_of(1), col).data() == "2", timeout=10000)
    rows = list_rows(listing)
    assert len(rows) == 3
    marked = [it for it in rows if "(void)" in it.text()]
    assert len(marked) == 1 and "dog" in marked[0].text()
    listing.scrollTo(marked[0].index)
    tip = tooltip_of(qtbot, listing.viewport(), listing.visualRect(marked[0].index).center(), "void:")
    assert tip_text(VOID_TIP) in tip_text(tip)
    cat_row = next(it for it in rows if it is not marked[0])
    assert "void" not in cat_row.text() and "void" not in cat_row.toolTip()
