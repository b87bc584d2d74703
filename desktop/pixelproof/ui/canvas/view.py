"""CanvasView: shows the Document's current image and its annotations, zooms and pans, and hands mouse and
key events (in scene = image-pixel coordinates) to the active tool.

Navigation belongs to the view so every tool gets it for free: wheel = zoom at the cursor or scroll
(``wheel_mode``), Space+drag or middle drag = pan, right drag = window/level, Ctrl+0 / Ctrl+= / Ctrl+-.
The events are routed by ``event_routing.EventRouting``, the zoom and pan done by ``zoom_pan.ZoomAndPan``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene, QGraphicsView, QWidget

from pixelproof.core.edits import ANNOTATION_ADDED, ANNOTATION_REMOVED, Changes
from pixelproof.core.model import Annotation
from pixelproof.core.phases import KeptWindow
from pixelproof.core.volumes import expected_identity
from pixelproof.ui.annotation_batch import change_runs, each_change
from pixelproof.ui.canvas import hit_test, stacking, tag_layout
from pixelproof.ui.canvas.aspect import physical_aspect
from pixelproof.ui.canvas.display_controls import DisplayControls
from pixelproof.ui.canvas.drag_previews import DragPreviews
from pixelproof.ui.canvas.event_routing import EventRouting
from pixelproof.ui.canvas.image_item import ImageItem, PlaceholderItem
from pixelproof.ui.canvas.image_view import setup_image_view
from pixelproof.ui.canvas.items import AnnotationItemMixin, make_item
from pixelproof.ui.canvas.keypoint_layer import KeypointLayer
from pixelproof.ui.canvas.layers import BoxLayer
from pixelproof.ui.canvas.lazy_items import LazyItems
from pixelproof.ui.canvas.marks import HoverMark
from pixelproof.ui.canvas.orientation import OrientationMarks, patient_of
from pixelproof.ui.canvas.overview import Overview
from pixelproof.ui.canvas.pinned_tags import PinnedTags
from pixelproof.ui.canvas.pixels import ShownPixels
from pixelproof.ui.canvas.polygon_layer import LAYER_KINDS, drawn_by_layer, follow_selection, gets_item
from pixelproof.ui.canvas.reveal import DrawnCategories, reveal_selection
from pixelproof.ui.canvas.show_filter import ShowFilter
from pixelproof.ui.canvas.still_pointer import StillPointer
from pixelproof.ui.canvas.tag_items import ItemSpots
from pixelproof.ui.canvas.tag_schedule import TagSchedule
from pixelproof.ui.canvas.window_drag import WindowDrag
from pixelproof.ui.canvas.zoom_pan import ZoomAndPan
from pixelproof.ui.document import Document
from pixelproof.ui.workers import ImageLoader, LoadedImage


class CanvasView(
    EventRouting, TagSchedule, ShownPixels, ZoomAndPan, DisplayControls, DragPreviews, QGraphicsView
):
    """The central widget: one image, its annotations, and the active tool."""

    cursorMoved = Signal(object)  # QPointF in image pixels, or None when off the image
    zoomChanged = Signal(float)
    imageShown = Signal(object)  # image id, once its pixels (or its placeholder with a reason) are up
    windowChanged = Signal(float, float)
    message = Signal(str)  # short status-bar notes
    imageFailed = Signal(str)  # why the image cannot be shown (not found, not readable): a warning
    annotationsShown = Signal(bool)  # every annotation drawn (True) or none (``set_show_annotations``)
    objectsHidden = Signal(int)  # how many objects Shift+H hides one by one (``set_hidden_objects``)
    categoriesHidden = Signal()  # Masks > Show Categories hides other categories (``set_hidden_categories``)
    toolChanged = Signal()
    objectMenuAsked = Signal(object)  # a right click (no drag) at this viewport point: ``ui.object_menu``
    hintChanged = Signal()  # the tool's status-bar line (``Tool.target_text``) changed, e.g. a measurement
    hugeImage = Signal(object, object)  # image id, core.reduced.HugeImage: over the pixel limit, ask the user

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("canvas")
        self._scene = QGraphicsScene(self)
        self._scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.BspTreeIndex)
        setup_image_view(self, self._scene)
        # R/L A/P S/I at the edges of a placed slice
        self.orientation_marks = OrientationMarks(self, lambda: patient_of(self.loaded))
        self.imageShown.connect(lambda _id: self.orientation_marks.follow())
        self.overview = Overview(self)  # the whole image, the part in view outlined, while zoomed in
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.MinimalViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontAdjustForAntialiasing, True)
        self.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("Image canvas")
        self.setAccessibleDescription(
            "The current image and its annotations; Help > Shortcuts lists the keys"
        )
        self.setDragMode(QGraphicsView.DragMode.NoDrag)
        self.document: Document | None = None
        # the image list D / A walk (the window's Images panel, as filtered; None: file order): read ahead
        self.listed_images: Callable[[], Sequence[int] | None] = lambda: None
        self.loader = ImageLoader(self)
        self.loader.loaded.connect(self._on_loaded)
        self.loader.failed.connect(self._on_failed)
        self.loader.preview.connect(self._on_preview)
        self.loader.too_large.connect(self._on_too_large)
        self._reduce: dict[Path, int] = {}  # plain images the user chose to open downsampled, and how
        self.image_item: ImageItem | None = None
        self.placeholder: PlaceholderItem | None = None
        self.shown_path: Path | None = None  # the file the current image is read from
        self.loaded: LoadedImage | None = None
        # the items made so far; boxes, polygons, masks stay in ``box_layer`` until something looks them up
        self.items_by_id: dict[int, AnnotationItemMixin] = LazyItems(self._materialize, self._in_layer)
        self.box_layer: BoxLayer | None = None
        self.not_shown: list[str] = []  # why the image shown has masks not drawn (``_show_image``)
        self.keypoints: KeypointLayer | None = None  # the shown image's objects' keypoints
        # this canvas's display settings, its own window's (``set_hidden_categories``, ``set_fill_opacity``,
        # ``set_score_cut``): another window keeps its own
        self.show_filter = ShowFilter()
        self.hover: HoverMark | None = None  # the object a click would pick, outlined (select tool)
        self.pinned: PinnedTags | None = None  # cut tags of objects in the window, kept inside its edge
        self.hover_at: QPoint | None = None  # where the pointer rests for the mark (``stacking.rehover``)
        # shows a hidden category again when an edit moves objects into it
        self._drawn = DrawnCategories(self)
        self._added: list[int] = []  # objects of the shown image an edit added: ``_restack`` places them
        self.image_id = -1
        self.show_labels = True
        self.tags_unselected = True  # False: only the selected and hovered objects' tags (``tag_actions``)
        self._tags_dirty = False  # the tags are placed again at the next ``flush_tags``
        self.tag_region: QRectF | None = None  # where they were placed (``tag_layout``)
        self.tag_placement: tag_layout.Placement | None = None  # and how: the next layout starts from it
        self.tag_spots = ItemSpots()  # each item's tag as measured for the layout, until it changes
        self.keep_zoom = False
        self.tool = None  # ui.tools.base.Tool
        self.pointer_at: QPoint | None = None  # over the viewport (None: left it): a brush's ring goes there
        self._pointer_global = QPointF()  # the same on the screen: it stays there as docks move the canvas
        StillPointer(self)  # where a resting pointer is again after docks move the canvas
        self._pan_from: QPoint | None = None
        self._space_down = False
        # right drag = window / level; a right click: the objects' menu (``ui.object_menu``)
        self.window_drag = WindowDrag(self.set_window, self.objectMenuAsked.emit)
        self._fitted = True  # refit on resize until the user zooms or pans
        self.zoom_mode = "fit"  # or "fill": how D / A show the next image ('': zoomed by hand; ``zoom_pan``)
        self._kept_window = KeptWindow()  # a window set by hand stays for the slices of its series
        physical_aspect().changed.connect(self.aspect_switched)  # View > Pixels at Physical Aspect

    # -- document --------------------------------------------------------------------------------
    def set_document(self, doc: Document | None) -> None:
        if self.document is not None:
            for sig, slot in self._connections():
                sig.disconnect(slot)
        if self.tool is not None:
            self.tool.cancel()
        self.document = doc
        self.loader.forget()
        self.loader.apply_exif = doc is None or doc.project.applies_exif
        self._clear()
        if doc is not None:
            for sig, slot in self._connections():
                sig.connect(slot)
            if doc.current_image_id != -1:
                self._show_image(doc.current_image_id)

    def _connections(self) -> list:
        d = self.document
        return [
            (d.currentImageChanged, self._show_image),
            (d.annotationAdded, self._on_added),
            (d.annotationChanged, self._on_changed),
            (d.annotationRemoved, self._on_removed),
            (d.annotationsBatch, self._on_batch),
            (d.editAnnounced, self._restack),
            (d.annotationsRestacked, self._restacked),
            (d.selectionChanged, self._on_selection),
            (d.categoriesChanged, self._resync_all),
            (d.imagesChanged, self._file_moved),
        ]

    def _file_moved(self) -> None:
        """A relocation (or its undo): the current image's pixels come from another file now."""
        rec = self.document.project.images.get(self.image_id)
        if rec is not None and self.document.project.image_path(rec) != self.shown_path:
            self._show_image(self.image_id)

    def _clear(self) -> None:
        self._scene.clear()
        self.items_by_id.clear()
        self.not_shown = []
        self.box_layer = None
        self.keypoints = None
        self.hover = None
        self.pinned = None
        self.hover_at = None
        self.image_item = None
        self.placeholder = None
        self.loaded = None
        self.image_id = -1
        self._added = []
        self.overview.follow()  # no image (a project closed): none to outline

    # -- image -----------------------------------------------------------------------------------
    def _show_image(self, image_id: int) -> None:
        keep = self.keep_zoom and self.image_id != -1 and not self._fitted
        center = self.mapToScene(self.viewport().rect().center())
        zoom = self.zoom
        if self.tool is not None:
            if self.image_id not in (-1, image_id):
                self.tool.leave_image()  # a half-drawn polygon is closed on its image, not lost
            self.tool.cancel()
        resting = self.hover_at  # the pointer stays: the new image's object there is marked at once
        self._clear()
        doc = self.document
        if doc is None or image_id not in doc.project.images:
            return
        self.image_id = image_id
        rec = doc.project.images[image_id]
        self.placeholder = PlaceholderItem(rec.width, rec.height, f"Loading {rec.file_name}…")
        self._scene.addItem(self.placeholder)
        self.box_layer = BoxLayer(doc.project.categories.get, self.show_filter)
        self.box_layer.image_size = (rec.height, rec.width)  # its masks' pixels (``mask_layer``)
        self.box_layer.tags.set_enabled(self.show_labels)
        self.box_layer.tags.unselected = self.tags_unselected
        self.box_layer.tags.relayout = self.flush_tags
        self.box_layer.tags.on_change = self.tags_changed
        for part in self.box_layer.parts():
            self._scene.addItem(part)
        self.keypoints = KeypointLayer(rec, doc.project.categories.get, self.show_filter)
        self._scene.addItem(self.keypoints)
        self.hover = HoverMark()
        self.hover.set_zoom(self.zoom)
        self._scene.addItem(self.hover)
        self._scene.addItem(self.hover.tag)
        self.pinned = PinnedTags(self)
        self._scene.addItem(self.pinned)
        self.hover_at = resting
        self._set_scene_rect(rec.width, rec.height)
        boxes = []
        for ann in (anns := doc.project.annotations_of(image_id)):
            if ann.kind in LAYER_KINDS:
                boxes.append(ann)
            else:
                self._add_item(ann)
        self.keypoints.add_many(anns)
        self.not_shown = self.box_layer.add_many(boxes)  # masks over the pixel limit: not shown, and said
        for why in self.not_shown:
            self.message.emit(f"not shown: {why}")
        self._drawn.reset(anns)  # loading an image shows no hidden category again
        self._on_selection()
        self.follow_aspect(rec.extra.get("pixel_spacing"), refit=False)  # its pixels' aspect, fitted below
        if keep:
            mode = self.zoom_mode  # a Fill Window panned along stays the mode without Keep Zoom
            self.set_zoom(zoom)
            self.centerOn(center)
            self.zoom_mode = mode
        else:
            self.apply_zoom_mode()
        path = self.shown_path = doc.project.image_path(rec)
        cached = self.loader.request(
            image_id, path, self._reduce.get(Path(path)), expected_identity(rec.extra)
        )
        if cached is not None:
            self._on_loaded(image_id, cached)
        self.read_ahead()

    def read_ahead(self) -> None:
        """Preload the images D and A go to in the listed images (a filter change changes them)."""
        if self.document is None:
            return
        for neighbour in self.document.neighbours(self.image_id, self.listed_images()):
            path = self.document.project.image_path(neighbour)
            if Path(path) not in self._reduce:
                self.loader.prefetch(path, expected_identity(neighbour.extra))

    def _set_scene_rect(self, w: int, h: int) -> None:
        # room around the image so it can be panned to any edge of the window
        m = max(w, h, 1) * 4
        self._scene.setSceneRect(QRectF(-m, -m, w + 2 * m, h + 2 * m))
        if self.box_layer is not None:
            self.box_layer.tags.set_scene_rect(self._scene.sceneRect())
            self.box_layer.tags.image_width = w  # its tags end there (``edge_shift``)

    def image_size(self) -> tuple[int, int]:
        """(height, width) of the current image as the project records it."""
        rec = self.document.project.images.get(self.image_id) if self.document else None
        return (rec.height, rec.width) if rec else (0, 0)

    # -- annotation items ------------------------------------------------------------------------
    def _category(self, ann: Annotation):
        return self.document.project.categories.get(ann.category_id)

    def _add_item(self, ann: Annotation) -> None:
        if ann.kind in LAYER_KINDS and self.box_layer is not None:
            self.box_layer.add(ann)
            return
        self._make_item(ann)

    def _make_item(self, ann: Annotation) -> AnnotationItemMixin:
        item = make_item(ann, self._category(ann), self.image_size(), self.show_labels, self.show_filter)
        dict.__setitem__(self.items_by_id, ann.id, item)
        self._scene.addItem(item)  # type: ignore[arg-type]
        if getattr(item, "too_big", ""):
            self.message.emit(f"not shown: {item.too_big}")  # type: ignore[attr-defined]
        return item

    def _in_layer(self, ann_id: int) -> bool:
        return self.box_layer is not None and ann_id in self.box_layer.boxes

    def _materialize(self, ann_id: int) -> AnnotationItemMixin | None:
        """The box's, polygon's or mask's own item (handles, drag previews, brush edits), made the first time
        anything asks."""
        ann = self.document.project.annotations.get(ann_id) if self.document is not None else None
        if ann is None or not self.box_layer.remove(ann_id):
            return None
        item = self._make_item(ann)
        item.set_selected_look(self.document.is_selected(ann_id))
        return item

    def _on_added(self, image_id: int, ann_id: int) -> None:
        if image_id == self.image_id:
            ann = self.document.project.annotations[ann_id]
            self.tags_changed()
            self._add_item(ann)
            self.keypoints.update_object(ann)
            self._drawn.added(ann)
            self._added.append(ann_id)

    def _on_batch(self, changes: Changes) -> None:
        """A run of objects added to the shown image goes into the layer at once (``BoxLayer.add_many``), a
        run removed from it out at once: one per object redrew the layer's tags and bounds each time (20,000
        pasted boxes, their undo and redo: ~0.4 s of the step). Anything else as its own signal would."""
        for kind, run in change_runs(changes):
            if kind == ANNOTATION_ADDED and run[0].image_id == self.image_id:
                self._add_run([self.document.project.annotations[c.annotation_id] for c in run])
            elif kind == ANNOTATION_REMOVED and run[0].image_id == self.image_id:
                self._remove_run([c.annotation_id for c in run])
            else:
                each_change(run, self._on_added, self._on_changed, self._on_removed)

    def _add_run(self, anns: list[Annotation]) -> None:
        """``_on_added`` for each of ``anns`` (all of the shown image), the layer's in one go."""
        self.tags_changed()
        layered = [a for a in anns if a.kind in LAYER_KINDS] if self.box_layer is not None else []
        if self.keypoints is not None:
            self.keypoints.add_many(anns)
        if layered:
            self.box_layer.add_many(layered)  # what is over the pixel limit is not said, as ``add`` did not
        for ann in anns:
            if self.box_layer is None or ann.kind not in LAYER_KINDS:
                self._make_item(ann)
            self._drawn.added(ann)
            self._added.append(ann.id)

    def _remove_run(self, ann_ids: list[int]) -> None:
        """``_on_removed`` for each of ``ann_ids`` (all of the shown image), the layer's in one go."""
        self.tags_changed()
        if self.hover is not None and self.hover.ann_id in ann_ids:
            stacking.mark_hovered(self, None)
        in_layer = []
        for ann_id in ann_ids:
            item = self.items_by_id.pop(ann_id, None)
            if item is not None:
                self._scene.removeItem(item)  # type: ignore[arg-type]
            else:
                in_layer.append(ann_id)
        if self.box_layer is not None:
            self.box_layer.remove_many(in_layer)
        if self.keypoints is not None:
            self.keypoints.remove(ann_ids)

    def _restack(self) -> None:
        """Stack what the edit just made added where the image's order puts it (``stacking.restack``). The
        tags are placed once, by the selection the undo step sets next, else before the next frame."""
        added, self._added = self._added, []
        stacking.restack(self, added)
        stacking.rehover(self)  # what a click at the still pointer takes now
        if self.tool is not None:
            self.tool.follow()  # e.g. the selected polygon's vertex handles where an undo put its vertices

    def _restacked(self, image_id: int) -> None:
        if image_id == self.image_id:  # Bring to Front / Send to Back
            stacking.follow_order(self)

    def _on_changed(self, image_id: int, ann_id: int) -> None:
        ann = self.document.project.annotations[ann_id]
        self.tags_changed()
        if image_id != self.image_id:
            self._drawn.moved_elsewhere(ann, self.document.moved_from.get(ann_id))
            return
        self._drawn.changed(ann)
        self.keypoints.update_object(ann)
        if self.hover is not None and self.hover.ann_id == ann_id:
            stacking.mark_hovered(self, None)  # moved or reshaped: marked again once the edit is out
        if self._in_layer(ann_id) and ann.kind in LAYER_KINDS:
            self.box_layer.update_box(ann)
            if ann.kind == "box" or not gets_item(self, ann_id):
                return  # a selected box that became a polygon gets its item (``follow_selection``), below
        item = self.items_by_id.get(ann_id)
        if item is not None and ann.kind == "mask" and drawn_by_layer(self, ann, item):
            # made large (a wand fill, a stroke growing a small mask, their undo or redo): back to the layer,
            # drawn selected from its reduced copy or a window, before its item decodes its whole new box
            follow_selection(self, set(self.document.selection))
            return
        if item is not None and item.kind == ann.kind:
            item.sync(ann, self._category(ann), self.show_labels)
        else:
            self._on_removed(image_id, ann_id)
            self._add_item(ann)
            self._added.append(ann_id)  # its place among the others: ``_restack``
            item = self.items_by_id[ann_id]
            item.set_selected_look(self.document.is_selected(ann_id))

    def _on_removed(self, image_id: int, ann_id: int) -> None:
        self.tags_changed()
        if self.hover is not None and self.hover.ann_id == ann_id:
            stacking.mark_hovered(self, None)
        item = self.items_by_id.pop(ann_id, None)
        if item is not None:
            self._scene.removeItem(item)  # type: ignore[arg-type]
        elif self.box_layer is not None:
            self.box_layer.remove(ann_id)
        if self.keypoints is not None and image_id == self.image_id:
            self.keypoints.remove([ann_id])

    def _on_selection(self) -> None:
        """Selected boxes of the layer stay there (it draws them selected, with handles): select all of
        thousands of boxes makes no item; a selected polygon has its item (its vertex handles). Nothing is
        selected out of sight (``reveal_selection``)."""
        reveal_selection(self)
        sel = set(self.document.selection) if self.document else set()
        follow_selection(self, sel)  # a selected polygon has its own item, an unselected one none
        if self.box_layer is not None:
            self.box_layer.set_selected(sel)
        if self.keypoints is not None:
            self.keypoints.set_selected(sel)
        for ann_id, item in self.items_by_id.items():
            item.set_selected_look(ann_id in sel)
        tag_layout.flush(self, True)  # the selected objects' tags and handles first
        stacking.rehover(self)  # the selection first: a click at the still pointer may take another
        if self.tool is not None:
            self.tool.follow()

    def made_item(self, ann_id: int) -> AnnotationItemMixin | None:
        """The item of ``ann_id`` if it has one, without making one for a box of the layer."""
        return dict.get(self.items_by_id, ann_id)

    def set_hovered(self, ann_id: int | None, at: QPoint | None = None) -> None:
        """Outline ``ann_id`` as the object a click at the cursor would pick (the select tool passes what
        ``annotation_at`` found at ``at``, asked again there when the objects or the selection change:
        ``stacking.rehover``), or nothing (the pointer left, a press, another tool)."""
        self.hover_at = at
        stacking.mark_hovered(self, ann_id)
        self.pin_tags()  # its tag, shown even where thinned out, kept in the window

    def _resync_all(self) -> None:
        stacking.mark_hovered(self, None)  # its colour, or whether it is shown, may have changed
        if self.document is None:
            return
        for ann_id, item in self.items_by_id.items():
            ann = self.document.project.annotations[ann_id]
            item.sync(ann, self._category(ann), self.show_labels)
        if self.box_layer is not None:
            self.box_layer.restyle()
        if self.keypoints is not None:  # a category's colour, keypoint names or skeleton
            self.keypoints.add_many(self.document.project.annotations_of(self.image_id))
        tag_layout.flush(self, True)
        stacking.rehover(self)

    def set_show_labels(self, show: bool) -> None:
        self.show_labels = show
        if self.box_layer is not None:
            self.box_layer.tags.set_enabled(show)
            self.box_layer.tags.unselected = self.tags_unselected
        self._resync_all()

    def set_tags_of_unselected(self, on: bool) -> None:
        """Off: only the selected and the hovered objects are named (``tag_layout`` places no other tag)."""
        self.tags_unselected = on
        self.set_show_labels(self.show_labels)

    def refresh_display(self) -> None:
        """Re-apply the display settings (fill opacity, hidden categories, prediction score) to every
        annotation shown, items and layer alike; what they now hide leaves the selection (Delete or an arrow
        would act on objects out of sight)."""
        stacking.mark_hovered(self, None)
        for item in self.items_by_id.values():
            item.refresh_display()
        if self.box_layer is not None:
            self.box_layer.restyle()
        if self.keypoints is not None:
            self.keypoints.update()
        doc = self.document
        if doc is not None and doc.selection:
            anns = doc.project.annotations
            doc.set_selection(i for i in doc.selection if self.show_filter.shows_annotation(anns[i]))
        tag_layout.flush(self, True)
        stacking.rehover(self)  # a hidden object is no longer what a click there takes

    def annotation_at(self, view_pos: QPoint) -> tuple[int | None, str | None]:
        """(id, handle name) under ``view_pos`` (``hit_test.annotation_at``)."""
        return hit_test.annotation_at(self, view_pos)

    def annotations_in(self, rect: QRectF) -> list[int]:
        """Annotations touching a scene rectangle (``hit_test.annotations_in``)."""
        return hit_test.annotations_in(self, rect)

    def add_overlay(self, item: QGraphicsItem) -> None:
        """Tool previews (rubber band, box being drawn): drawn above everything, not annotations."""
        item.setZValue(100)
        self._scene.addItem(item)

    def remove_overlay(self, item: QGraphicsItem) -> None:
        if item.scene() is self._scene:
            self._scene.removeItem(item)

    # -- zoom and pan: ``ZoomAndPan``; the tags placed again: ``TagSchedule``; events: ``EventRouting``
    def scrollContentsBy(self, dx: int, dy: int) -> None:
        """The picture moved under the pointer (a pan, a scroll bar, a zoom): the mark is asked again there
        (``stacking.rehover``), as after an edit; it stayed on what the last mouse move had found."""
        super().scrollContentsBy(dx, dy)
        if self.box_layer is not None and not tag_layout.covers(self):  # the tags out there placed too
            self.tags_changed()  # before the next frame
        stacking.rehover(self)
        self.pin_tags()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._fitted:
            self.apply_zoom_mode()
        self.pin_tags()
