"""``duplicate_picture`` (``pixelproof lint --pictures``): pairing, the whole run, and why 6 bits.

``python -m bench pictures [--hashes N] [--planted N] [--small N] [--sample N] [--images N] [--copies N]
[--repeat N] [--skip PART]``

- pairing: N random 64-bit hashes (default 100,000, of them ``--planted`` 1,000 pairs 1-12 bits apart)
  paired by ``core.lint.pictures.near_pairs`` (16-bit quarter buckets) at 6 and 10 bits. Reference: brute
  force, numpy XOR + popcount of every pair, in blocks of rows. At ``--small`` hashes (20,000) it runs on
  every pair; at N it runs on ``--sample`` hashes (5,000) against all N and its time is extrapolated to every
  pair (said so in the line). Both checks print: the same pairs (all of them at the small size; every pair
  with a sampled hash at N), and every planted pair within the bits found. One run of each.
- the whole run: ``pixelproof lint PROJECT --pictures --json R`` (in this process: loading, reading and
  hashing every picture, pairing, the rules, the report) on a project of ``--images`` JPEGs (200: crops of
  scikit-image's sample pictures, flipped / turned, at camera-like sizes; ``--copies`` 20 of them copies of
  others: the file copied, JPEG q30, half size, 20 % brighter, 0.8 contrast), no objects. Reference: the
  same ``core.imageio.read_image`` calls on every file, nothing else. As a user runs it (its default
  executor: a pool of every core from 200 images) and with ``--workers 1`` (one core, as the reference).
  Medians of ``--repeat`` (3) runs, the three alternating, after one untimed read of every file.
- why 6 bits: the pHash (``core.lint.pictures.phash``, imagehash's) distance of each of 24 scikit-image
  sample pictures to itself under each change (Pillow: JPEG q75 / q30, half / quarter size bicubic, 20 %
  brighter and 0.8 contrast with ``ImageEnhance``, 2 % and 5 % cut off every edge), between different
  pictures, and between the 200 25x25 pictures of ``skimage.data.lfw_subset()`` (100 faces, 100 not).

README's ``duplicate_picture`` paragraph quotes the lines marked [README].
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance

BLOCK = 1 << 22  # brute force: XORs per block of rows (32 MB of uint64)
SIZES = [(480, 640), (512, 512), (300, 451), (720, 960), (400, 600), (640, 480), (256, 384), (600, 800)]
# scikit-image's sample pictures that need no download (cat is chelsea again; the motorcycle's left view)
SAMPLES = ["astronaut", "brick", "camera", "cell", "checkerboard", "chelsea", "clock", "coffee", "coins",
           "colorwheel", "grass", "gravel", "horse", "hubble_deep_field", "immunohistochemistry", "logo",
           "microaneurysms", "moon", "page", "retina", "rocket", "shepp_logan_phantom", "stereo_motorcycle",
           "text"]  # fmt: skip


def load() -> str:
    return ", ".join(f"{v:.2f}" for v in os.getloadavg()) + f" on {os.cpu_count()} cores"


# ------------------------------------------------------------------------------------------------
# pairing


def random_hashes(n: int, planted: int, seed: int = 0) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
    """``n`` uint64 hashes: random ones and ``planted`` pairs 1..12 bits apart, at random places; the
    planted pairs as (i < j, bits apart)."""
    rng = np.random.default_rng(seed)
    h = np.frombuffer(rng.bytes(8 * n), dtype=np.uint64).copy()
    places = rng.permutation(n)[: 2 * planted].reshape(-1, 2)
    pairs = []
    for k, (a, b) in enumerate(places.tolist()):
        d = 1 + k % 12
        flip = 0
        for bit in rng.choice(64, size=d, replace=False).tolist():
            flip |= 1 << bit
        h[b] = np.uint64(int(h[a]) ^ flip)
        pairs.append((min(a, b), max(a, b), d))
    return h, pairs


def brute_pairs(h: np.ndarray, bits: int, rows: np.ndarray | None = None) -> set[tuple[int, int, int]]:
    """The reference: every pair (i < j) within ``bits``, by XOR and popcount of all pairs. With ``rows``:
    only the pairs with a hash of ``rows`` (each of them against all the others)."""
    h = np.asarray(h, dtype=np.uint64)
    n = len(h)
    out: set[tuple[int, int, int]] = set()
    todo = np.arange(n) if rows is None else np.asarray(rows)
    step = max(1, BLOCK // max(n, 1))
    for s in range(0, len(todo), step):
        r = todo[s : s + step]
        first = int(r[0]) if rows is None else 0  # every pair once: columns from the block's first row
        d = np.bitwise_count(h[r, None] ^ h[None, first:])
        ii, jj = np.nonzero(d <= bits)
        i, j = r[ii], jj + first
        keep = j > i if rows is None else j != i
        for a, b, c in zip(i[keep].tolist(), j[keep].tolist(), d[ii, jj][keep].tolist(), strict=True):
            out.add((min(a, b), max(a, b), c))
    return out


def ours_pairs(h: np.ndarray, bits: int) -> tuple[float, set[tuple[int, int, int]]]:
    """``near_pairs``'s seconds (the call alone) and pairs."""
    from pixelproof.core.lint.pictures import near_pairs

    seconds, (i, j, d) = timed(lambda: near_pairs(h, bits))  # type: ignore[misc]
    return seconds, set(zip(i.tolist(), j.tolist(), d.tolist(), strict=True))


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def bench_pairing(n: int, planted: int, small: int, sample: int, bit_list: list[int]) -> None:
    top = max(bit_list)
    print("pairing (near_pairs, 16-bit quarter buckets) vs brute force (numpy XOR + popcount of every pair)")
    ours_pairs(np.arange(64, dtype=np.uint64), top)  # imports and first calls out of the timing
    # every pair at the small size
    hs, _ = random_hashes(small, planted * small // n, seed=1)
    t_ref, ref = timed(lambda: brute_pairs(hs, top))
    for bits in bit_list:
        t_ours, got = ours_pairs(hs, bits)
        want = {p for p in ref if p[2] <= bits}  # type: ignore[union-attr]
        print(f"  [README] {small:,} hashes, {bits} bits: ours {t_ours:.2f} s, brute force on all "
              f"{small * (small - 1) // 2:,} pairs {t_ref:.2f} s (ratio {t_ours / t_ref:.3f}); "
              f"same pairs: {'yes' if got == want else 'NO'} ({len(want)} pairs)")  # fmt: skip
    # N hashes: brute force on a sample of rows, its time extrapolated
    h, plants = random_hashes(n, planted)
    rows = np.sort(np.random.default_rng(2).choice(n, size=min(sample, n), replace=False))
    t_rows, ref = timed(lambda: brute_pairs(h, top, rows))
    t_ref = t_rows * (n * (n - 1) / 2) / (len(rows) * (n - 1))
    in_rows = np.zeros(n, bool)
    in_rows[rows] = True
    for bits in bit_list:
        t_ours, got = ours_pairs(h, bits)
        want = {p for p in ref if p[2] <= bits}  # type: ignore[union-attr]
        touching = {p for p in got if in_rows[p[0]] or in_rows[p[1]]}
        near = [p for p in plants if p[2] <= bits]
        found = sum(p in got for p in near)
        print(f"  [README] {n:,} hashes ({planted:,} planted pairs 1-12 bits apart), {bits} bits: ours "
              f"{t_ours:.2f} s, brute force {t_ref:.1f} s extrapolated from {len(rows):,} hashes against all "
              f"({t_rows:.1f} s) (ratio {t_ours / t_ref:.3f})")  # fmt: skip
        print(f"    pairs found: {len(got)}; same pairs as brute force for the {len(rows):,} sampled hashes: "
              f"{'yes' if touching == want else 'NO'} ({len(want)} pairs); planted pairs within {bits} bits "
              f"found: {found} of {len(near)}")  # fmt: skip


# ------------------------------------------------------------------------------------------------
# the pictures


def sample_pictures() -> dict[str, np.ndarray]:
    """The sample pictures as 8-bit gray or RGB (the RGBA logo as its RGB, the binary and float ones
    scaled to 0..255)."""
    from skimage import data
    from skimage.util import img_as_ubyte

    out = {}
    for name in SAMPLES:
        img = getattr(data, name)()
        if name == "stereo_motorcycle":
            img = img[0]
        img = img_as_ubyte(img)
        out[name] = np.ascontiguousarray(img[..., :3] if img.ndim == 3 else img)
    return out


def jpeg(im: Image.Image, quality: int) -> Image.Image:
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue()))


def scaled(im: Image.Image, f: float) -> Image.Image:
    return im.resize((max(1, round(im.width * f)), max(1, round(im.height * f))), Image.Resampling.BICUBIC)


def cropped(im: Image.Image, f: float) -> Image.Image:
    dx, dy = round(im.width * f), round(im.height * f)
    return im.crop((dx, dy, im.width - dx, im.height - dy))


CHANGES: dict[str, Callable[[Image.Image], Image.Image]] = {
    "JPEG q75": lambda im: jpeg(im, 75),
    "JPEG q30": lambda im: jpeg(im, 30),
    "half size": lambda im: scaled(im, 0.5),
    "quarter size": lambda im: scaled(im, 0.25),
    "20% brighter": lambda im: ImageEnhance.Brightness(im).enhance(1.2),
    "0.8 contrast": lambda im: ImageEnhance.Contrast(im).enhance(0.8),
    "2% crop": lambda im: cropped(im, 0.02),
    "5% crop": lambda im: cropped(im, 0.05),
}


def stats_line(label: str, dists: list[int], where: str = "") -> str:
    d = np.array(dists)
    within = f"<=6 bits: {int((d <= 6).sum())}, <=10: {int((d <= 10).sum())}"
    return (f"  [README] {label:<28} min {d.min():2d}  mean {d.mean():5.1f}  max {d.max():2d}{where}  "
            f"({within} of {len(d)})")  # fmt: skip


def bench_bits() -> None:
    from skimage import data
    from skimage.util import img_as_ubyte

    from pixelproof.core.lint.pictures import phash

    pictures = sample_pictures()
    base = {name: phash(img) for name, img in pictures.items()}
    print(f"why 6 bits: pHash bits apart, {len(pictures)} scikit-image sample pictures "
          f"({', '.join(pictures)})")  # fmt: skip
    for label, change in CHANGES.items():
        dists = {n: bin(base[n] ^ phash(np.asarray(change(Image.fromarray(img))))).count("1")
                 for n, img in pictures.items()}  # fmt: skip
        worst = max(dists, key=lambda k: dists[k])
        print(stats_line(label, list(dists.values()), f" ({worst})"))
    apart = [bin(base[a] ^ base[b]).count("1") for a, b in itertools.combinations(base, 2)]
    pair = min(itertools.combinations(base, 2), key=lambda p: bin(base[p[0]] ^ base[p[1]]).count("1"))
    print(stats_line("different pictures", apart, f" (nearest: {pair[0]}, {pair[1]})"))
    faces = [phash(img_as_ubyte(x)) for x in data.lfw_subset()]
    groups = {
        "LFW faces vs faces": list(itertools.combinations(faces[:100], 2)),
        "LFW non-faces vs non-faces": list(itertools.combinations(faces[100:], 2)),
        "LFW faces vs non-faces": list(itertools.product(faces[:100], faces[100:])),
    }
    for label, pairs in groups.items():
        print(stats_line(label, [bin(a ^ b).count("1") for a, b in pairs]))


# ------------------------------------------------------------------------------------------------
# the whole run


def make_project(folder: Path, n: int, copies: int) -> tuple[Path, list[tuple[str, str, str]]]:
    """``n`` JPEGs under ``folder/images``: ``n - copies`` crops of the sample pictures (each turned or
    flipped one of 8 ways, at one of ``SIZES``) and ``copies`` copies of some of them; the project file
    and the copies as (copy, original, how)."""
    from pixelproof.core.coco import new_project, save_project
    from pixelproof.core.model import ImageRecord

    sources = list(sample_pictures().values())
    rng = np.random.default_rng(0)
    (folder / "images").mkdir()
    names = []
    for k in range(n - copies):
        img = sources[k % len(sources)]
        way = (k // len(sources)) % 8
        img = np.rot90(img, way % 4)
        img = img[:, ::-1] if way >= 4 else img
        h, w = img.shape[:2]
        y0, x0 = rng.integers(0, h // 6 + 1), rng.integers(0, w // 6 + 1)
        crop = img[y0 : h - rng.integers(0, h // 6 + 1), x0 : w - rng.integers(0, w // 6 + 1)]
        th, tw = SIZES[k % len(SIZES)]
        out = Image.fromarray(np.ascontiguousarray(crop)).resize((tw, th), Image.Resampling.BICUBIC)
        names.append(f"images/pic{k:04d}.jpg")
        out.save(folder / names[-1], quality=92)
    hows = ["file copied", "JPEG q30", "half size", "20% brighter", "0.8 contrast"]  # CHANGES but the first
    planted = []
    for c in range(copies):
        original = names[int(rng.integers(0, n - copies))]
        how = hows[c % len(hows)]
        name = f"images/copy{c:04d}.jpg"
        if how == "file copied":
            shutil.copyfile(folder / original, folder / name)
        else:
            with Image.open(folder / original) as im:
                im.load()
                if how == "JPEG q30":  # saved again at a low quality
                    im.save(folder / name, quality=30)
                else:
                    CHANGES[how](im).save(folder / name, quality=92)
        planted.append((name, original, how))
        names.append(name)
    project = new_project(["thing"])
    for iid, name in enumerate(names, start=1):
        with Image.open(folder / name) as im:
            project.add_image(ImageRecord(iid, name, im.width, im.height))
    path = folder / "project.json"
    save_project(project, path)
    return path, planted


def read_every_picture(path: Path) -> int:
    """The reference: ``read_image`` on every file as lint reads it, nothing else."""
    from pixelproof.core.coco import load_project
    from pixelproof.core.imageio import read_image
    from pixelproof.core.volumes import expected_identity

    project = load_project(path)
    for im in project.images.values():
        expect = expected_identity(im.extra) or None
        read_image(project.image_path(im), apply_exif=project.applies_exif, expect=expect)
    return len(project.images)


def lint(argv: list[str]) -> None:
    from pixelproof.cli import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = main(argv)
    if code not in (0, 1):
        raise SystemExit(f"pixelproof {' '.join(argv)} failed with exit {code}")


def default_executor(n: int) -> str:
    """What ``pixelproof lint --pictures`` runs ``n`` images on without ``--workers``."""
    from pixelproof.core.batch.executors import available_cores, is_large_job
    from pixelproof.core.lint.engine import SECONDS_PER_IMAGE
    from pixelproof.core.lint.pictures import PICTURE_SECONDS

    cores = available_cores()
    if is_large_job(n, SECONDS_PER_IMAGE + PICTURE_SECONDS) and cores > 1:
        return f"a pool of {cores} worker processes"
    return "one worker: a small job"


def bench_run(folder: Path, n: int, copies: int, repeat: int) -> None:
    path, planted = make_project(folder, n, copies)
    report = folder / "report.json"
    argv = ["lint", str(path), "--pictures", "--json", str(report)]
    read_every_picture(path)  # the files in the OS's cache for every side alike
    times: dict[str, list[float]] = {"reference": [], "default": [], "one": []}
    for _ in range(max(1, repeat)):
        times["reference"].append(timed(lambda: read_every_picture(path))[0])
        times["default"].append(timed(lambda: lint(argv))[0])
        times["one"].append(timed(lambda: lint([*argv, "--workers", "1"]))[0])
    problems = [p for p in json.loads(report.read_text())["problems"] if p["kind"] == "duplicate_picture"]
    flagged = {p["file_name"]: p["message"] for p in problems}
    found = [c for c, original, _ in planted if f" {original} (image " in flagged.get(c, "")]
    ref, ours, one = (statistics.median(times[k]) for k in ("reference", "default", "one"))
    small, large = (min(SIZES, key=lambda s: s[0] * s[1]), max(SIZES, key=lambda s: s[0] * s[1]))
    sizes = f"{small[1]}x{small[0]} to {large[1]}x{large[0]} pixels"
    print(f"the whole run: pixelproof lint PROJECT --pictures --json R on {n} JPEGs ({sizes}, "
          f"{copies} planted copies), medians of {repeat}")  # fmt: skip
    print(
        f"  [README] reading every picture (read_image, nothing else): {ref:.2f} s = {n / ref:.0f} images/s"
    )
    print(f"  [README] pixelproof lint --pictures, one worker: {one:.2f} s = {n / one:.0f} images/s "
          f"(ratio {one / ref:.2f})")  # fmt: skip
    print(f"  [README] pixelproof lint --pictures, as run by default ({default_executor(n)}): "
          f"{ours:.2f} s = {n / ours:.0f} images/s (ratio {ours / ref:.2f})")  # fmt: skip
    missed = ", ".join(f"{c} ({h})" for c, _, h in planted if c not in found)
    print(f"  duplicate_picture: {len(problems)} flagged; the planted copies found (naming their original): "
          f"{len(found)} of {len(planted)}{f' (missed: {missed})' if missed else ''}; others flagged: "
          f"{len(problems) - len(found)}")  # fmt: skip


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench pictures")
    ap.add_argument("--hashes", type=int, default=100_000)
    ap.add_argument("--planted", type=int, default=1000, help="planted near pairs among the hashes")
    ap.add_argument("--small", type=int, default=20_000, help="hashes brute force compares in full")
    ap.add_argument("--sample", type=int, default=5000, help="hashes brute force compares with all N")
    ap.add_argument("--bits", default="6,10")
    ap.add_argument("--images", type=int, default=200)
    ap.add_argument("--copies", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip", action="append", default=[], choices=["pairing", "run", "bits"])
    args = ap.parse_args(argv)
    print(f"machine load average at start: {load()}")
    if "pairing" not in args.skip:
        bench_pairing(
            args.hashes, args.planted, args.small, args.sample, [int(b) for b in args.bits.split(",")]
        )
    if "run" not in args.skip:
        with tempfile.TemporaryDirectory(prefix="bench-pictures-") as tmp:
            os.environ.setdefault("PIXELPROOF_AUTHOR", "bench")
            bench_run(Path(tmp), args.images, args.copies, args.repeat)
    if "bits" not in args.skip:
        bench_bits()
    print(f"machine load average at end: {load()}")
    return 0
