"""Where a project (or an export) may be written: never over a file that is not a project, into a folder
that does not exist or a read-only file. ``core.coco.save_project`` checks it, and so do the commands that
run a long job before they save, so a mistyped ``-o`` fails at once; the commands first make the missing
folders of a new output (``make_parent_folders``). Split out of ``core.coco``. No report, export or
key map is written over a file of the project's dataset either (``dataset_file_problem``): the CLI's
commands and every writer of the app ask it before writing a file the user named.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pixelproof.core.atomic import ReadOnlyFileError, read_only, write_target
from pixelproof.core.coco_dump import ProjectSaveError
from pixelproof.core.limits import not_a_file
from pixelproof.core.project_json import ProjectFormatError, parse_json

if TYPE_CHECKING:
    from pixelproof.core.model import Project

FOREIGN_CHECK_BYTES = 4 << 20  # JSON up to this size is parsed to see it is a project (< 0.1 s)
PROJECT_KEYS = (b'"images"', b'"annotations"', b'"categories"')  # in the head: taken for a project


def check_save_target(target: Path, *, project_file: bool = False) -> None:
    """``ProjectSaveError`` when ``target`` is a file that is not a project (``save_project`` checks it;
    a long job checks it first too): a project is written over a project (or an empty file or a new
    name), never over a picture, a system file or another tool's JSON (a package.json, a LabelMe file:
    the keys ``_check_coco`` refuses to open) that a mistyped ``-o`` names (the backup would keep one copy
    of it, the next save none). JSON whose first 4 KB name none of COCO's lists is parsed to tell, up to
    ``FOREIGN_CHECK_BYTES`` (a bigger one is taken for a project, as before), not when ``project_file``
    (the file the project was loaded from); JSON that does not parse may be a damaged project, and is
    replaced (its .bak keeps it). A
    folder, or a name in a folder that does not exist, is refused too (see :func:`check_output_path`)."""
    check_output_path(target)
    try:  # non-blocking: a FIFO is not waited on
        fd = os.open(write_target(target), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return  # a new file, or one atomic_write reports
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return  # atomic_write says what is wrong with it
        head = f.read(4096)
        text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
        if text and not text.startswith(b"{"):
            raise ProjectSaveError(f"{target}: exists and is not a project file (JSON); not overwritten")
        if (
            project_file
            or not text
            or st.st_size > FOREIGN_CHECK_BYTES
            or any(k in head for k in PROJECT_KEYS)
        ):
            return  # a project as PixelProof and COCO tools write it names its lists first
        raw = head + f.read(FOREIGN_CHECK_BYTES)
    try:
        keys = foreign_keys(parse_json(raw, target))
    except ProjectFormatError:
        return
    if keys:
        raise ProjectSaveError(
            f"{target}: exists and is not a project file (JSON with no images, annotations or categories; "
            f"its keys: {keys}); not overwritten"
        )


def check_not_folder_name(target: str | os.PathLike[str], example: str = "<file name>") -> None:
    """``ProjectSaveError`` when ``target`` ends with a path separator (``-o out/``): the user named a
    folder, but ``Path`` drops the slash, so a file called ``out`` (no extension) was written - and a COCO
    export's ``--images copy`` put the pictures in ``images/`` beside it, inside the dataset."""
    text = os.fspath(target)
    if text.endswith(tuple(s for s in (os.sep, os.altsep, "/") if s)):
        raise ProjectSaveError(
            f"{text}: ends with {text[-1]!r}, a folder's name, not a file to write: name the file "
            f"({text}{example})"
        )


def check_output_path(target: str | os.PathLike[str], follow_links: bool = True) -> None:
    """``ProjectSaveError`` naming ``target`` when no file can be written there: it is a folder (a FIFO, a
    device, or a name ending in ``/``), or its folder does not exist (or is a file), or it is read-only.
    Checked before a job runs. ``follow_links`` False: a side file's check (``atomic_output``'s), a link
    there is to be replaced, so whatever it names is not looked at."""
    check_not_folder_name(target)
    check_name_lengths(target)
    if not follow_links and os.path.islink(target):
        _check_folder(target, Path(os.path.abspath(target)).parent)
        return
    try:
        path = write_target(target)
    except OSError as e:
        raise ProjectSaveError(f"{target}: {e.strerror or e}") from None
    if path.is_symlink():  # still a link once resolved: a loop, refused before the run, not after it
        raise ProjectSaveError(f"{target}: is a symbolic link to {_link_end(path)}; nothing written")
    if (kind := not_a_file(path)) is not None:  # a FIFO, a device: atomic_output's refusal came after the run
        raise ProjectSaveError(f"{target}: is {kind}, not a file to write")
    _check_folder(target, path.parent)
    if read_only(path):
        raise ProjectSaveError(str(ReadOnlyFileError(target)))


def _check_folder(target: str | os.PathLike[str], parent: Path) -> None:
    """``ProjectSaveError`` naming ``target`` when its folder ``parent`` is missing or not writable."""
    if not parent.is_dir():
        state = "is not a folder" if parent.exists() else "does not exist"
        raise ProjectSaveError(f"{target}: the folder {parent} {state}")
    if not os.access(parent, os.W_OK | os.X_OK):  # every write makes a temporary file there first
        raise ProjectSaveError(f"{target}: cannot write in the folder {parent} (permission denied)")


def make_parent_folders(target: str | os.PathLike[str], *, create: bool = True) -> None:
    """Make the missing folders above ``target`` (as ``mkdir -p``): a command's ``-o proj/project.json``
    made nothing and said "the folder proj does not exist", where most tools' ``-o`` makes it.
    ``ProjectSaveError`` naming ``target`` and the path at fault, nothing made, when one on the way is a
    file, a symbolic link to nothing, or the first existing folder cannot be written in. ``create``
    False: only check (a command with several outputs checks all before it makes any folder)."""
    check_name_lengths(target)
    try:
        parent = write_target(target).parent
        missing: list[Path] = []
        while not parent.exists():  # follows symlinks: a link to a folder is that folder
            if parent.is_symlink():
                raise ProjectSaveError(f"{target}: {parent} is a symbolic link to {_link_end(parent)}")
            missing.append(parent)
            parent = parent.parent
    except OSError as e:  # a path too long for the system as a whole
        raise ProjectSaveError(f"{target}: {e.strerror or e}") from None
    if not parent.is_dir():  # a file (a FIFO, a device) where a folder is named
        raise ProjectSaveError(f"{target}: {parent} is a file, not a folder")
    if not missing:
        return
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ProjectSaveError(
            f"{target}: cannot make the folder {missing[-1]} (permission denied in {parent})"
        )
    if not create:
        return
    try:
        missing[0].mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ProjectSaveError(f"{target}: cannot make the folder {missing[0]}: {e.strerror or e}") from None


def check_name_lengths(target: str | os.PathLike[str]) -> None:
    """``ProjectSaveError`` naming ``target`` when one of its names is longer than a folder entry may be
    (255 bytes on most systems): checked before any folder is made, as no file can be written there
    (``-o reports/<a 300-character name>.json`` made ``reports``, then ended in a traceback)."""
    limit = _name_max(target)
    for name in Path(os.path.abspath(target)).parts[1:]:
        if len(os.fsencode(name)) > limit:
            raise ProjectSaveError(
                f"{target}: the name {name[:40]}... is {len(os.fsencode(name)):,} bytes long; "
                f"a file or folder name may have at most {limit}"
            )


def _name_max(target: str | os.PathLike[str]) -> int:
    """The longest name the file system under ``target``'s first existing folder takes (255 if unknown)."""
    folder = Path(os.path.abspath(target)).parent
    while not os.path.isdir(folder) and folder != folder.parent:
        folder = folder.parent
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):  # no pathconf (Windows), or no answer
        return 255


def _link_end(link: Path) -> str:
    """Where a symbolic link that leads nowhere points: its target, or that it is a loop of links."""
    try:
        os.stat(link)
    except OSError as e:
        if e.errno == errno.ELOOP:
            return f"{os.readlink(link)}, a loop of symbolic links"
    return f"{os.readlink(link)}, which does not exist"


def foreign_keys(data: Any) -> str:
    """The keys of a JSON object with keys but none of COCO's lists (another tool's file: LabelMe, VIA, a
    package.json), "" for anything else: what is no project, to open or to write over. ``{}`` is one."""
    if (
        isinstance(data, dict)
        and set(data) - {"pixelproof"}
        and not set(data) & {"images", "annotations", "categories"}
    ):
        return ", ".join(list(data)[:5]) + (", ..." if len(data) > 5 else "")
    return ""


def dataset_file_problem(
    output: str | os.PathLike[str] | None,
    projects: Iterable[Project],
    reference: str | os.PathLike[str] | None = None,
) -> str | None:
    """Why ``output`` must not be written, naming it, or None: it is the file of one of ``projects``, the
    ``reference`` (a review's), or one of the projects' image files (or a volume a slice is read from). A
    report or export written there (a name typed in the images' folder, a link to a picture) would replace
    it, and only the file dialog's "replace?" stood in the way. One rule for the CLI
    (``refuse_image_outputs``) and the app's writers. The images are looked at only when ``output``
    exists, by file identity (links and case-insensitive disks)."""
    from pixelproof.core.limits import same_file
    from pixelproof.core.volumes import image_files

    if output is None or not os.fspath(output):
        return None
    projects = list(projects)
    for project in projects:
        if project.path is not None and same_file(Path(output), Path(project.path)):
            return f"{output}: is the project file {project.path} itself; choose another file"
    if reference is not None and same_file(Path(output), Path(reference)):
        return f"{output}: is the reference {reference}; choose another file"
    try:
        st = os.stat(output)
    except OSError:
        return None  # a new file is no image (nor a name a writer cannot follow: it says so)
    for project in projects:
        for image, file in image_files(project):
            try:
                there = os.stat(file)
            except OSError:
                continue
            if (there.st_dev, there.st_ino) == (st.st_dev, st.st_ino):
                owner = project.path if project.path is not None else "the open project"
                return f"{output}: is the image {image.file_name} of {owner}; choose another file"
    return None


def check_not_dataset_file(
    output: str | os.PathLike[str] | None,
    projects: Iterable[Project],
    reference: str | os.PathLike[str] | None = None,
) -> None:
    """``ProjectSaveError`` with ``dataset_file_problem``'s message when it finds one."""
    if (problem := dataset_file_problem(output, projects, reference)) is not None:
        raise ProjectSaveError(problem)
