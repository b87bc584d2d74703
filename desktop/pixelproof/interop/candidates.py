"""Read a QA candidate given as a dataset (``pixelproof qa gt.txt results.txt``): through the same format
guessing and reader as the reference (``interop.references.load_reference``), so the candidate takes anything
the reference takes, as py-motmetrics' ``apply_metrics`` takes a ground truth and a tracker's file.

A tracker's MOTChallenge results file holds no images: it is read on the frames of the reference's sequence
(the one named as the file, else the reference's only one; ``mot.results_sequence``), so each of its frames
is the reference's image of that frame number, as ``convert ... --image-dir SEQ`` reads it. Its boxes name no
class (all ``object``): against a reference of one class they are scored as that class, said
(``qa_categories.classless_as_reference``).
"""

from __future__ import annotations

import os
from pathlib import Path

from pixelproof.core.model import Project
from pixelproof.core.qa_categories import classless_as_reference
from pixelproof.core.references import Reference
from pixelproof.interop.formats import FORMATS, detect_formats
from pixelproof.interop.mot import is_results_file, results_sequence, sequences
from pixelproof.interop.mot_writer import NO_CLASS
from pixelproof.interop.references import ReferenceLoadError, _same_file, load_reference


def candidate_format(path: str | os.PathLike[str], fmt: str | None = None) -> str | None:
    """The format ``path`` is read as: ``fmt`` when given, else the first detected (None: none fits)."""
    if fmt is not None:
        return fmt
    matches = detect_formats(Path(path))
    return matches[0].name if matches else None


def load_candidate(
    path: str | os.PathLike[str], reference: Reference, fmt: str | None = None
) -> tuple[Project, list[str]]:
    """The candidate dataset at ``path`` (format ``fmt``, detected when None) read as the reference is, and
    the lines to say about it (its reader's problems, a class renamed); raises ``ReferenceLoadError``,
    each line naming the file (and line) it is about."""
    p = Path(path)
    options = {}
    if p.is_dir() and candidate_format(p, fmt) == "mot" and not sequences(p):  # a folder of results files
        home = reference.source if reference.format == "mot" else None
        options["image_dir"] = home or reference.reader_options.get("image_dir")
    elif p.exists() and candidate_format(p, fmt) == "mot" and is_results_file(p):
        home = Path(reference.source) if reference.format == "mot" else None
        try:
            options["image_dir"] = results_sequence(p, home, reference.reader_options.get("image_dir"))
        except ValueError as e:
            raise ReferenceLoadError([str(e)]) from None
    candidate = load_reference(p, reference.project, fmt, options=options, role="candidate")
    lines = list(candidate.problems)
    same = same_as_reference(p, reference)
    if same is not None:
        lines.append(same)
    if candidate.format == FORMATS["mot"].name:
        note = classless_as_reference(candidate.project, reference.project, NO_CLASS)
        if note is not None:
            lines.append(f"{p}: {note}")
    return candidate.project, lines


def same_as_reference(path: str | os.PathLike[str], reference: Reference) -> str | None:
    """A line saying the candidate is the reference's own file or folder (a link to it too), None when it
    is not: every figure then says a perfect agreement that measures nothing (a path typed twice)."""
    if not reference.source or not _same_file(Path(path), Path(reference.source)):
        return None
    return (
        f"{path}: the candidate is the reference itself ({reference.source}): every figure compares it with "
        "itself"
    )
