"""Build the one-folder PyInstaller bundle and the platform's installer artifact.

    python packaging/build.py              # dist/pixelproof/ + dist/pixelproof-<ver>-linux-x86_64.tar.xz
    python packaging/build.py --smoke      # ... then run the bundle's --self-test in a clean environment
    python packaging/build.py --no-archive # only dist/pixelproof/
    python packaging/build.py --archive gz # a .tar.gz instead (~8x quicker to make, ~45% larger)

Needs `pip install ".[build]"` (PyInstaller). Prints build time, bundle size, archive size and the largest
parts. On Linux the bundle is stripped, except the libraries numpy/scipy vendor under ``*.libs/`` (their
OpenBLAS breaks when stripped). Windows and macOS installers are made by packaging/windows/pixelproof.iss
and packaging/macos/make_dmg.sh from the same dist/ folder.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "dist"
BUNDLE = DIST / "pixelproof"
XZ_PRESET = 6  # -9 saves ~2% more for 3x the time and 10x the memory


def version() -> str:
    sys.path.insert(0, str(ROOT / "desktop"))
    from pixelproof import __version__

    return __version__


def run_pyinstaller() -> float:
    start = time.monotonic()
    cmd = [
        sys.executable, "-m", "PyInstaller", str(ROOT / "packaging" / "pixelproof.spec"),
        "--noconfirm", "--clean", "--log-level", "WARN",
        "--distpath", str(DIST), "--workpath", str(ROOT / "build" / "pyinstaller"),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, cwd=ROOT)
    return time.monotonic() - start


def strip_bundle(bundle: Path) -> int:
    """Strip debug symbols from shared libraries (Linux), sparing ``*.libs/``; returns bytes saved."""
    if sys.platform != "linux" or not shutil.which("strip"):
        return 0
    before = folder_size(bundle)
    for path in bundle.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        if any(part.endswith(".libs") for part in path.relative_to(bundle).parts):
            continue
        if ".so" in path.name or path.name == "pixelproof":
            subprocess.run(["strip", "--strip-unneeded", str(path)], capture_output=True)
    return before - folder_size(bundle)


def add_desktop_entry(bundle: Path) -> None:
    """Linux: a freedesktop entry and the icon, installed by packaging/linux/install.sh."""
    for name in ("pixelproof.desktop", "pixelproof.png", "install.sh"):
        shutil.copy2(ROOT / "packaging" / "linux" / name, bundle / name)


def make_archive(bundle: Path, kind: str = "xz") -> Path:
    """Linux: the bundle as ``.tar.xz`` (what we ship: smallest download) or ``.tar.gz``. xz runs on all
    cores through the ``xz`` tool when there is one, else through Python's (single-threaded) lzma."""
    machine = platform.machine().lower() or "unknown"
    out = DIST / f"pixelproof-{version()}-linux-{machine}.tar.{kind}"
    for old in DIST.glob(f"pixelproof-*-linux-{machine}.tar.*"):
        old.unlink()  # one artifact per build, so the release step cannot pick up a stale one
    if kind == "gz":
        with tarfile.open(out, "w:gz", compresslevel=6) as tar:
            tar.add(bundle, arcname="pixelproof")
    elif shutil.which("xz"):
        with open(out, "wb") as f:
            xz = subprocess.Popen(["xz", "-T0", f"-{XZ_PRESET}", "-c"], stdin=subprocess.PIPE, stdout=f)
            with tarfile.open(fileobj=xz.stdin, mode="w|") as tar:
                tar.add(bundle, arcname="pixelproof")
            xz.stdin.close()
            if xz.wait() != 0:
                raise RuntimeError(f"xz failed with exit code {xz.returncode}")
    else:
        with tarfile.open(out, "w:xz", preset=XZ_PRESET) as tar:
            tar.add(bundle, arcname="pixelproof")
    return out


def folder_size(folder: Path) -> int:
    """Bytes in regular files; symbolic links (PyInstaller links Qt libraries to the top) count once."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def largest_parts(bundle: Path, n: int = 8) -> list[tuple[str, int]]:
    internal = bundle / "_internal"
    base = internal if internal.is_dir() else bundle
    sizes = []
    for child in base.iterdir():
        if child.is_symlink():  # its target is counted where it lives
            continue
        size = folder_size(child) if child.is_dir() else child.stat().st_size
        sizes.append((child.name, size))
    return sorted(sizes, key=lambda s: -s[1])[:n]


def smoke_test(bundle: Path, model: Path | None = None) -> int:
    """Run the bundle with no Python packages reachable, from a folder outside the repository: its self
    test, the medical decoders and DICOM SEG, a ``--workers 2`` job (same output as serial), then (given a
    YOLO ONNX model) ``new`` + ``prelabel`` + ``info`` on the bundled demo images."""
    exe = bundle / ("pixelproof.exe" if os.name == "nt" else "pixelproof")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(PYTHONPATH="", PYTHONNOUSERSITE="1", QT_QPA_PLATFORM=env.get("QT_QPA_PLATFORM", "offscreen"))
    env["SOURCE_DATE_EPOCH"] = "1700000000"  # one fixed job timestamp: serial and --workers 2 outputs compare
    with tempfile.TemporaryDirectory() as cwd:

        def run(*args: str) -> subprocess.CompletedProcess:
            start = time.monotonic()
            proc = subprocess.run([str(exe), *args], cwd=cwd, env=env, capture_output=True, text=True)
            took = time.monotonic() - start
            print(f"$ pixelproof {' '.join(args)}  -> exit {proc.returncode} in {took:.1f} s")
            print(proc.stdout.rstrip())
            if proc.returncode != 0:
                print(proc.stderr.rstrip())
            return proc

        if run("--self-test").returncode != 0:
            return 1
        if not medical_smoke(run, Path(cwd)):
            return 1
        images = next(bundle.rglob("resources/demo/images"))
        if run("new", str(images), "-o", "p.json").returncode != 0:
            return 1
        if not workers_smoke(run, Path(cwd)):
            return 1
        if model is None:
            return 0
        prelabel = run(
            "prelabel", "p.json", "--backend", "yolo-onnx", "--model", str(model.resolve()), "-o", "out.json"
        )
        if prelabel.returncode != 0:
            return 1
        info = run("info", "out.json", "--json")
        if info.returncode != 0 or '"person"' not in info.stdout:
            print("the bundle's yolo-onnx pre-label found no person on the demo astronaut")
            return 1
        # the cascade backend reads scikit-image's LBP cascade XML: the one data file kept from skimage.data
        if run("prelabel", "p.json", "--backend", "cascade", "-o", "faces.json").returncode != 0:
            return 1
        faces = run("info", "faces.json", "--json")
        if faces.returncode != 0 or '"face"' not in faces.stdout:
            print("the bundle's cascade pre-label found no face on the demo astronaut")
            return 1
    return 0


def workers_smoke(run, folder: Path) -> bool:  # type: ignore[no-untyped-def]
    """A ``--workers 2`` job in the bundle (spawned worker processes re-run the executable, which
    ``multiprocessing.freeze_support`` turns into workers): same output as the serial run, byte for byte."""
    common = ("prelabel", "p.json", "--backend", "threshold", "--option", "category=object")
    serial = run(*common, "--workers", "1", "-o", "serial.json")
    pooled = run(*common, "--workers", "2", "-o", "pooled.json")
    if serial.returncode != 0 or pooled.returncode != 0 or "2 local worker processes" not in pooled.stderr:
        print(pooled.stderr.rstrip())
        print("the bundle could not run a --workers 2 job")
        return False
    if (folder / "serial.json").read_bytes() != (folder / "pooled.json").read_bytes():
        print("the bundle's --workers 2 output differs from the serial one")
        return False
    return True


# pydicom test files, one per decoder the bundle must carry: native, RLE, JPEG 2000 (pylibjpeg-openjpeg),
# JPEG-LS (pyjpegls), JPEG Lossless SV1 (python-gdcm), JPEG baseline (Pillow)
SMOKE_DICOM = (
    "CT_small.dcm", "MR_small_RLE.dcm", "MR_small_jp2klossless.dcm", "MR_small_jpeg_ls_lossless.dcm",
    "SC_rgb_jpeg_gdcm.dcm", "SC_rgb_jpeg.dcm",
)  # fmt: skip


def medical_smoke(run, folder: Path) -> bool:  # type: ignore[no-untyped-def]
    """``new`` + ``prelabel --backend threshold`` (which decodes every image) over DICOM files of each
    transfer syntax, a NIfTI volume and JPEG / LZW tiled pyramids, made here from the build environment's
    pydicom and nibabel test data and tifffile: every decoder must be in the bundle."""
    import nibabel.testing
    import numpy as np
    import tifffile
    from pydicom.data import get_testdata_file

    data = folder / "medical"
    data.mkdir()
    for name in SMOKE_DICOM:  # the three MR_small files are one slice in three encodings (one instance):
        place = data / Path(name).stem if name.startswith("MR_small") else data  # one folder each
        place.mkdir(exist_ok=True)  # (in one folder they lie at one position: a series that is refused)
        shutil.copy(get_testdata_file(name, download=False), place / name)
    shutil.copy(Path(nibabel.testing.data_path) / "anatomical.nii", data / "anatomical.nii")
    y, x = np.mgrid[:600, :800]
    rgb = np.stack([x % 256, y % 256, (x + y) % 256], axis=-1).astype(np.uint8)
    for compression in ("jpeg", "lzw"):
        with tifffile.TiffWriter(data / f"slide_{compression}.tif") as tw:
            tw.write(rgb, tile=(256, 256), compression=compression, subifds=1)
            tw.write(rgb[::2, ::2], tile=(256, 256), compression=compression, subfiletype=1)
    expected = len(SMOKE_DICOM) + 25 + 2  # anatomical.nii has 25 axial slices
    new = run("new", str(data), "-o", "medical.json")
    if new.returncode != 0 or "skipped" in new.stderr:
        print(new.stderr.rstrip())
        return False
    labeled = run("prelabel", "medical.json", "--backend", "threshold", "-o", "medical_out.json")
    info = run("info", "medical_out.json", "--json")
    if labeled.returncode != 0 or "error" in labeled.stderr or f'"images": {expected}' not in info.stdout:
        print(labeled.stderr.rstrip())
        print(f"the bundle could not decode every medical image ({expected} expected)")
        return False
    return dicom_seg_smoke(run, folder)


def dicom_seg_smoke(run, folder: Path) -> bool:  # type: ignore[no-untyped-def]
    """DICOM SEG out of ``medical_smoke``'s labels and back: highdicom imports ``PIL.ImageCms`` and reads its
    tables of the DICOM standard with ``pkgutil.get_data``, neither of which PyInstaller sees by itself. Most
    sources are left out of the SEG (exit 3: not DICOM, or copies of one MR slice): only the CT's is read.
    The threshold pre-label's objects are pending proposals, which exports leave out: written as labels
    here (``--pending keep``), as a user who trusts them would."""
    written = run(
        "convert", "medical_out.json", "seg", "--from", "coco", "--to", "dicom-seg", "--pending", "keep"
    )
    seg = "seg/CT_small_seg.dcm"
    read = run("convert", seg, "seg.json", "--from", "dicom-seg", "--to", "coco", "--image-dir", "medical")
    info = run("info", "seg.json", "--json") if read.returncode == 0 else read
    if written.returncode not in (0, 3) or not (folder / seg).is_file() or '"images": 1' not in info.stdout:
        print("\n".join(written.stderr.splitlines()[-3:] + read.stderr.splitlines()[-3:]))
        print("the bundle could not write and read back a DICOM SEG")
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="run the bundle's --self-test afterwards")
    parser.add_argument("--no-archive", action="store_true", help="skip the Linux archive")
    parser.add_argument("--archive", choices=("xz", "gz"), default="xz", help="Linux archive (default xz)")
    parser.add_argument("--model", type=Path, help="YOLO ONNX model: the smoke test also pre-labels with it")
    args = parser.parse_args(argv)

    seconds = run_pyinstaller()
    saved = strip_bundle(BUNDLE)
    if sys.platform == "linux":
        add_desktop_entry(BUNDLE)
    size = folder_size(BUNDLE)
    print(f"build time      {seconds:6.0f} s")
    print(f"bundle size     {size / 1e6:6.0f} MB unpacked  (strip saved {saved / 1e6:.0f} MB)  {BUNDLE}")
    for name, part in largest_parts(BUNDLE):
        print(f"  {name:<32}{part / 1e6:6.0f} MB")
    if sys.platform == "linux" and not args.no_archive:
        start = time.monotonic()
        archive = make_archive(BUNDLE, args.archive)
        took = time.monotonic() - start
        print(f"archive         {archive.stat().st_size / 1e6:6.0f} MB in {took:.0f} s  {archive}")
    if args.smoke:
        return smoke_test(BUNDLE, args.model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
