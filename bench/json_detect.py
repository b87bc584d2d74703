"""What recognising a big COCO-family JSON file costs now that its top-level keys are read as far as they go
(``interop/json_keys.py``) instead of its first 64 KB.

``python -m bench json_detect [--images N] [--runs R]``

Readings (wall time, the median of R runs, alternating in one process; the ratio is the figure to trust):

- reference: ``orjson.loads`` of the file's bytes (what reading it as a project costs to parse).
- ours: ``detect_format`` of an LVIS-ordered file (1,203 categories with synonyms and definitions, then N
  image entries, then as many annotations: panoptic or not is told at ``annotations``, so the scan crosses
  the whole images list), the per-file cache cleared each run; and ``top_level_keys`` over the whole file.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import orjson


def _lvis_ordered(path: Path, n: int) -> Path:
    categories = [
        {
            "id": i,
            "name": f"thing_{i}",
            "synonyms": [f"thing {i} alias {k}" * 4 for k in range(4)],
            "def": 'a described "thing" ' * 20,
            "frequency": "f",
        }
        for i in range(1, 1204)
    ]
    images = [
        {
            "id": i,
            "file_name": f"{i:012d}.jpg",
            "width": 640,
            "height": 480,
            "coco_url": f"http://images.cocodataset.org/val2017/{i:012d}.jpg",
            "neg_category_ids": [1, 2],
            "not_exhaustive_category_ids": [],
        }
        for i in range(n)
    ]
    annotations = [
        {
            "id": i,
            "image_id": i,
            "category_id": 1,
            "bbox": [1.0, 2.0, 30.0, 40.0],
            "area": 1200.0,
            "segmentation": [[1.5 * k for k in range(40)]],
        }
        for i in range(n)
    ]
    doc = {"info": {}, "licenses": [], "categories": categories, "images": images, "annotations": annotations}
    path.write_text(json.dumps(doc))
    return path


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench json_detect")
    p.add_argument("--images", type=int, default=150_000)
    p.add_argument("--runs", type=int, default=5)
    args = p.parse_args(argv)
    from pixelproof.interop import coco_io
    from pixelproof.interop.formats import detect_format
    from pixelproof.interop.json_keys import top_level_keys

    with tempfile.TemporaryDirectory() as tmp:
        path = _lvis_ordered(Path(tmp) / "lvis_like.json", args.images)
        size = path.stat().st_size / 1e6
        hostile = Path(tmp) / "escapes.json"
        run = b"\\\\" * 3 + b'\\"'
        hostile.write_bytes(b'{"info": "' + run * int(path.stat().st_size // len(run)) + b'", "images": []}')
        times: dict[str, list[float]] = {
            "reference": [],
            "detect": [],
            "all keys": [],
            "esc ref": [],
            "esc": [],
        }
        for _ in range(args.runs):
            t = time.perf_counter()
            orjson.loads(path.read_bytes())
            times["reference"].append(time.perf_counter() - t)
            coco_io._layout.cache_clear()
            t = time.perf_counter()
            name = detect_format(path).name  # type: ignore[union-attr]
            times["detect"].append(time.perf_counter() - t)
            t = time.perf_counter()
            keys = [k for k, _ in top_level_keys(path)]
            times["all keys"].append(time.perf_counter() - t)
            t = time.perf_counter()
            orjson.loads(hostile.read_bytes())
            times["esc ref"].append(time.perf_counter() - t)
            t = time.perf_counter()
            escaped = [k for k, _ in top_level_keys(hostile)]
            times["esc"].append(time.perf_counter() - t)
    ref, det, whole, esc_ref, esc = (statistics.median(v) for v in times.values())
    print(f"{size:.0f} MB LVIS-ordered file ({args.images} images), detected as {name}, keys {keys}")
    print(f"reference (orjson.loads) {ref:.2f} s; detect_format {det:.2f} s; whole file's keys {whole:.2f} s")
    print(f"ratio detect/reference: {det / ref:.2f}x; whole-file scan {size / whole:.0f} MB/s")
    print(f"escapes: keys {escaped} in {esc:.2f} s; orjson.loads {esc_ref:.2f} s; ratio {esc / esc_ref:.2f}x")
    return 0
