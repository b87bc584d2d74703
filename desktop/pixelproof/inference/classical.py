"""Weight-free backends: GrabCut (box -> mask), threshold + watershed (instances), cascade detector.

They need no model download, so pre-labeling works on a fresh install and on plain-background data
(coins, cells, defects) where a classical method is good enough.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import cv2
import numpy as np

from pixelproof.core import masks
from pixelproof.inference.base import (
    CLI_OPTIONS,
    Backend,
    BackendError,
    ModelLoadError,
    Prediction,
    Prompt,
    PromptError,
    check_file,
    crop_prediction,
    parse_bool,
    parse_int,
)
from pixelproof.inference.rgb8_input import as_rgb8


def _gray8(image: np.ndarray, window: tuple[float, float] | None = None) -> np.ndarray:
    rgb = as_rgb8(image, window)
    return cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)


def _gray(image: np.ndarray) -> np.ndarray:
    """What the threshold sees: the stored values of a single-channel image that is not 8-bit (HU for CT,
    so ``threshold=300`` means 300 HU), else 8-bit gray."""
    if image.ndim == 2 and image.dtype != np.uint8:
        return image.astype(np.float32)  # NaN / inf kept: ``_finite`` sets them aside
    return _gray8(image)


def _finite(gray: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """``gray`` with its NaN and infinite pixels (a float slide's no-data padding, a failed measurement)
    set to the median of the others, and the mask of the finite ones (None when all are): such pixels take
    no part in the level and are never an object. Made 0 and 3.4e38 as before, they stretched Otsu's
    histogram past what it can bin, and the image failed."""
    if gray.dtype.kind != "f":
        return gray, None
    finite = np.isfinite(gray)
    if finite.all():
        return gray, None
    fill = float(np.median(gray[finite])) if finite.any() else 0.0
    return np.where(finite, gray, np.float32(fill)), finite


def _positive_int(name: str, value: Any, minimum: int = 0) -> int:
    v = parse_int(name, value)
    if v < minimum:
        raise BackendError(f"{name} must be >= {minimum}, got {v}")
    return v


MARGIN_FRACTION = 0.1  # of the box's larger side
MARGIN_MIN = 16  # px


def crop_around(
    box: tuple[int, int, int, int], points: list[tuple[int, int]], width: int, height: int, radius: int = 0
) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the region GrabCut sees: the box and its points (+ their seed discs), with a
    margin of 10% of the box's larger side (at least 16 px) for the background model, clamped to the
    picture."""
    x0, y0, x1, y1 = box
    for px, py in points:
        x0, y0 = min(x0, px - radius), min(y0, py - radius)
        x1, y1 = max(x1, px + radius + 1), max(y1, py + radius + 1)
    m = max(MARGIN_MIN, int(np.ceil(MARGIN_FRACTION * max(box[2] - box[0], box[3] - box[1]))))
    return max(0, x0 - m), max(0, y0 - m), min(width, x1 + m), min(height, y1 + m)


class GrabCutBackend(Backend):
    """Interactive: a box (plus optional +/- points) around one object -> its mask, via cv2.grabCut."""

    name = "grabcut"
    kind = "interactive"
    options: ClassVar[dict[str, str]] = {
        "category": 'category name of the result (default "object")',
        "iterations": "GrabCut iterations (default 5)",
        "point_radius": "radius in px of the seed disc drawn at each +/- point (default 3)",
    }

    def __init__(self) -> None:
        super().__init__()
        self.category = "object"
        self.iterations = 5
        self.point_radius = 3
        self._shown: tuple[np.ndarray, Any, np.ndarray] | None = None  # (picture, window, its 8-bit RGB)

    def _set_iterations(self, value: Any) -> None:
        self.iterations = _positive_int("grabcut: iterations", value, 1)

    def _set_point_radius(self, value: Any) -> None:
        self.point_radius = _positive_int("grabcut: point_radius", value, 1)

    def categories(self) -> list[str]:
        return [self.category]

    def _rgb8(self, image: np.ndarray) -> np.ndarray:
        """``as_rgb8`` of the picture, made once for the boxes of one picture (a gray or 16-bit slide
        converted whole per box cost its size each time)."""
        shown = self._shown
        if shown is None or shown[0] is not image or shown[1] != self.display_window:
            shown = self._shown = (image, self.display_window, as_rgb8(image, self.display_window))
        return shown[2]

    def predict(self, image: np.ndarray, prompt: Prompt | None = None) -> list[Prediction]:
        if prompt is None or prompt.box is None:
            raise PromptError("grabcut needs a box around the object (drag a box)")
        h, w = image.shape[:2]
        x, y, bw, bh = prompt.box
        x0, y0 = max(0, int(np.floor(x))), max(0, int(np.floor(y)))
        x1, y1 = min(w, int(np.ceil(x + bw))), min(h, int(np.ceil(y + bh)))
        if x1 - x0 < 2 or y1 - y0 < 2:
            raise PromptError("grabcut: the box is outside the image or thinner than 2 px")
        # GrabCut on the box and a margin of background, not the whole picture: the background model
        # sees what surrounds the object (the outline agrees with a whole-picture run, IoU >= 0.98 on
        # most shelf boxes) and 49 boxes of a shelf photo take seconds, not a minute
        cx0, cy0, cx1, cy1 = crop_around(
            (x0, y0, x1, y1), [(round(px), round(py)) for px, py in prompt.points], w, h, self.point_radius
        )
        rgb = self._rgb8(image)  # the whole picture's percentiles, as the display's
        bgr = np.ascontiguousarray(rgb[cy0:cy1, cx0:cx1, ::-1])
        seed = np.full((cy1 - cy0, cx1 - cx0), cv2.GC_BGD, np.uint8)
        seed[y0 - cy0 : y1 - cy0, x0 - cx0 : x1 - cx0] = cv2.GC_PR_FGD
        for (px, py), label in zip(prompt.points, prompt.labels, strict=True):
            value = cv2.GC_FGD if label == 1 else cv2.GC_BGD
            cv2.circle(seed, (round(px) - cx0, round(py) - cy0), self.point_radius, int(value), -1)
        bgd = np.zeros((1, 65), np.float64)
        fgd = np.zeros((1, 65), np.float64)
        # its GMMs start from k-means with OpenCV's random generator: seed it, so a box gives the same
        # mask whatever was segmented before in this process (batch outputs equal on any worker split)
        cv2.setRNGSeed(0)
        try:
            cv2.grabCut(bgr, seed, None, bgd, fgd, self.iterations, cv2.GC_INIT_WITH_MASK)
        except cv2.error as e:  # e.g. every pixel seeded as one class
            raise BackendError(f"grabcut: {e.err or e}") from None
        local = (seed == cv2.GC_FGD) | (seed == cv2.GC_PR_FGD)
        # the mask's own box of pixels, placed by ``offset``: a shelf of 200 boxes on a 50-megapixel
        # photo holds 200 small masks, not 200 pictures' worth (10 GB)
        found = crop_prediction(self.category, 1.0, local, origin=(cx0, cy0))
        return [found] if found is not None else []


def distance_map(fg: np.ndarray) -> np.ndarray:
    """Each foreground pixel's exact Euclidean distance to the nearest background pixel (outside the
    array is not background), as ``scipy.ndimage.distance_transform_edt`` gives it, by OpenCV's exact
    transform: ~10x less CPU on a slide's 2048-px tiles, where scipy's was half of the split's time.
    OpenCV's float32 is taken back to the integer squared distance and its float64 root, scipy's own
    value up to 1,000 px from the background, so the peaks and the watershed see scipy's order and ties."""
    dist = cv2.distanceTransform(fg.astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE).astype(np.float64)
    np.square(dist, out=dist)
    np.rint(dist, out=dist)
    return np.sqrt(dist, out=dist)


def ridge_markers(dist: np.ndarray, fg: np.ndarray, peaks: np.ndarray) -> np.ndarray:
    """Watershed markers: one per flat ridge of the distance map that holds a peak, the whole ridge.

    An object of even width (a scratch 2 px wide and 15 long, a rectangle) has one flat ridge of equal
    distance along its middle; ``peak_local_max`` puts a peak every ``min_distance`` px on it, and each
    peak its own marker cut a 15x2 scratch into three objects. Touching blobs keep a peak each: a saddle
    lies between their maxima. Two pixels next to each other that are both the largest of their 3x3 are
    equal, so the 8-connected parts of such pixels are flat ridges."""
    from scipy import ndimage as ndi

    flat = fg & (dist == ndi.maximum_filter(dist, size=3))
    ridges, _ = ndi.label(flat, structure=np.ones((3, 3), bool))
    at_peaks = ridges[tuple(peaks.T)] if len(peaks) else np.zeros(0, np.int32)
    _, first = np.unique(at_peaks, return_index=True)
    order = at_peaks[np.sort(first)]  # numbered in the peaks' order, as one marker a peak was: the
    order = order[order > 0]  # objects come out in the order they always did
    lut = np.zeros(int(ridges.max()) + 1, np.int32)
    lut[order] = np.arange(1, len(order) + 1, dtype=np.int32)
    return lut[ridges]


class ThresholdBackend(Backend):
    """Segment: global threshold (Otsu or manual), then distance-transform watershed to split touching
    objects -> one mask per object. Suits objects on a plain background (coins, cells, defects)."""

    name = "threshold"
    kind = "segment"
    options: ClassVar[dict[str, str]] = {
        "category": 'category name of every object (default "object")',
        "threshold": '"otsu" (default) or a level: 0..255 on 8-bit images, stored values (e.g. HU) on '
        "others; with background_radius, how far an object stands out from the background",
        "polarity": '"auto" (background = what touches the border), "bright" or "dark" objects',
        "min_area": "drop objects smaller than this many pixels (default 30)",
        "min_distance": "minimum distance in px between two object centres for splitting (default 7)",
        "background_radius": "subtract a smooth background (opening with a disc of this radius, px) "
        "before thresholding, for uneven lighting; 0 = off (default)",
        "split": "split touching objects with the watershed (default true)",
    }

    def __init__(self) -> None:
        super().__init__()
        self.category = "object"
        self.threshold: str | float = "otsu"
        self.polarity = "auto"
        self.min_area = 30
        self.min_distance = 7
        self.background_radius = 0
        self.split = True
        self.last_level: tuple[float, float, float] | None = None  # (level, min, max) of the last image

    def _set_threshold(self, value: Any) -> None:
        if isinstance(value, str) and value.strip().lower() == "otsu":
            self.threshold = "otsu"
            return
        try:
            t = float(value)
        except (TypeError, ValueError):
            raise BackendError(f'threshold: must be "otsu" or a number, got {value!r}') from None
        if not np.isfinite(t):
            raise BackendError(f"threshold: must be a finite number, got {t}")
        self.threshold = t  # 0..255 on 8-bit images, stored units (e.g. HU) on others

    def _set_polarity(self, value: Any) -> None:
        if value not in ("auto", "bright", "dark"):
            raise BackendError(f'threshold: polarity must be "auto", "bright" or "dark", got {value!r}')
        self.polarity = value

    def _set_min_area(self, value: Any) -> None:
        self.min_area = _positive_int("threshold: min_area", value)

    def _set_min_distance(self, value: Any) -> None:
        self.min_distance = _positive_int("threshold: min_distance", value, 1)

    def _set_background_radius(self, value: Any) -> None:
        self.background_radius = _positive_int("threshold: background_radius", value)

    def _set_split(self, value: Any) -> None:
        self.split = parse_bool("threshold: split", value)

    def categories(self) -> list[str]:
        return [self.category]

    def nothing_found(self) -> str:
        level = "the Otsu level" if self.threshold == "otsu" else f"threshold {self.threshold:g}"
        side = {"auto": "set apart from the background by", "bright": "above", "dark": "at or below"}
        return (
            f"no region {side[self.polarity]} {level}; try --option threshold=LEVEL, polarity=dark|bright "
            "or background_radius=R"
        )

    def specks_hint(self, set_with: str = CLI_OPTIONS) -> str:
        seen = self.last_level
        level = "the Otsu level" if self.threshold == "otsu" else f"threshold {self.threshold:g}"
        if seen and self.threshold == "otsu":
            level += f" {round(seen[0], 1):g}"
        r = self.background_radius
        if r > 0:  # the level is on the picture less its smooth background, not on its stored values
            less = f"the picture less its background (background_radius={r}"
            used = (
                f"{less}: values {round(seen[1], 1):g}..{round(seen[2], 1):g} in the last image)"
                if seen
                else f"{less})"
            )
            return (
                f"{level} on {used} cuts background noise into specks; set one above the noise "
                f"{set_with} threshold=VALUE (how far a defect stands out from the background, in stored "
                "values), or a larger min_area"
            )
        used = f" (on values {seen[1]:g}..{seen[2]:g} in the last image)" if seen else ""
        return (
            f"{level}{used} cuts background noise into specks; set one between the background and the "
            f"defects {set_with} threshold=VALUE (in the image's stored values), or background_radius=R"
        )

    def foreground(self, image: np.ndarray) -> np.ndarray:
        """Boolean mask of all object pixels (before splitting into instances)."""

        gray, finite = _finite(_gray(image))
        if finite is not None and not finite.any():
            return np.zeros(gray.shape, dtype=bool)  # no value at all: nothing to tell apart
        bright = self.polarity == "bright"
        if self.polarity == "auto":
            bright = None
        if self.background_radius > 0:
            r = self.background_radius
            kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
            if bright is None:  # decide on the raw image, before the background is removed
                bright = self._objects_are_bright(gray, self._level(gray))
            op = cv2.MORPH_OPEN if bright else cv2.MORPH_CLOSE
            bg = cv2.GaussianBlur(cv2.morphologyEx(gray, op, kernel), (0, 0), r / 2)
            gray = cv2.subtract(gray, bg) if bright else cv2.subtract(bg, gray)
            bright = True
        level = self._level(gray if finite is None else gray[finite])
        # the level and the values it cut, said by ``specks_hint`` (with background_radius: the values less
        # the background, which the level is compared with)
        self.last_level = (level, float(gray.min()), float(gray.max()))
        if bright is None:
            bright = self._objects_are_bright(gray, level)
        fg = gray > level if bright else gray <= level
        if finite is not None:
            fg &= finite
        return masks.fill_holes(fg)

    def _level(self, gray: np.ndarray) -> float:
        if self.threshold == "otsu":
            from skimage.filters import threshold_otsu

            return float(threshold_otsu(gray)) if gray.min() != gray.max() else float(gray.min())
        return float(self.threshold)

    @staticmethod
    def _objects_are_bright(gray: np.ndarray, level: float) -> bool:
        border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
        return bool(np.mean(border > level) < 0.5)  # the border is mostly background

    def predict(self, image: np.ndarray, prompt: Prompt | None = None) -> list[Prediction]:
        from scipy import ndimage as ndi

        fg = self.foreground(image)
        labels, n = ndi.label(fg)
        if n == 0:
            return []
        if self.split:
            from skimage.feature import peak_local_max
            from skimage.segmentation import watershed

            dist = distance_map(fg)
            peaks = peak_local_max(dist, min_distance=self.min_distance, labels=labels, exclude_border=False)
            markers = ridge_markers(dist, fg, peaks)
            # components without a peak (tiny or flat) keep one marker so they are not lost: at their
            # first pixel in raster order, looked for in the component's box, not the whole picture
            missing = np.setdiff1d(np.arange(1, n + 1), np.unique(labels[markers > 0]))
            boxes = ndi.find_objects(labels) if missing.size else []
            for i, comp in enumerate(missing, start=int(markers.max()) + 1):
                sl = boxes[comp - 1]
                ys, xs = np.nonzero(labels[sl] == comp)
                markers[sl[0].start + ys[0], sl[1].start + xs[0]] = i
            labels = watershed(-dist, markers, mask=fg)
        out: list[Prediction] = []
        for sl_index, sl in enumerate(ndi.find_objects(labels), start=1):
            if sl is None:
                continue
            # the object's box of pixels at its offset, never a picture-sized array per object: a 2048-px
            # tile's 4 MB for each of its hundreds of nuclei was most of a tiled slide's time
            local = labels[sl] == sl_index
            (y0, y1), (x0, x1) = (sl[0].start, sl[0].stop), (sl[1].start, sl[1].stop)
            if np.count_nonzero(local) < max(1, self.min_area):
                self.drop_speckle(x0, y0)  # said by the run's summary (all of them: the cause of 0 objects)
                continue
            bbox = [float(x0), float(y0), float(x1 - x0), float(y1 - y0)]  # find_objects' box is tight
            out.append(Prediction(self.category, 1.0, bbox, mask=local, offset=(x0, y0)))
        return out


def default_cascade() -> Path:
    """The LBP frontal-face cascade that scikit-image bundles (no download)."""
    from skimage.data import lbp_frontal_face_cascade_filename

    return Path(lbp_frontal_face_cascade_filename())


Detector = Callable[[np.ndarray, float, int, int], list[list[float]]]


def _opencv_detector(path: Path) -> Detector | None:
    """cv2.CascadeClassifier (OpenCV 4; OpenCV 5 moved it out of the main package: None then)."""
    if not hasattr(cv2, "CascadeClassifier"):
        return None
    classifier = cv2.CascadeClassifier()
    try:
        loaded = classifier.load(str(path))
    except cv2.error:
        loaded = False
    if not loaded or classifier.empty():
        raise ModelLoadError(f"{path}: not an OpenCV cascade XML (cv2.CascadeClassifier could not load it)")

    def detect(gray: np.ndarray, scale: float, neighbors: int, min_size: int) -> list[list[float]]:
        found = classifier.detectMultiScale(
            gray, scaleFactor=scale, minNeighbors=neighbors, minSize=(min_size, min_size)
        )
        return [[float(v) for v in box] for box in np.asarray(found).reshape(-1, 4)]

    return detect


def _skimage_detector(path: Path) -> Detector:
    """scikit-image's Cascade: reads OpenCV's LBP cascade XML (not Haar); used when OpenCV lacks one."""
    from skimage.feature import Cascade

    try:
        cascade = Cascade(str(path))
    except Exception as e:
        raise ModelLoadError(
            f"{path}: not a cascade XML this build can load ({type(e).__name__}: {e}); this OpenCV has "
            "no CascadeClassifier, and the scikit-image fallback reads LBP cascades only"
        ) from None

    def detect(gray: np.ndarray, scale: float, neighbors: int, min_size: int) -> list[list[float]]:
        h, w = gray.shape
        found = cascade.detect_multi_scale(
            img=gray,
            scale_factor=scale,
            step_ratio=1,
            min_size=(min_size, min_size),
            max_size=(h, w),
            min_neighbor_number=neighbors,
        )
        return [[float(d["c"]), float(d["r"]), float(d["width"]), float(d["height"])] for d in found]

    return detect


def _load_detector(path: Path) -> Detector:
    """OpenCV's CascadeClassifier first (Haar and current LBP files); scikit-image's reader for the LBP
    files OpenCV 4.x no longer parses (such as the one scikit-image bundles) or when OpenCV has none."""
    try:
        detector = _opencv_detector(path)
    except ModelLoadError as opencv_error:
        try:
            return _skimage_detector(path)
        except ModelLoadError:
            raise opencv_error from None
    return detector or _skimage_detector(path)


class CascadeBackend(Backend):
    """Detect: a cascade classifier XML the user chooses (default: a frontal-face LBP cascade), run by
    cv2.CascadeClassifier, or by scikit-image's Cascade for files OpenCV cannot parse. Cascades give no
    confidence, so every detection scores 1.0."""

    name = "cascade"
    kind = "detect"
    options: ClassVar[dict[str, str]] = {
        "model_path": "cascade XML (default: scikit-image's LBP frontal face cascade)",
        "category": 'category name of detections (default "face")',
        "scale_factor": "image pyramid step (default 1.2)",
        "min_neighbors": "neighbouring hits a detection needs to be kept (default 4)",
        "min_size": "smallest object side in px (default 24)",
        "score_threshold": "ignored (cascades give no score); accepted for a uniform CLI",
    }

    def __init__(self) -> None:
        super().__init__()
        self.category = "face"
        self.scale_factor = 1.2
        self.min_neighbors = 4
        self.min_size = 24
        self._detect: Detector | None = None
        self._error: str | None = None
        try:
            self._set_model_path(default_cascade())
        except BackendError as e:  # e.g. a scikit-image without the bundled file
            self._error = str(e)

    def _set_model_path(self, value: Any) -> None:
        self._detect = None
        self._error = None
        try:
            path = check_file(value, "cascade XML")
            self._detect = _load_detector(path)
        except BackendError as e:
            self._error = str(e)
            raise
        self.model_path = path

    def _set_scale_factor(self, value: Any) -> None:
        try:
            v = float(value)
        except (TypeError, ValueError):
            v = 0.0
        if v <= 1.0:
            raise BackendError(f"cascade: scale_factor must be a number > 1, got {value!r}")
        self.scale_factor = v

    def _set_min_neighbors(self, value: Any) -> None:
        self.min_neighbors = _positive_int("cascade: min_neighbors", value)

    def _set_min_size(self, value: Any) -> None:
        self.min_size = _positive_int("cascade: min_size", value, 1)

    def ready(self) -> tuple[bool, str]:
        if self._detect is None:
            return False, self._error or "no cascade XML chosen"
        return True, ""

    def categories(self) -> list[str]:
        return [self.category]

    def predict(self, image: np.ndarray, prompt: Prompt | None = None) -> list[Prediction]:
        if self._detect is None:
            raise BackendError(f"cascade: {self._error or 'no cascade XML chosen'}")
        gray = cv2.equalizeHist(_gray8(image, self.display_window))
        boxes = self._detect(gray, self.scale_factor, self.min_neighbors, self.min_size)
        return [Prediction(self.category, 1.0, box) for box in boxes]
