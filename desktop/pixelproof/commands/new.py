"""``pixelproof new IMAGE_DIR -o PROJECT [--categories a,b,c]``: a project over a folder of images."""

from __future__ import annotations

import argparse
from pathlib import Path

from pixelproof.commands._common import ProgressBar, error, refuse_outputs, warn
from pixelproof.core import history
from pixelproof.core.coco import ProjectSaveError, save_project
from pixelproof.core.export_mark import SkippedExport, exports_note
from pixelproof.core.image_folder import category_names
from pixelproof.core.wording import plural
from pixelproof.interop import FORMATS
from pixelproof.interop.slicer_seg_folder import project_with_segmentations


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="create a project over a folder of images")
    p.add_argument("image_dir", help="folder of images (searched recursively)")
    p.add_argument("-o", "--output", required=True, metavar="PROJECT", help="project .json file to write")
    p.add_argument(
        "--categories", default="", metavar="A,B,...", help="comma-separated category names, e.g. cat,dog"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="replace an existing PROJECT (its previous version stays in .bak)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    image_dir = Path(args.image_dir)
    if not image_dir.is_dir():
        error(f"{image_dir}: not a folder")
        return 1
    if refuse_outputs(args.output, projects=True):  # before the image sizes are read
        return 1
    out = Path(args.output)
    if out.exists() and not args.force:  # an empty project over a labelled one is a typo, not a wish
        error(f"{out}: exists; new would replace it with an empty project (give another -o, or --force)")
        return 1
    try:
        cats = category_names(args.categories)
    except ValueError as e:
        error(f"--categories: {e}")
        return 1
    if FORMATS["mvtec"].looks_like(image_dir):  # its masks would be pictures to label, its defects none
        warn(
            f"{image_dir} is an MVTec AD dataset: new reads its ground_truth masks as images to label, and "
            "no defect as a label; to import them: "
            f"pixelproof convert {image_dir} {out} --from mvtec --to coco"
        )
    exports: list[SkippedExport] = []  # PixelProof exports inside, not searched: counted in the summary
    read: list[str] = []  # 3D Slicer segmentations read onto their volumes, said after the bar
    with ProgressBar("reading image sizes") as bar:
        project = project_with_segmentations(
            image_dir,
            out,
            cats,
            on_skip=lambda m: warn(m, bar),
            on_read=read.append,
            progress=bar,
            on_export=exports.append,
        )
    if not project.images:
        error(f"{image_dir}: no images found{exports_note(exports)}")
        return 1
    history.note(project, tool="new")  # the first change log entry says which command made the project
    try:
        save_project(project, out)
    except ProjectSaveError as e:
        error(str(e))
        return 1
    for line in read:
        print(line)
    images, categories = plural(len(project.images), "image"), plural(len(project.categories), "category")
    objects = f", {plural(len(project.annotations), 'object')}" if project.annotations else ""
    print(f"{out}: {images}, {categories}{objects}{exports_note(exports)}")
    return 0
