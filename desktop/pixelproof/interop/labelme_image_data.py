"""LabelMe's ``imageData``: the base64 image a LabelMe JSON may carry. On import it stands in for a
missing or wrong ``imagePath`` and is written out with ``--extract-images`` (never over another file); on
export (``--image-data``) only a readable image of the dataset is embedded."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from pixelproof.core.imageio import IMAGE_SUFFIXES, ImageReadError, decode_file, image_size, is_image_file
from pixelproof.core.model import ImageRecord
from pixelproof.interop._util import Reporter, is_file, outside_root_warning, refused_outside
from pixelproof.interop.image_placing import copied_bytes, rendered_as_png

_MAGIC = (
    (b"\xff\xd8\xff", ".jpg"),
    (b"\x89PNG", ".png"),
    (b"BM", ".bmp"),
    (b"II*\x00", ".tif"),
    (b"MM\x00*", ".tif"),
)


def locate_image(
    file: Path, image_path: str, embedded: str | None, extract: Path | None, report: Reporter
) -> tuple[Path, str, bool]:
    """(image file, its name, whether it was extracted) for a JSON's ``imagePath`` and ``imageData``.

    An ``imagePath`` that is no image file (LabelMe's tutorial ``apc2016_obj3.json`` names the JSON
    itself) gives way to the embedded image, named after the JSON; ``extract`` then writes it."""
    named = image_path
    if embedded and not is_image_file(image_path.replace("\\", "/")):
        image_path = file.stem + _embedded_suffix(embedded)
        report(f"{file}: imagePath {named} is not an image file; the embedded image is used, as {image_path}")
    elif Path(image_path).suffix.lower() == ".json":
        beside = [file.with_suffix(s).name for s in IMAGE_SUFFIXES if file.with_suffix(s).is_file()]
        image_path = beside[0] if beside else file.stem + ".jpg"
        report(
            f"{file}: imagePath {named} is not an image file and there is no imageData; using {image_path}"
        )
    image_file = file.parent / image_path.replace("\\", "/")
    if is_file(image_file) and not (named != image_path and embedded and extract is not None):
        return image_file, image_path, False
    if embedded and extract is not None:
        extracted = extract_image(file, embedded, image_path, extract, report)
        if extracted is not None:
            return extracted, image_path, True
    elif embedded:
        report(f"{file}: image file {image_path} not found; its embedded imageData was not extracted")
    else:
        report(
            f"{file}: image file {image_path} not found (and no imageData); "
            "imported with the size recorded in the JSON"
        )
    return image_file, image_path, False


def _embedded_suffix(embedded: str) -> str:
    """The file suffix of base64 image data, from its first bytes (PNG when unknown)."""
    try:
        head = base64.b64decode(embedded[:64], validate=True)
    except ValueError:
        return ".png"
    return next((suffix for magic, suffix in _MAGIC if head.startswith(magic)), ".png")


def extract_image(file: Path, embedded: Any, image_path: str, folder: Path, report: Reporter) -> Path | None:
    """Write an embedded image into ``folder`` under its own name - or, when another image already has
    that name, a free variant (``name_2.png`` ...), reported. Returns where it went (None: not written)."""
    try:
        data = base64.b64decode(embedded, validate=True) if isinstance(embedded, str) else None
    except ValueError:
        data = None
    if not data:
        report(f"{file}: imageData is not base64 image data; not extracted")
        return None
    name = Path(image_path.replace("\\", "/")).name
    if name in ("", ".", "..") or not is_image_file(name):
        name = f"{file.stem}.png"
    folder.mkdir(parents=True, exist_ok=True)
    stem, suffix = Path(name).stem, Path(name).suffix
    for n in range(1, 10_000):
        target = folder / (name if n == 1 else f"{stem}_{n}{suffix}")
        try:
            with open(target, "xb") as f:  # never over an existing file (or through a symlink)
                f.write(data)
        except FileExistsError:
            if target.is_file() and not target.is_symlink() and target.read_bytes() == data:
                return target  # extracted before (a second run): the same image
            continue
        except (OSError, ValueError) as e:  # a name too long for the file system, a read-only folder
            report(f"{file}: embedded image {name} cannot be written to {folder} ({e}); not extracted")
            return None
        if n > 1:
            report(f"{file}: embedded image {name} extracted as {target.name} ({name} is another image)")
        return target
    report(f"{file}: no free name for embedded image {name} in {folder}; not extracted")
    return None


def embeddable(src: Path, image: ImageRecord, warnings: list[str], apply_exif: bool = True) -> bytes | None:
    """The image for ``imageData``, when it is an image file of the dataset, as a copy holds it
    (``copied_bytes``): LabelMe takes ``imageData`` as stored (no EXIF turn, no DICOM) and refuses one
    that is not ``imageWidth`` x ``imageHeight``. As for copies (``place_image``), a file outside the
    dataset folder it was imported from or a file that is no image (a COCO ``file_name`` naming
    ``~/.ssh/id_rsa``) is never embedded in the export."""
    if refused_outside(image):
        warnings.append(outside_root_warning(src, "embedded"))
        return None
    if not is_file(src):
        return None
    try:
        image_size(src)  # the header of an image (a regular file: no FIFO is opened)
        data = copied_bytes(src, image, apply_exif)
        if data is not None and not rendered_as_png(src):  # a slice or DICOM image: already decoded
            decode_file(src, data=data)  # a corrupt JPEG's good header: "not a readable image", as the app
    except (ImageReadError, OSError) as e:
        warnings.append(f"{e}; not embedded")
        return None
    if data is None:
        warnings.append(f"{src}: could not encode the image; not embedded")
    return data
