"""Which annotators' versions a merged project's overlap images hold side by side, until a consensus is
accepted (issue 16): objects tagged ``pixelproof.annotator`` and the top-level
``pixelproof.overlap_annotators``, which also names an annotator who drew nothing there. Kept apart from
``merge`` so what only reads a project (``info``, ``lint``, ``agreement``) needs nothing else."""

from __future__ import annotations

from pixelproof.core.model import Annotation, Project, id_key
from pixelproof.core.wording import plural

ANNOTATOR_KEY = "annotator"  # under an annotation's "pixelproof": whose version of an overlap image
OVERLAP_KEY = "overlap_annotators"  # top-level "pixelproof": image id -> annotators whose versions it holds
CONSENSUS_KEY = "consensus"  # top-level "pixelproof": image id -> its consensus method, once worked out
# top-level "pixelproof": image id -> the split whose honeypot it is (merge --manifest marks them: QA
HONEYPOT_KEY = "honeypots"  # leaves them out while nobody labelled them in the project, ``qa_team``)
CONSENSUS_OF = "consensus_of"  # under a consensus object's "pixelproof": the ids of the objects it summarises
# under a consensus object drawn by exactly half of the annotators (a tie, proposed for review rather than
# dropped): [annotators who drew it, annotators of the image], e.g. [1, 2]
CONSENSUS_TIE = "consensus_tie"
SOURCE_PREFIX = "consensus:"  # a consensus object's source: "consensus:<method>"
# under an image's "pixelproof" extras: where its versions came from, in words ("Label Studio"), when an
# import brought them side by side (a merge's have none)
VERSIONS_FROM_KEY = "versions_from"
# how one version an image is made, in the command line's words (File > Export says it in the app's:
# ``ui.import_words.export_words``)
CONSENSUS_STEPS = "pixelproof consensus PROJECT, then pixelproof consensus PROJECT --accept"
# versions_note of an export (convert, File > Export)
WRITTEN = (
    f"written (to write one version an image, work out its consensus and accept it first: {CONSENSUS_STEPS})"
)


def is_consensus(a: Annotation) -> bool:
    """A consensus object (``consensus.consensus_edit``'s), accepted or not."""
    return (a.source or "").startswith(SOURCE_PREFIX) and CONSENSUS_OF in a.app_extra


def is_tie(a: Annotation) -> bool:
    """A consensus object only half of the annotators drew (``CONSENSUS_TIE``): accepting the image's
    consensus never accepts it for the reviewer, it stays pending until someone decides."""
    return is_consensus(a) and CONSENSUS_TIE in a.app_extra


def versions_side_by_side(project: Project) -> dict[int, list[str]]:
    """Image id -> the annotators whose versions it holds side by side (consensus not accepted yet): those
    ``pixelproof.overlap_annotators`` lists and those with objects tagged there, in that order."""
    out: dict[int, list[str]] = {i: list(who) for i, who in overlap_annotators(project).items()}
    for a in project.annotations.values():
        who = a.app_extra.get(ANNOTATOR_KEY)
        if who is not None:
            names = out.setdefault(a.image_id, [])
            if str(who) not in names:
                names.append(str(who))
    return out


def overlap_annotators(project: Project) -> dict[int, list[str]]:
    """Image id -> the annotators whose versions a merge kept side by side on it
    (``pixelproof.overlap_annotators``); malformed entries (a hand-edited file) are ignored."""
    entries = project.app.get(OVERLAP_KEY)
    if not isinstance(entries, dict):
        return {}
    return {
        id_key(k): list(dict.fromkeys(v))
        for k, v in entries.items()
        if id_key(k) in project.images
        and isinstance(v, list) and all(isinstance(n, str) for n in v)
    }  # fmt: skip


def versions_note(name: str, project: Project, doing: str) -> str | None:
    """The warning for a command that would ``doing`` (e.g. "scored") every version of such images as
    ordinary objects, None when the project holds none."""
    held = versions_side_by_side(project)
    if not held:
        return None
    return (
        f"{name}: {plural(len(held), 'image')} {'holds' if len(held) == 1 else 'hold'} several annotators' "
        f"versions side by side ({_whence(project, held)}); every version there is {doing}"
    )


def _whence(project: Project, held: dict[int, list[str]]) -> str:
    """Where the versions side by side came from: a merge of shards, or an import (``VERSIONS_FROM_KEY``:
    a Label Studio task several annotators labelled, imported with each one's version)."""
    found: dict[str | None, None] = {}
    for image_id in held:
        app = project.images[image_id].extra.get("pixelproof")
        origin = app.get(VERSIONS_FROM_KEY) if isinstance(app, dict) else None
        found[origin if isinstance(origin, str) and origin else None] = None
    named = [o for o in found if o is not None]
    if not named:
        return "a merged project before its consensus is accepted"
    merged = " and merged shards'" if None in found else ""
    return f"each annotator's version from {' and '.join(named)}{merged}, no consensus accepted yet"


def consensus_marks(project: Project) -> dict[int, str]:
    """Image id -> the method its consensus was worked out with (``pixelproof.consensus``); entries of
    images the project lacks, or malformed ones, are ignored."""
    found = project.app.get(CONSENSUS_KEY)
    if not isinstance(found, dict):
        return {}
    return {id_key(k): v for k, v in found.items() if id_key(k) in project.images and isinstance(v, str)}


def honeypot_images(project: Project) -> dict[int, str]:
    """Image id -> split id of the images a merge with the split's manifest marked as honeypots;
    malformed entries (a hand-edited file) are ignored."""
    entries = project.app.get(HONEYPOT_KEY)
    if not isinstance(entries, dict):
        return {}
    return {id_key(k): str(v) for k, v in entries.items() if id_key(k) in project.images}
