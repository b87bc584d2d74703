"""Work the review view hands to background jobs: load the reference and score the candidate, and draw the
overlays of one image. Plain numpy and core calls (no widgets), so it runs off the UI thread."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from pixelproof.core import qa, qa_difference
from pixelproof.core.category_colors import default_color, shown_color
from pixelproof.core.model import Project
from pixelproof.core.qa import ObjectRow, QAOptions, QAResult
from pixelproof.core.qa_cache import ScoreCache
from pixelproof.core.qa_objects import ImagePair, annotations_placed, placed_or_raise
from pixelproof.core.qa_team import holds_versions
from pixelproof.core.qa_volumes import first_differences
from pixelproof.core.references import Reference
from pixelproof.core.report_files import KINDS
from pixelproof.core.wording import plural
from pixelproof.interop.labelstudio_annotators import ANNOTATOR_CHOICES
from pixelproof.interop.nifti_series_fit import series_home, series_stamp
from pixelproof.interop.references import ReferenceLoadError, load_reference, reference_stamp
from pixelproof.ui.shortcut_entry import menu_item

FILL_ALPHA = 90
_CROSS = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], np.uint8)
DASH = 6  # layer pixels on, then off, along an unmatched object's edge (a cue that needs no colour)
# QA statuses drawn in their Difference colour on the reference / candidate panes
REF_FLAGGED = {"fn": qa_difference.DIFF_FN, "wrong_class": qa_difference.DIFF_WRONG_CLASS}
CAND_FLAGGED = {"fp": qa_difference.DIFF_FP, "wrong_class": qa_difference.DIFF_WRONG_CLASS}


@dataclass
class Scored:
    """A QA run with the tables the view shows, prepared off the UI thread, and what the next run after an
    edit reuses: the reference as read, what it was read with, and each pair's score (``qa_cache``)."""

    reference: Reference
    result: QAResult
    image_table: list[dict[str, Any]]
    objects: dict[str, list[ObjectRow]]  # file name -> object rows
    pairs: dict[int, ImagePair]  # candidate image id -> pair
    geometry: dict[int, tuple]  # candidate annotation id -> (category, bbox, segmentation) as scored
    #: (volume, category) -> (candidate image id of the volume's first slice where the class differs, True),
    #: else (of its first slice, False): ``qa_volumes.first_differences``
    volume_starts: dict[tuple[str, str], tuple[int, bool]] = field(default_factory=dict)
    read: Reference | None = None  # the reference as read (``reference`` has its classes respelt by QA)
    read_with: tuple = ()  # ``read_key``: read again when it changes
    cache: ScoreCache = field(default_factory=ScoreCache)
    rescored: int | None = None  # a refresh: the images scored again (the others' scores kept); None: all
    changed_on_disk: bool = False  # a refresh read the reference again: its file changed on disk
    holds_versions: bool = False  # the candidate holds annotators' versions (``qa_team.holds_versions``)


def read_key(path: Path, fmt: str | None, candidate: Project) -> tuple:
    """What reading a reference depends on: its path, what is there on disk (``reference_stamp``: a file
    changed since, by a colleague or another tool, is read again at the next refresh), the format named,
    the candidate's category names (a mask folder's values are named by them), and the folder of the
    candidate's DICOM series with its subfolders as they are (``series_home``, ``series_stamp``: a NIfTI
    label map is fitted to a series there; images relocated to another series folder, or a series added
    beside, read it again)."""
    home = series_home(candidate)
    cats = {k: c.name for k, c in candidate.categories.items()}
    return path, reference_stamp(path), fmt, cats, home, series_stamp(home)


def versions_menu_item() -> str:
    """Review > Score Every Annotator's Version, as the menu shows it: what scores every version in the
    app (the command line's ``qa --versions all``)."""
    return menu_item("review.all_versions")


def all_in_report(kind: str = "json") -> str:
    """Where the rest of a list cut short is, in the app: ``Review > Export Report``'s file of ``kind``
    (a ``report_files.KINDS`` key, named as its file dialog names it), not ``qa``'s flag for it."""
    return f"{menu_item('review.export_report')} lists all ({KINDS[kind][0]})"


def score(
    job: Any,
    path: Path,
    candidate: Project,
    options: QAOptions,
    fmt: str | None = None,
    previous: Scored | None = None,
    near_miss_command: str | None = None,
    versions_switch: str | None = None,
) -> Scored:
    """Load ``path`` (as format ``fmt``, else detected) and score ``candidate`` against it, reporting
    progress to ``job`` (a ui Job). With ``previous`` (the run shown: a refresh after an edit) its reference
    is scored against again unless ``read_key`` changed, and only the pairs whose inputs changed are scored
    (``core.qa_cache``); the result is that of a run from nothing. Many pairs to score
    (``core.batch.is_large_job``) are scored on local worker processes, one per core, announced with
    ``job.send(("where", description))``; Cancel stops them. ``near_miss_command``: the command the
    near-miss warning names (None: the view has no threshold setting; an exported report names qa's);
    ``versions_switch``: what a merged project's lines name as scoring every version (None: the menu item,
    ``versions_menu_item``; an exported report names qa's flag).
    Raises ``ReferenceLoadError`` with a line per
    problem, naming the file."""
    from pixelproof.core.batch import Executor, make_executor
    from pixelproof.core.qa_batch import SECONDS_PER_PAIR

    key = read_key(path, fmt, candidate)
    on_disk_changed = False
    if previous is not None and previous.read is not None and previous.read_with == key:
        reference, cache = previous.read, previous.cache.copy()  # the copy: the view's stays as it is
    else:
        on_disk_changed = previous is not None and previous.read_with[:1] + previous.read_with[2:] == (
            key[:1] + key[2:]
        )  # only the file changed: said in the status bar
        if not path.exists():
            raise ReferenceLoadError([f"{path}: no such file or folder"])
        home = key[4]  # ``series_home``: a label map named after no series is put on the one it fits
        reference = load_reference(path, candidate, fmt, series_home=home)
        cache, previous = ScoreCache(), None

    def progress(pairs, total):  # type: ignore[no-untyped-def]
        job.report(0, total)
        for n, pair in enumerate(pairs, start=1):
            yield pair
            job.report(n, total)

    def executor_for(pairs: int) -> Executor:  # sized by the pairs to score: one after an edit
        executor = make_executor(pairs, seconds_per_item=SECONDS_PER_PAIR)
        if executor.kind != "serial":
            job.send(("where", executor.describe()))
        return executor

    result = qa.run_qa(
        reference,
        candidate,
        options,
        progress=progress,
        cancelled=job.is_cancelled,
        executor=executor_for,
        cache=cache,
        near_miss_command=near_miss_command,
        versions_switch=versions_switch or versions_menu_item(),
    )
    job.check()
    objects: dict[str, list[ObjectRow]] = {}
    for row in result.per_object:
        objects.setdefault(row.file_name, []).append(row)
    geometry = {a.id: (a.category_id, list(a.bbox), a.segmentation) for a in candidate.annotations.values()}
    return Scored(
        reference=result.reference,  # its classes named as the candidate's where QA paired a respelling
        result=result,
        image_table=result.image_table(),
        objects=objects,
        pairs={p.cand.id: p for p in result.pairs},
        geometry=geometry,
        volume_starts=first_differences(result),
        read=reference,
        read_with=key,
        cache=cache,
        rescored=None if previous is None else cache.scored,
        changed_on_disk=on_disk_changed,
        holds_versions=holds_versions(candidate),
    )


@dataclass
class Overlays:
    """RGBA layers of one image pair (HxWx4 uint8), and which difference codes occur."""

    image_id: int
    outline: bool
    reference: np.ndarray
    candidate: np.ndarray
    difference: np.ndarray
    codes_present: set[int] = field(default_factory=set)
    scale: int = 1  # image pixels per layer pixel along each axis (``qa_difference.layer_scale``)


def category_colors(candidate: Project, reference: Project) -> dict[str, tuple[int, int, int]]:
    """Colour per category name: the candidate's colours, reference-only names get the default palette."""
    out: dict[str, tuple[int, int, int]] = {}
    for n, cat in enumerate([*candidate.categories.values(), *reference.categories.values()]):
        if cat.name in out:
            continue
        own = n < len(candidate.categories)  # as the labeling view draws it; reference-only: by place
        hexa = (shown_color(cat.color, cat.id) if own else cat.color or default_color(n)).lstrip("#")
        out[cat.name] = (int(hexa[0:2], 16), int(hexa[2:4], 16), int(hexa[4:6], 16))
    return out


def flagged_objects(rows: list[ObjectRow]) -> tuple[dict[int, int], dict[int, int]]:
    """Reference and candidate annotation ids QA did not match cleanly -> their difference code: missed
    (reference), extra (candidate), wrong class (both). ``mask_layer`` draws them so that a missed object
    of a green class never reads as the Difference legend's green agreement."""
    ref = {r.ref_id: REF_FLAGGED[r.status] for r in rows if r.status in REF_FLAGGED and r.ref_id is not None}
    cand = {
        r.cand_id: CAND_FLAGGED[r.status] for r in rows if r.status in CAND_FLAGGED and r.cand_id is not None
    }
    return ref, cand


def dashed_edge(mask: np.ndarray) -> np.ndarray:
    """The border pixels of ``mask``, every other ``DASH`` of them along each contour: a dashed line."""
    contours, _ = cv2.findContours(mask.astype(np.uint8), cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    out = np.zeros(mask.shape, bool)
    for c in contours:
        pts = c.reshape(-1, 2)
        on = pts[(np.arange(len(pts)) // DASH) % 2 == 0]
        out[on[:, 1], on[:, 0]] = True
    return out


def mask_layer(
    project: Project,
    pair_image,  # type: ignore[no-untyped-def]
    shape: tuple[int, int],
    colors: dict,
    outline: bool,
    scale: int = 1,
    flagged: dict[int, int] | None = None,
) -> np.ndarray:
    """Each object of one side: its category colour, a light fill (unless ``outline``) and a solid edge;
    ``scale`` > 1: at one pixel per block of the image (``qa_difference.pooled``). An object ``flagged``
    (annotation id -> difference code, ``flagged_objects``) gets a dashed edge in its Difference colour,
    and a missed or extra one its fill too (a wrong-class one keeps its class's fill: the class is the
    point)."""
    h, w = shape
    flagged = flagged or {}
    out = np.zeros((-(-h // scale), -(-w // scale), 4), np.uint8)
    anns = list(project.annotations_of(pair_image.id))
    for ann, found in zip(anns, annotations_placed(anns, h, w), strict=True):  # decoded in one batch
        cat = project.categories.get(ann.category_id)
        rgb = colors.get(cat.name if cat is not None else "", (255, 0, 255))
        placed = qa_difference.pooled(placed_or_raise(found), scale)
        if placed.is_empty:
            continue
        m = placed.mask
        code = flagged.get(ann.id)
        edge_rgb = rgb if code is None else qa_difference.DIFF_COLORS[code][:3]
        if code is not None and code != qa_difference.DIFF_WRONG_CLASS:
            rgb = edge_rgb
        edge = m & ~cv2.erode(
            m.astype(np.uint8), _CROSS, borderType=cv2.BORDER_CONSTANT, borderValue=0
        ).astype(bool)
        region = out[placed.y0 : placed.y1, placed.x0 : placed.x1]
        if not outline:
            fill = m & ~edge
            region[fill] = (*rgb, FILL_ALPHA)
        region[dashed_edge(m) if code is not None else edge] = (*edge_rgb, 255)
    return out


def overlays(
    pair: ImagePair, reference: Reference, candidate: Project, outline: bool, rows: list[ObjectRow] = ()
) -> Overlays:
    """The three layers of the review panes for one image pair, reduced for a slide past the pixel limit;
    ``rows``: the pair's scored objects, its unmatched ones drawn so (``flagged_objects``)."""
    shape = pair.shape
    ref_flags, cand_flags = flagged_objects(list(rows))
    scale = qa_difference.layer_scale(*shape)
    colors = category_colors(candidate, reference.project)
    codes = qa_difference.difference_image(pair, reference, candidate, scale=scale)
    present = {int(c) for c in np.unique(codes)} - {qa_difference.DIFF_NONE}
    return Overlays(
        image_id=pair.cand.id,
        outline=outline,
        reference=mask_layer(reference.project, pair.ref, shape, colors, outline, scale, ref_flags),
        candidate=mask_layer(candidate, pair.cand, shape, colors, outline, scale, cand_flags),
        difference=qa_difference.difference_rgba(codes, outline=outline),
        codes_present=present,
        scale=scale,
    )


# a reader's (or QA's) advice naming a ``qa`` option or another command the view has no field for, as the
# view's user can follow it: in the app ({import_}: File > Import, {reference}: Review > Choose Reference
# Project, {folder}: Review > Choose Reference Dataset Folder, named from the shortcut registry; {each}: the
# Import dialog's Annotators choice), else from the command line, said without its flag
PICK_AGAIN = "choose it again with {folder} (a file: with {reference}), which asks"
IN_APP_WORDS = {
    "name the format to read with --ref-format": f"{PICK_AGAIN} which of them to read",
    "name one with --ref-format": f"{PICK_AGAIN} which format to read it as",
    "--annotator-versions each": (
        "import it with {import_}'s Annotators: {each}, save it and choose it with {reference}"
    ),
    "give the images' folder with --image-dir": (
        "put the image beside it or in a folder of the project's images"
    ),
    "with --image-dir": (
        "in the Images folder of {import_} (the reference imported there and saved, then chosen with "
        "{reference})"
    ),
    "as Images folder (--image-dir;": (
        "as the Images folder of {import_} (the reference imported there and saved, then chosen with "
        "{reference};"
    ),
    "(--image-dir)": (
        "(the Images folder of {import_}: the reference imported there and saved, then chosen with "
        "{reference})"
    ),
    "agreement --manifest scores the annotators on them": (
        "from the command line: pixelproof agreement, given the split's manifest, scores the annotators "
        "on them"
    ),
    "see --score-threshold": "from the command line: pixelproof qa with a score threshold",
}


def in_app_words(text: str) -> str:
    """``text`` (a banner line) with ``IN_APP_WORDS``' advice in the app's terms (first match first: the
    longer phrase before the one it holds)."""
    names = {
        "import_": menu_item("file.import", "File"),
        "reference": menu_item("review.choose_project"),
        "folder": menu_item("review.choose_folder"),
        "each": ANNOTATOR_CHOICES["each"],
    }
    for flag, words in IN_APP_WORDS.items():
        if flag in text:
            text = text.replace(flag, words.format(**names))
    return text


def failure_text(reason: str, path: Path) -> str:
    """The banner for a QA run that failed: the reference's problems, at most 8 lines of them."""
    if reason.startswith("ReferenceLoadError: "):
        lines = in_app_words(reason.removeprefix("ReferenceLoadError: ")).splitlines()
        shown = "\n".join(lines[:8]) + (f"\n… and {len(lines) - 8} more" if len(lines) > 8 else "")
        return f"Cannot read the reference {path}:\n{shown}"
    return f"QA against {path} failed: {reason}"


NAMED = 3  # unmatched images named in the banner; its tooltip names up to TIP_NAMED
TIP_NAMED = 200
SHOWN_PROBLEMS = 5  # warnings written in the banner; "… and N more" says the rest are in its tooltip


def _named(names: list[str], n: int) -> str:
    return ", ".join(names[:n]) + (f" and {len(names) - n} more" if len(names) > n else "")


def result_notes(result: qa.QAResult) -> str | None:
    """The banner after a QA run: its lead line (``QAResult.lead``), the unmatched images (the first few
    by name), the first ``SHOWN_PROBLEMS`` problems the lead does not sum up and "… and N more warnings"
    (listed in ``banner_tip``), or None. The rest
    were dropped unsaid, a later warning such as two pixel spacings for one image with them. Plain text:
    names are shown as written."""
    problems = shown_problems(result)
    notes = [result.lead] if result.lead else []  # what the figures mean, before what they lack
    if result.unmatched_reference:
        n = len(result.unmatched_reference)
        said = f"{n} reference image{' has' if n == 1 else 's have'} no candidate image"
        missed = sum(c.fn for c in result.missed.values())
        said += f" (their {plural(missed, 'object')} counted as missed)" if missed else ""
        notes.append(f"{said}: {_named(result.unmatched_reference, NAMED)}")
    if result.unmatched_candidate:
        n = len(result.unmatched_candidate)
        said = f"{n} candidate image{' is' if n == 1 else 's are'} not in the reference (not scored)"
        notes.append(f"{said}: {_named(result.unmatched_candidate, NAMED)}")
    notes += [in_app_words(p) for p in problems[:SHOWN_PROBLEMS]]
    hidden = len(result.lead_covers) + max(len(problems) - SHOWN_PROBLEMS, 0)
    if hidden > 0:
        what = ", the per-class ones the first line sums up among them" if result.lead_covers else ""
        notes.append(f"… and {plural(hidden, 'more warning')}{what} (hover here for every one)")
    return "\n".join(notes) if notes else None


def shown_problems(result: qa.QAResult) -> list[str]:
    """The warnings the banner may list: all but its lead line and the per-class ones the lead sums up
    (a tracker's file against a multi-class reference: four lines of Dice 0 above what to read), those
    kept for its tooltip."""
    covered = set(result.lead_covers)
    return [p for p in result.problems if p != result.lead and p not in covered]


def banner_tip(result: qa.QAResult) -> str | None:
    """The banner's tooltip, plain text: every warning when the banner shows only the first
    ``SHOWN_PROBLEMS`` (up to ``TIP_NAMED``), and every unmatched image by name (up to ``TIP_NAMED`` a
    side)."""
    parts = []
    problems = result.problems
    if len(problems) > SHOWN_PROBLEMS or result.lead_covers:
        more = [f"… and {len(problems) - TIP_NAMED} more: {all_in_report()}"]
        parts.append(
            "\n".join(
                [
                    f"All {plural(len(problems), 'warning')}:",
                    *map(in_app_words, problems[:TIP_NAMED]),
                    *(more if len(problems) > TIP_NAMED else []),
                ]
            )
        )
    for names, title in (
        (result.unmatched_candidate, "Candidate images not in the reference (not scored):"),
        (result.unmatched_reference, "Reference images with no candidate image:"),
    ):
        if names:
            more = [f"… and {len(names) - TIP_NAMED} more: {all_in_report()}"]
            parts.append("\n".join([title, *names[:TIP_NAMED], *(more if len(names) > TIP_NAMED else [])]))
    return "\n\n".join(parts) or None
