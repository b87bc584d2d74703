"""Build the bundled demo project in ``resources/demo/`` from scikit-image's bundled pictures.

Run from the repository root: ``python packaging/make_demo.py``. The output is committed; this script
documents how it was made and regenerates it deterministically.

- ``project.json``: the candidate project a user opens (boxes, polygons, masks; some deliberate mistakes
  against the reference; its ``pixelproof.reference`` points at ``reference.json``).
- ``reference.json``: reference masks for the QA review view (same images, matched by file name).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import cv2
import numpy as np
from scipy import ndimage
from skimage import data, filters, measure, segmentation, transform

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "desktop"))

from pixelproof.core import masks  # noqa: E402
from pixelproof.core.coco import new_project, save_project  # noqa: E402
from pixelproof.core.model import Annotation, ImageRecord, Project  # noqa: E402

OUT = ROOT / "resources" / "demo"
CATEGORIES = ["coin", "cell", "person", "cat", "cup", "motorcycle", "lesion"]


def _write(name: str, img: np.ndarray) -> tuple[int, int]:
    path = OUT / "images" / name
    if img.ndim == 3:
        img = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    params = [cv2.IMWRITE_JPEG_QUALITY, 88] if name.endswith(".jpg") else [cv2.IMWRITE_PNG_COMPRESSION, 9]
    cv2.imwrite(str(path), img, params)
    return img.shape[1], img.shape[0]


def _phantom16() -> np.ndarray:
    """A 12-bit Shepp-Logan phantom with Gaussian noise, stored as 16-bit: exercises window/level."""
    rng = np.random.default_rng(7)
    ph = transform.resize(data.shepp_logan_phantom(), (384, 384), anti_aliasing=True)
    img = 400 + ph * 3200 + rng.normal(0, 60, ph.shape)
    return np.clip(img, 0, 4095).astype(np.uint16)


def _coin_masks(img: np.ndarray) -> list[np.ndarray]:
    """Coins segmented as in scikit-image's own tutorial (elevation map + watershed)."""
    elevation = filters.sobel(img)
    markers = np.zeros_like(img, dtype=np.int32)
    markers[img < 30] = 1
    markers[img > 150] = 2
    seg = segmentation.watershed(elevation, markers) == 2
    seg = ndimage.binary_fill_holes(seg)
    labels = measure.label(seg)
    return [labels == r.label for r in measure.regionprops(labels) if r.area >= 200]


def _cell_mask(img: np.ndarray) -> np.ndarray:
    smooth = filters.gaussian(img, 2)
    m = smooth > filters.threshold_otsu(smooth)
    labels = measure.label(ndimage.binary_fill_holes(m))
    big = max(measure.regionprops(labels), key=lambda r: r.area)
    return labels == big.label


def _ellipse_mask(shape: tuple[int, int], cy: float, cx: float, ry: float, rx: float) -> np.ndarray:
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    return ((yy - cy) / ry) ** 2 + ((xx - cx) / rx) ** 2 <= 1


def _add(
    p: Project, image_id: int, cat: str, mask: np.ndarray | None = None, polygon=None, box=None, **kw
) -> Annotation:
    im = p.image(image_id)
    cid = p.category_by_name(cat).id
    if mask is not None:
        seg = masks.encode(mask)
        bbox, area = masks.bbox(mask), float(masks.area(mask))
    elif polygon is not None:
        seg = [list(map(float, polygon))]
        bbox = masks.polygons_bbox(seg)
        area = masks.segmentation_area(seg, bbox, im.height, im.width)
    else:
        seg, bbox, area = None, [float(v) for v in box], float(box[2] * box[3])
    kw.setdefault("source", "manual")
    ann = Annotation(p.next_annotation_id(), image_id, cid, bbox, seg, area, **kw)
    return p.add_annotation(ann)


def main() -> int:
    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "images").mkdir(parents=True)
    pictures = {
        "coins.png": data.coins(),
        "cell.png": data.cell(),
        "camera.png": data.camera(),
        "astronaut.jpg": data.astronaut(),
        "chelsea.jpg": data.chelsea(),
        "coffee.jpg": data.coffee(),
        "motorcycle.jpg": data.stereo_motorcycle()[0],
        "ihc.jpg": data.immunohistochemistry(),
        "retina.jpg": (transform.resize(data.retina(), (700, 700), anti_aliasing=True) * 255).astype(
            np.uint8
        ),
        "phantom16.png": _phantom16(),
    }
    cand, ref = new_project(CATEGORIES), new_project(CATEGORIES)
    for name, img in pictures.items():
        w, h = _write(name, img)
        for p in (cand, ref):
            p.add_image(ImageRecord(p.next_image_id(), f"images/{name}", w, h))
    ids = {Path(im.file_name).name: im.id for im in cand.images.values()}

    # coins: reference = watershed masks; candidate = the same with deliberate mistakes
    coins = _coin_masks(pictures["coins.png"])
    for i, m in enumerate(coins):
        _add(ref, ids["coins.png"], "coin", mask=m)
        if i == 3:
            continue  # missed coin (FN)
        if i == 5:
            m = np.roll(m, 4, axis=1)  # sloppy, shifted
        if i == 8:
            m = ndimage.binary_erosion(m, iterations=3)  # too tight
        _add(cand, ids["coins.png"], "coin", mask=m, author="demo")
    extra = _ellipse_mask(pictures["coins.png"].shape, 20, 360, 10, 14)
    _add(cand, ids["coins.png"], "coin", mask=extra, author="demo", note="is this a coin?")  # FP

    # cell: one large mask with a hole punched by mistake in the candidate
    cell = _cell_mask(pictures["cell.png"])
    _add(ref, ids["cell.png"], "cell", mask=cell)
    holed = cell.copy()
    ys, xs = np.nonzero(cell)
    holed &= ~_ellipse_mask(cell.shape, ys.mean(), xs.mean(), 25, 35)
    _add(cand, ids["cell.png"], "cell", mask=holed, author="demo")

    # phantom16: a lesion mask; candidate slightly larger
    lesion = _ellipse_mask((384, 384), 150, 192, 40, 28)
    _add(ref, ids["phantom16.png"], "lesion", mask=lesion)
    _add(cand, ids["phantom16.png"], "lesion", mask=ndimage.binary_dilation(lesion, iterations=2))

    # photos: boxes and polygons (the astronaut's helmet outline as a polygon)
    _add(cand, ids["astronaut.jpg"], "person", box=[130, 15, 330, 497], review="accepted")
    _add(ref, ids["astronaut.jpg"], "person", box=[128, 14, 334, 498])
    helmet = [160, 95, 195, 35, 262, 10, 330, 28, 368, 90, 362, 170, 320, 215, 250, 222, 185, 190]
    _add(cand, ids["astronaut.jpg"], "person", polygon=helmet, note="helmet, not the whole person")
    _add(cand, ids["chelsea.jpg"], "cat", box=[60, 20, 320, 280])
    _add(ref, ids["chelsea.jpg"], "cat", box=[55, 18, 330, 282])
    _add(cand, ids["coffee.jpg"], "cup", polygon=[120, 60, 470, 45, 560, 150, 545, 330, 400, 390, 180, 380])
    _add(ref, ids["coffee.jpg"], "cup", polygon=[118, 62, 470, 48, 555, 150, 540, 330, 400, 388, 182, 378])
    _add(cand, ids["motorcycle.jpg"], "motorcycle", box=[180, 120, 560, 390], source=None)
    _add(ref, ids["motorcycle.jpg"], "motorcycle", box=[178, 118, 565, 392])

    for name, status in {"coins.png": "done", "cell.png": "in_progress", "astronaut.jpg": "done"}.items():
        cand.set_image_status(ids[name], status)
    cand.reference = "reference.json"
    save_project(cand, OUT / "project.json")
    save_project(ref, OUT / "reference.json")
    for bak in OUT.glob("*.bak"):
        bak.unlink()
    (OUT / "README.md").write_text(
        "Demo project made by `packaging/make_demo.py` from scikit-image's bundled pictures "
        "(see scikit-image's data licenses).\n"
        "`project.json` is the candidate, `reference.json` its reference.\n"
    )
    total = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    print(f"{OUT}: {len(cand.images)} images, {len(cand.annotations)} annotations, {total / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
