"""Which of a Label Studio task's annotations come in. Label Studio keeps one per annotator (its overlap
setting hands a task to several); PixelProof keeps the most recent one not cancelled, or, with
``annotator_versions="each"``, each annotator's most recent one as that annotator's version, tagged as
``merge`` tags an overlap image's versions (``pixelproof.annotator`` on the objects, the top-level
``pixelproof.overlap_annotators``), so ``agreement`` scores them and ``consensus`` merges them as after a
merge of shards."""

from __future__ import annotations

from typing import Any

from pixelproof.core.limits import short_repr
from pixelproof.core.model import Project
from pixelproof.core.overlap_versions import OVERLAP_KEY, VERSIONS_FROM_KEY

# in the Import dialog's box, after "Annotators": "The most recent one" read as one of the annotators
ANNOTATOR_CHOICES = {
    "latest": "One: the ground truth, else the most recent",
    "each": "Each annotator's most recent, side by side (for agreement, consensus)",
}


NAME_CHARS = 64  # an annotator's name as shown on the raters line and in tags


def annotator_name(annotation: dict) -> str | None:
    """Who made an annotation: ``completed_by`` (a user id, or in older exports the user, with its
    email) as ``user<id>`` or the email; None when the export does not say."""
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        email = who.get("email")
        if isinstance(email, str) and email.strip():
            return email.strip()
        who = who.get("id")
    if isinstance(who, bool) or not isinstance(who, int | str) or not str(who).strip():
        return None
    name = str(who).strip()
    if isinstance(who, int) or name.isdigit():
        return f"user{name}"
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"  # a name already, not an id


def cancelled(annotation: dict) -> bool:
    """Label Studio's ``was_cancelled`` (a skipped task): true, or "true" from a script's export; "false"
    is not cancelled."""
    flag = annotation.get("was_cancelled")
    return flag is True or (isinstance(flag, str) and flag.strip().lower() == "true")


def pick_annotations(
    annotations: Any, each: bool
) -> tuple[list[tuple[dict, str | None]], list[tuple[Any, str]]]:
    """The annotations a task keeps, most recent first, each with its annotator's name when it is one of
    several annotators' versions (else None), and the others, each with why it is left out. Without
    ``each`` only the most recent one not cancelled is kept."""
    items = annotations if isinstance(annotations, list) else []
    live = [(k, a) for k, a in enumerate(items) if isinstance(a, dict) and not cancelled(a)]
    others: list[tuple[Any, str]] = [
        (a, "cancelled (skipped in Label Studio)") for a in items if isinstance(a, dict) and cancelled(a)
    ]
    if not live:
        return [], others
    live.sort(
        key=lambda ka: (str(ka[1].get("updated_at") or ka[1].get("created_at") or ""), ka[0]), reverse=True
    )
    latest = live[0][1]
    names = [annotator_name(a) for _, a in live]
    if not each or len({n for n in names if n is not None}) < 2:
        # the one a reviewer marked as Label Studio's ground truth, else the most recent
        truth = [ka for ka in live if ka[1].get("ground_truth") is True][:1]
        live = truth + [ka for ka in live if ka not in truth]
        latest = live[0][1]
        kept = "the ground truth" if truth else "the most recent"
        why = f"another version; PixelProof keeps one, {kept} ({short_repr(latest.get('id'))})"
        if len(live) > 1 and not each:
            why += "; to keep every annotator's, side by side: --annotator-versions each"
        return [(latest, None)], others + [(a, why) for _, a in live[1:]]
    kept: list[tuple[dict, str | None]] = []
    seen: set[str] = set()
    for (_, a), name in zip(live, names, strict=True):
        if name is None:
            others.append((a, "no completed_by: whose version it is is unknown"))
        elif name in seen:
            others.append((a, f"an older version of {name}'s; PixelProof keeps each annotator's most recent"))
        else:
            seen.add(name)
            kept.append((a, name))
    return kept, others


def tag_versions(project: Project, image_id: int, names: list[str]) -> None:
    """Record the annotators whose versions an image holds side by side (also one who drew nothing), and
    that they came from Label Studio (what the warnings on such images name)."""
    entries = project.app.setdefault(OVERLAP_KEY, {})
    entries[str(image_id)] = names
    project.images[image_id].extra.setdefault("pixelproof", {})[VERSIONS_FROM_KEY] = "Label Studio"
