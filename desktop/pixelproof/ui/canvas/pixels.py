"""The canvas's part that puts the current image's pixels up: the loader's answers (the image, a preview of
a big one, too large, failed) replacing the placeholder, an image opened downsampled by the user's choice,
and the window / level (kept by hand for the slices of a series). Mixed into ``CanvasView``, whose state it
uses (``image_id``, ``placeholder``, ``image_item``, ``loaded``, ``loader``, ``_scene``, its signals)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pixelproof.ui.canvas.image_item import ImageItem, to_qimage
from pixelproof.ui.workers import LoadedImage, Preview


class ShownPixels:
    """The image's pixels in the view (see the module's docstring)."""

    def _on_loaded(self, image_id: object, image: LoadedImage) -> None:
        if image_id != self.image_id or self.document is None:
            return
        rec = self.document.project.images[self.image_id]
        if self.placeholder is not None:
            self._scene.removeItem(self.placeholder)
            self.placeholder = None
        if self.image_item is not None:
            self._scene.removeItem(self.image_item)
        self.loaded = image
        image.window = self._kept_window.for_image(image.path, image.window)
        self.image_item = ImageItem(image, self.message.emit)
        self._scene.addItem(self.image_item)
        if (image.width, image.height) != (rec.width, rec.height):
            self.message.emit(
                f"{rec.file_name} is {image.width}x{image.height} px but the project says "
                f"{rec.width}x{rec.height}; annotations use the project's size"
            )
        self.windowChanged.emit(*image.window)
        if image.reduced > 1:
            self.message.emit(
                f"{rec.file_name} is shown downsampled 1/{image.reduced}; labels stay in full-size pixels"
            )
        self.imageShown.emit(self.image_id)

    def _on_preview(self, image_id: object, preview: Preview) -> None:
        """The top of a big image, decoded so far, drawn on the placeholder until the whole image comes."""
        if image_id == self.image_id and self.placeholder is not None and preview.rows > 0:
            image, pixels = to_qimage(preview.pixels[: preview.rows])  # image points into pixels
            self.placeholder.set_preview(image.copy(), preview.scale)  # copied while pixels is alive
            del pixels

    def _on_too_large(self, image_id: object, reason: str, info: object) -> None:
        """A plain image over the pixel limit: say what it costs and let the main window ask."""
        if image_id != self.image_id or self.placeholder is None:
            return
        self.placeholder.set_message(f"Not opened: too large\n\n{info.describe(info.factor())}", error=True)
        self.message.emit(reason)
        self.imageShown.emit(self.image_id)
        self.hugeImage.emit(self.image_id, info)

    def open_reduced(self, image_id: int, k: int) -> None:
        """Open image ``image_id`` downsampled 1/``k`` (the user's choice, kept for this session)."""
        doc = self.document
        if doc is None or image_id != self.image_id or image_id not in doc.project.images:
            return
        path = Path(doc.project.image_path(doc.project.images[image_id]))
        self._reduce[path] = int(k)
        if self.placeholder is not None:
            self.placeholder.set_message(f"Loading {path.name} downsampled 1/{k}…", error=False)
        cached = self.loader.request(image_id, path, int(k))
        if cached is not None:
            self._on_loaded(image_id, cached)

    def _on_failed(self, image_id: object, reason: str) -> None:
        if image_id != self.image_id or self.placeholder is None:
            return
        hint = ""
        if reason.endswith("image file not found"):  # moved or renamed: where to point the project at it
            from pixelproof.ui.shortcuts import REGISTRY

            keys = REGISTRY.text("file.locate_images")
            hint = f"\n\nMoved? File > Locate Missing Images…{f' ({keys})' if keys else ''} finds it"
        self.placeholder.set_message(f"Cannot show this image\n\n{reason}{hint}", error=True)
        self.imageFailed.emit(reason)
        self.imageShown.emit(self.image_id)

    @property
    def is_loading(self) -> bool:
        return (
            self.image_id != -1
            and self.image_item is None
            and not (self.placeholder is not None and self.placeholder.error)
        )

    def set_window(self, lo: float, hi: float) -> None:
        if self.image_item is not None:
            self.image_item.set_window((lo, hi))
            self._kept_window.set(self.image_item.image.path, self.image_item.image.window)
            self.windowChanged.emit(*self.image_item.image.window)

    def auto_window(self) -> None:
        if self.loaded is not None:
            self.set_window(*self.loaded.auto)

    def pixel_value(self, x: int, y: int) -> np.ndarray | None:
        return self.image_item.pixel(x, y) if self.image_item is not None else None
