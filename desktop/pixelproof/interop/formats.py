"""Every annotation format PixelProof reads or writes, declared once (DESIGN.md §9).

A ``Format`` names its reader and writer and declares their options (name, type, help, default). Everything
that offers formats is generated from these declarations: ``pixelproof convert``'s ``--from``/``--to``
choices and its option flags, ``pixelproof qa --ref-format`` and its auto-detection, and the File > Import /
Export dialog forms. A reader is ``read(path, *, on_problem=None, progress=None, **options) ->
ImportResult``; a writer ``write(project, out_path, *, progress=None, **options) -> list[str]`` (warnings
about what the target format cannot hold). Call them through ``Format.read`` / ``Format.write``, which
pause the cyclic garbage collector (converters build millions of small acyclic objects; see
``core.coco.gc_paused``). ``Format.write`` also decides, for every writer, what is not exported: objects
pending review (``PENDING_OPTION``), objects a reviewer rejected and the images they leave wrong
(``REJECTED_OPTION``) and images not labelled yet (``UNLABELED_OPTION``).

Adding a format
---------------
1. Write ``pixelproof/interop/<name>.py`` with ``read_<name>`` and/or ``write_<name>`` and, at its end, a
   declaration whose option names are the functions' keyword arguments::

       FORMAT = Format(
           name="nifti",                       # --from/--to value, lower case
           title="NIfTI label volume",         # shown in dialogs and help
           reader=read_nifti,
           writer=write_nifti,                 # None for a read-only format
           read_options=(
               Option("spacing", "float", "voxel size in mm when the header has none", default=None),
           ),
           write_options=(Option("images", "choice", "image files: ...", "keep", choices=IMAGE_CHOICES),),
           input_is_file=True,                 # INPUT is one file (else a folder; a file may still work)
           output_is_file=False,
           detect=looks_like_nifti,            # path -> bool, cheap: for qa auto-detection
           suffixes=(".nii", ".nii.gz"),       # file-dialog filter for file inputs
           declares_sizes=False,               # True: its files give image sizes, which ``read`` then
                                               # compares with the image files (interop.declared_sizes)
           holds_predictions=False,            # True: its files hold a model's proposals apart from the
                                               # labels (Label Studio's predictions): its writer gets a
                                               # model's pending objects, which others never get by default
           lost_on_export="…",                 # README's "lost on export" cell, word for word
       )

   A module may declare several formats as ``FORMATS = (Format(...), Format(...))``.
2. Add the module's import path to ``BUILTIN_MODULES`` below (the position sets the order in menus and in
   auto-detection: put specific layouts before generic ones). A plugin outside the package may call
   ``register(fmt)`` instead, before the CLI or the app lists formats.
3. Option types: ``bool``, ``choice`` (``choices`` maps value -> label), ``int``, ``float`` (``minimum`` /
   ``maximum``), ``folder``, ``file``, ``text``. The same option name must mean the same type in every
   format (one ``convert`` flag serves them all; ``tests/interop/test_formats.py`` checks it).
   Heavy or optional dependencies are imported inside the reader, never at module level.
4. Add the format's row to README's format table ("Converting other formats"): its last column, "lost on
   export", is the declaration's ``lost_on_export`` word for word (a test compares them); a round trip
   COCO -> format -> COCO test shows that nothing else is lost.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pixelproof.core.coco import gc_paused
from pixelproof.core.export_mark import mark_export
from pixelproof.core.labels import images_rejected, unmarked
from pixelproof.core.model import Project, is_pending, is_pending_prediction, is_rejected

# part of a format's declaration (see "Adding a format" above): re-exported for the ~20 format modules and
# the plugins that import them from here
from pixelproof.interop.format_options import IMAGE_CHOICES, Option, images_option, keyword_words  # noqa: F401

# Modules holding the built-in declarations, in menu and auto-detection order.
BUILTIN_MODULES = (
    "pixelproof.interop.coco_io",
    "pixelproof.interop.coco_panoptic",
    "pixelproof.interop.labelme",
    "pixelproof.interop.yolo",
    "pixelproof.interop.voc",
    "pixelproof.interop.cityscapes",
    "pixelproof.interop.kitti",
    "pixelproof.interop.openimages",
    "pixelproof.interop.cvat",
    "pixelproof.interop.mot",
    "pixelproof.interop.datumaro",
    "pixelproof.interop.labelstudio",
    "pixelproof.interop.geojson",
    "pixelproof.interop.mvtec",
    "pixelproof.interop.nifti",
    "pixelproof.interop.slicer_seg",
    "pixelproof.interop.dicom_seg",
    "pixelproof.interop.rtstruct",
    "pixelproof.interop.waymo",
    "pixelproof.interop.masks_folder",
)


UNLABELED_OPTION = Option(
    "unlabeled",
    "choice",
    "images with no objects that are not marked Done or Reviewed, in a project that marks images so (not "
    "labelled yet): leave them out (skip, the default), or write them as images without objects (keep)",
    "skip",
    choices={
        "skip": "Leave out (not labelled yet: no objects, not marked Done)",
        "keep": "Write them as images without objects",
    },
    label="Unlabelled images",
)


PENDING_OPTION = Option(
    "pending",
    "choice",
    "objects still pending review (a model's predictions not accepted yet, consensus objects, the objects "
    "of a class split in two): leave them out (leave-out, the default: they are proposals, not labels), or "
    "write them as labels (keep); a format that holds a model's proposals as such (labelstudio: the task's "
    "predictions) writes those there either way",
    "leave-out",
    choices={
        "leave-out": "Leave out (not reviewed yet: proposals, not labels)",
        "keep": "Write them as labels",
    },
    label="Pending objects",
)
# A choice of its own, not a third value of ``pending``: a pending object awaits a decision (accept it to
# export it), a rejected one was decided against (correct it, then accept it); a team exporting a model's
# proposals as labels (pending keep) still wants none a reviewer turned down, and one handing a labeller's
# whole work back (rejected keep) may still leave the proposals out.
REJECTED_OPTION = Option(
    "rejected",
    "choice",
    "objects a reviewer rejected (review rejected: the review view's Reject Object), and the images left "
    "wrong by them (every object rejected, or the image rejected as a whole): leave them out (leave-out, "
    "the default: the reviewer said these labels are wrong), or write them as labels (keep)",
    "leave-out",
    choices={
        "leave-out": "Leave out (a reviewer said they are wrong)",
        "keep": "Write them as labels",
    },
    label="Rejected objects",
)
# options every writer has, taken by ``Format.write`` itself
EXPORT_OPTIONS = (UNLABELED_OPTION, PENDING_OPTION, REJECTED_OPTION)
EXPORT_OPTION_NAMES = tuple(opt.name for opt in EXPORT_OPTIONS)
ACCEPT_ALL = "Model > Accept All Predictions in Project"
# how the warnings of ``LeftOut.note`` say to export what was left out: the command line's words (``convert``
# passes them; the app its Export dialog's; a Python caller gets them as keyword arguments, ``Format.write``);
# "accept" is how a model's pending prediction becomes a label; "decide" how another pending object does (a
# consensus object, a tie, an object of a class split in two): the accept-all actions and ``pixelproof
# predictions`` take a model's predictions only ("no pending prediction matches")
DECIDE_IN_APP = (
    "Review > Annotators Side by Side: Accept Consensus, Accept All Ties; or each in the Review mode"
)
CLI_WORDS = {
    "accept": f"accept them (in the app: {ACCEPT_ALL}) to export them",
    "decide": "decide them in review to export them (a consensus: pixelproof consensus PROJECT --accept, its "
    f"ties: --decide-ties accept; in the app: {DECIDE_IN_APP})",
} | {opt.name: f"with --{opt.name} keep" for opt in EXPORT_OPTIONS}
# the same in the app's Export dialog's words (its choices, not convert's options)
APP_WORDS = (
    {"accept": f"accept them to export them ({ACCEPT_ALL}, or Accept All on Image)"}
    | {"decide": f"decide them in review to export them ({DECIDE_IN_APP})"}
    | {opt.name: f"with the Export dialog's {opt.label}: {opt.choices['keep']}" for opt in EXPORT_OPTIONS}
)


@dataclass(frozen=True)
class LeftOut:
    """What an export leaves out: the pending objects' ids, the ids of the images not labelled yet once
    they are gone, the rejected objects' ids and the images they leave wrong (every object rejected, or the
    image rejected as a whole), in project order for the messages."""

    objects: list[int]
    images: list[int]
    rejected: list[int] = field(default_factory=list)
    rejected_images: list[int] = field(default_factory=list)

    @property
    def all_objects(self) -> list[int]:
        """Every object left out, pending or rejected."""
        return [*self.objects, *self.rejected]

    @property
    def all_images(self) -> list[int]:
        """Every image left out, not labelled yet or left wrong by rejected objects (never both)."""
        return [*self.images, *self.rejected_images]

    def object_images(self, project: Any, objects: list[int] | None = None) -> list[int]:
        """The images of ``objects`` (the pending objects left out), in project order."""
        on = {project.annotations[a].image_id for a in (self.objects if objects is None else objects)}
        return [i for i in project.images if i in on]

    def written(self, project: Any) -> tuple[int, int, int]:
        """What an export leaving these out writes: images, objects (void regions aside), void regions."""
        gone, out, void = set(self.all_objects), set(self.all_images), project.void_category_ids()
        anns = [a for a in project.annotations.values() if a.image_id not in out and a.id not in gone]
        n_void = sum(a.category_id in void for a in anns) if void else 0
        return len(project.images) - len(out), len(anns) - n_void, n_void

    def note(self, project: Any, words: dict[str, str] | None = None) -> list[str]:
        """One warning for each kind left out, naming the images; ``words``: how to export them anyway
        (``CLI_WORDS`` by default)."""
        from pixelproof.core.wording import plural

        words = words or CLI_WORDS

        notes = []
        if self.images:
            notes.append(
                f"{plural(len(self.images), 'image')} left out as not labelled yet (no objects"
                + (", or only pending ones" if self.objects else "")
                + f", not marked Done or Reviewed): {image_names(project, self.images)}; mark an image Done "
                "to export it as one without objects, or write them all " + words["unlabeled"]
            )
        if self.objects:
            images = self.object_images(project)
            notes.append(
                f"{plural(len(self.objects), 'pending object')} left out (not reviewed yet: proposals, not "
                f"labels) on {plural(len(images), 'image')}: {image_names(project, images)}; "
                f"{self.how_to_accept(project, words)}, or write them as labels {words['pending']}"
            )
        if self.rejected or self.rejected_images:
            parts = []
            if self.rejected:
                images = self.object_images(project, self.rejected)
                parts.append(
                    f"{plural(len(self.rejected), 'rejected object')} left out (a reviewer said they are "
                    f"wrong: not labels) on {plural(len(images), 'image')}: {image_names(project, images)}"
                )
            if self.rejected_images:
                parts.append(
                    f"{plural(len(self.rejected_images), 'image')} left out whole (every object rejected, "
                    "or the image rejected as a whole: labels wrong or missing, Done or not): "
                    f"{image_names(project, self.rejected_images)}"
                )
            notes.append(
                "; ".join(parts) + "; correct and accept them in review to export them, or write them as "
                "labels " + words["rejected"]
            )
        return notes

    def how_to_accept(self, project: Any, words: dict[str, str]) -> str:
        """How the pending objects left out become labels: a model's predictions are accepted (Accept All
        Predictions in Project), the others - a consensus, its ties, a class split in two - decided in
        review, which Accept All does not touch; both said when both are left out."""
        models = sum(is_pending_prediction(project.annotations[a]) for a in self.objects)
        decide = words.get("decide", CLI_WORDS["decide"])
        if models == len(self.objects):
            return words["accept"]
        if not models:
            return decide
        from pixelproof.core.wording import plural

        others = plural(len(self.objects) - models, "other")
        return f"{plural(models, 'model prediction')}: {words['accept']}; {others} (no model's): {decide}"


def image_names(project: Any, image_ids: list[int], most: int = 5) -> str:
    """The file names of the first ``most`` images, and how many more."""
    names = [project.images[i].file_name for i in image_ids[:most]]
    return ", ".join(names) + (f" and {len(image_ids) - most} more" if len(image_ids) > most else "")


@dataclass(frozen=True)
class Format:
    """A format: its reader and writer (either may be None), their options, and how to recognise it."""

    name: str
    title: str
    reader: Callable[..., Any] | None
    writer: Callable[..., list[str]] | None
    read_options: tuple[Option, ...] = ()
    write_options: tuple[Option, ...] = ()
    input_is_file: bool = False  # True: INPUT is a file (COCO JSON); False: a folder (a file may work too)
    output_is_file: bool = False
    detect: Callable[[Path], bool] | None = None
    suffixes: tuple[str, ...] = ()
    lost_on_export: str = ""
    # its writer takes ``executor`` and ``worker_path`` (``convert --workers``/``--scheduler``; see
    # docs/scaling.md for why the others write in one process)
    parallel_writer: bool = False
    # its files declare each image's size (not read from the image): ``read`` compares it with the file's
    # header (``interop.declared_sizes``) unless told not to look at images (``check_images=False``)
    declares_sizes: bool = False
    # its files hold a model's proposals as such, apart from the labels (Label Studio's ``predictions``):
    # a model's pending objects reach its writer whatever ``pending`` says, and it writes them so
    holds_predictions: bool = False
    # its files hold several annotators' versions of an image apart (Label Studio's annotations of a task):
    # a merged project's versions side by side are written so, not as copies of one another in one label set
    holds_versions: bool = False
    # the kinds of file one format covers, each with its own title, when the title names them all (CVAT:
    # "images" and "video", "CVAT for video 1.1 XML"): the import mark (``ImportResult.kind``) and the
    # export's summary (``written_kind``) name the kind a file was in, so a video task is not "for images"
    kinds: tuple[tuple[str, str], ...] = ()
    # the kind the writer writes for a project and write options (the CVAT export is CVAT for video when
    # an object has a track_id)
    written_kind: Callable[[Project, Mapping[str, Any]], str] | None = None

    def title_of(self, kind: object) -> str:
        """The title of one kind of file of this format (``kinds``); the format's title for no kind or one
        it does not have (an import mark made before kinds, or edited by hand)."""
        return next((title for name, title in self.kinds if name == kind), self.title)

    def title_for(self, project: Project, options: Mapping[str, Any]) -> str:
        """The format ``project`` is written in with ``options``, as the export's summary names it."""
        return self.title_of(self.written_kind(project, options) if self.written_kind is not None else None)

    @property
    def can_read(self) -> bool:
        return self.reader is not None

    @property
    def can_write(self) -> bool:
        return self.writer is not None

    def options(self, direction: str) -> tuple[Option, ...]:
        if direction == "read":
            return self.read_options
        return (*self.write_options, *EXPORT_OPTIONS) if self.can_write else self.write_options

    def pick_options(self, direction: str, given: Mapping[str, Any]) -> dict[str, Any]:
        """The options of ``given`` (name -> value) that this format declares for ``direction``, checked
        against its own choices and range (a flag shared by several formats may allow more); ValueError
        naming the flag otherwise."""
        out = {}
        for opt in self.options(direction):
            value = given.get(opt.name)
            if value is None:
                continue
            if opt.type == "choice" and value not in opt.choices:
                side = "input" if direction == "read" else "output"
                raise ValueError(
                    f"{opt.flag}: {self.name} {side} takes {', '.join(opt.choices)}, not {value!r}"
                )
            if opt.type in ("int", "float"):
                opt.check_range(value)
            out[opt.name] = value
        return out

    def read(self, path: Any, **kwargs: Any) -> Any:
        """Run the reader (ImportResult) with the garbage collector paused; then say each category name
        PixelProof would not make (``report_category_names``), mark each image with what was read
        (``provenance``) and, for a format that declares image sizes, report each image file of another
        size (``declares_sizes``)."""
        if self.reader is None:
            raise ValueError(f"{self.title} cannot be read")
        if isinstance(path, (str, os.PathLike)) and not os.path.lexists(path):  # else: an empty project,
            raise FileNotFoundError(f"{os.fspath(path)}: not found")  # "0 images" with no reason given
        with gc_paused():
            result = self.reader(path, **kwargs)
        from pixelproof.interop._util import report_category_names
        from pixelproof.interop.provenance import mark_imported

        report_category_names(result, path, kwargs.get("on_problem"))
        mark_imported(result.project.images, self.name, path, getattr(result, "kind", ""))  # where from
        if self.declares_sizes and kwargs.get("check_images", True):
            from pixelproof.interop.declared_sizes import report_declared_sizes

            report_declared_sizes(result, kwargs.get("on_problem"), kwargs.get("progress"))
        return result

    def leaves_out(self, ann: Any) -> bool:
        """Whether ``pending="leave-out"`` leaves ``ann`` out: it is pending review, and not a model's
        proposal this format holds as one (``holds_predictions``)."""
        if not is_pending(ann):
            return False
        return not (self.holds_predictions and (ann.source or "").startswith("model:"))

    def writes_as_label(self, ann: Any, pending: str = "leave-out") -> bool:
        """Whether ``write`` writes ``ann`` as a label, rejected objects left out: not rejected, and not a
        pending object left out or held as a model's proposal (``holds_predictions``)."""
        if is_rejected(ann):
            return False
        if not is_pending(ann):
            return True
        return pending == "keep" and not (self.holds_predictions and (ann.source or "").startswith("model:"))

    def left_out(
        self,
        project: Any,
        *,
        unlabeled: str = "skip",
        pending: str = "leave-out",
        rejected: str = "leave-out",
    ) -> LeftOut:
        """What ``write`` leaves out with these options: the pending objects (``PENDING_OPTION``); the
        rejected objects and the images they leave wrong (``REJECTED_OPTION``): one whose objects (void
        regions aside) include a rejected one and none written as a label, or that the reviewer rejected as
        a whole (its labels miss something), Done or Reviewed or not; then the images not labelled yet
        (``UNLABELED_OPTION``), an image whose objects all go among the pending ones."""
        choices = ((PENDING_OPTION, pending), (REJECTED_OPTION, rejected), (UNLABELED_OPTION, unlabeled))
        for opt, value in choices:
            if value not in opt.choices:
                raise ValueError(f"{opt.name}: expected one of {', '.join(opt.choices)}, got {value!r}")
        leaving = pending == "leave-out"
        objects = [a.id for a in project.annotations.values() if self.leaves_out(a)] if leaving else []
        rejects: list[int] = []
        wrong: list[int] = []
        if rejected == "leave-out":
            rejects = [a.id for a in project.annotations.values() if is_rejected(a)]
            wrong = images_rejected(project, lambda a: self.writes_as_label(a, pending))
        images = []
        if unlabeled == "skip":
            wrong_set = set(wrong)
            unlabeled_ids = project.unlabeled_image_ids(leaving_out=self.leaves_out if objects else None)
            images = [i for i in unlabeled_ids if i not in wrong_set]
        return LeftOut(objects, images, rejects, wrong)

    def write(
        self,
        project: Any,
        out_path: Any,
        *,
        unlabeled: str = "skip",
        pending: str = "leave-out",
        rejected: str = "leave-out",
        words: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> list[str]:
        """Run the writer (its warnings) with the garbage collector paused; a folder output is marked as
        a PixelProof export (``core.export_mark``), a stopped one written into a new folder too.
        ``pending="leave-out"`` leaves out the objects pending review, ``rejected="leave-out"`` those a
        reviewer rejected and the images they leave wrong, ``unlabeled="skip"`` the images not labelled yet
        (``left_out``; the project itself keeps them), named in the first warnings (``words``: how to export
        them anyway, ``LeftOut.note``); the next names image files not the size the project declares.
        Without ``words`` (a Python caller) the warnings name the options as this method's keyword
        arguments (``unlabeled="keep"``, ``val_fraction``); ``convert`` passes ``CLI_WORDS`` for its flags."""
        if self.writer is None:
            raise ValueError(f"{self.title} is read-only: nothing consumes files written in it")
        from pixelproof.core.image_maps import written_app
        from pixelproof.interop.declared_sizes import export_size_warning

        left = self.left_out(project, unlabeled=unlabeled, pending=pending, rejected=rejected)
        notes = left.note(project, words or CLI_WORDS)
        written = project
        if left.all_objects or left.all_images:
            gone = set(left.all_images)
            written = project.snapshot([i for i in project.images if i not in gone], without=left.all_objects)
        app = written_app(written)  # an image's status or review is written with the image only
        if app is not written.app:
            written = written if written is not project else project.snapshot()
            written.app = app
        project = unmarked(written)  # (lint's mark on pending predictions is PixelProof's own)
        sizes = export_size_warning(project, kwargs.get("images"), kwargs.get("progress"))
        from pixelproof.interop.written_counts import carried

        written_warnings = warnings = self._write(project, out_path, **kwargs)
        if words is None:  # a Python caller: the options as keyword arguments, not convert's flags
            options = (*EXPORT_OPTIONS, *self.write_options)
            notes, warnings = ([keyword_words(w, options) for w in ws] for ws in (notes, warnings))
        # sizes: says `validate --images`, a command; a writer's counts of what it wrote kept (``Written``)
        return carried(written_warnings, [*notes, *([sizes] if sizes else []), *warnings])

    def _write(self, project: Any, out_path: Any, **kwargs: Any) -> list[str]:
        from pixelproof.interop.image_guard import check_not_image, guarding_images
        from pixelproof.interop.written_counts import carried

        out = Path(out_path)
        new_folder = not self.output_is_file and not out.exists()
        with gc_paused(), guarding_images(project, out, folder=not self.output_is_file):
            if self.output_is_file:
                check_not_image(out)
                return self.writer(project, out_path, **kwargs)
            try:
                warnings = self.writer(project, out_path, **kwargs)
            except BaseException:  # a stopped export's files are the export's too (not a user's folder)
                if new_folder:
                    mark_export(project, out, self.name)
                raise
        problem = mark_export(project, out, self.name)  # a scan of the images' folder passes over it
        return warnings if problem is None else carried(warnings, [*warnings, problem])

    def looks_like(self, path: Path) -> bool:
        """The declared sniffing test; a test that raises counts as no."""
        if self.detect is None:
            return False
        try:
            return bool(self.detect(Path(path)))
        except (OSError, ValueError):
            return False


class _Registry(Mapping[str, Format]):
    """Name -> Format, filled from ``BUILTIN_MODULES`` on first use (the modules import this one to declare
    their formats, so they cannot be imported while it loads)."""

    def __init__(self) -> None:
        self._formats: dict[str, Format] = {}
        self._loaded = False

    def _all(self) -> dict[str, Format]:
        if not self._loaded:
            self._loaded = True
            for module_name in BUILTIN_MODULES:
                module = importlib.import_module(module_name)
                for fmt in getattr(module, "FORMATS", None) or (module.FORMAT,):
                    self.add(fmt)
        return self._formats

    def add(self, fmt: Format) -> Format:
        if fmt.name in self._formats and self._formats[fmt.name] is not fmt:
            raise ValueError(f"format {fmt.name!r} is already registered")
        self._formats[fmt.name] = fmt
        return fmt

    def __getitem__(self, name: str) -> Format:
        return self._all()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


FORMATS = _Registry()


def register(fmt: Format) -> Format:
    """Add a format (a plugin's); its name must be new. Built-ins are listed in ``BUILTIN_MODULES``."""
    FORMATS._all()
    return FORMATS.add(fmt)


def readable() -> list[Format]:
    return [f for f in FORMATS.values() if f.can_read]


def writable() -> list[Format]:
    return [f for f in FORMATS.values() if f.can_write]


def all_options() -> Iterator[tuple[Format, str, Option]]:
    """(format, "read" | "write", option) for every declared option."""
    for fmt in FORMATS.values():
        for direction in ("read", "write"):
            for opt in fmt.options(direction):
                yield fmt, direction, opt


def sniff(path: Path, size: int = 65536) -> bytes:
    """The first bytes of a regular file (b"" for anything else), for ``detect`` functions."""
    try:
        if not path.is_file():
            return b""
        with open(path, "rb") as f:
            return f.read(size)
    except OSError:
        return b""


def detect_formats(path: str | Path) -> list[Format]:
    """Every readable format whose ``detect`` accepts ``path``, in declaration order (a folder may hold
    two datasets)."""
    p = Path(path)
    return [f for f in readable() if f.looks_like(p)]


def detect_format(path: str | Path) -> Format | None:
    """The first readable format (in declaration order) whose ``detect`` accepts ``path``."""
    p = Path(path)
    return next((f for f in readable() if f.looks_like(p)), None)
