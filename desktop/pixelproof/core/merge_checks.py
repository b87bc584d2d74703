"""What merge (and agreement) refuse before anything is merged: a shard given twice, or, with the lead's
manifest, a shard of another split (issue 16). The app and the CLI call the same checks."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pixelproof.core.limits import same_file

if TYPE_CHECKING:
    from pixelproof.core.merge import Shard
    from pixelproof.core.model import Project


class MergeError(ValueError):
    """Shards that cannot be merged as given (one listed twice, another split); the message says which."""


def check_distinct(shards: list[Shard], paths: Sequence[str | os.PathLike[str]] | None = None) -> None:
    """``MergeError`` when one file is given twice (``paths``: where the shards were read from), or two
    shards are one annotator's, of one split or of two: each image both hold would hold that annotator's
    version twice, and agreement would compare it with itself (consensus count one annotator twice)."""
    seen: dict[Any, int] = {}
    names = [str(p) for p in paths] if paths is not None else [s.name for s in shards]
    for k, shard in enumerate(shards):
        # one file by any name: a link, A.json beside a.json on a case-insensitive disk (limits.same_file)
        twin = (
            next((j for j in range(k) if same_file(Path(paths[j]), Path(paths[k]))), None) if paths else None
        )
        if twin is not None:
            raise MergeError(
                f"{names[twin]} and {names[k]} are the same file: give each annotator's shard once"
            )
        if shard.annotator is None:
            continue
        j = seen.get(shard.annotator)
        if j is not None and shards[j].split == shard.split:
            raise MergeError(
                f"{names[j]} and {names[k]} are two shards of {shard.annotator} (one split): "
                "give each annotator's shard once"
            )
        if j is not None:  # two splits' shards: both versions of an image would be tagged as one annotator's
            raise MergeError(
                f"{names[j]} and {names[k]} are two shards of {shard.annotator} from different splits "
                f"({_split_text(shards[j].split)} and {_split_text(shard.split)}): where both hold an image, "
                f"both versions would count as {shard.annotator}'s, and agreement and consensus would see "
                "one annotator twice. Merge the shards of one split (with that split's manifest) and leave "
                "the other split's out, or merge each split's shards into a project of its own"
            )
        seen[shard.annotator] = k


def _split_text(split: str | None) -> str:
    return f"split {split}" if split is not None else "a split that records no id"


def check_split(
    shards: list[Shard],
    manifest: dict[str, Any] | None,
    paths: Sequence[str | os.PathLike[str]] | None = None,
    manifest_name: str | os.PathLike[str] = "the manifest",
    action: str = "Merge",
) -> None:
    """``MergeError`` when the manifest describes another split than a shard's (another seed, project or
    annotators): the manifest's overlap images are not the ones that shard was given, so its untouched
    copies of them would join as its annotator's ratings of images the split never gave them, and skew
    agreement and consensus (``agreement`` compares them: its ``action`` is "Compare"). A merge also refuses
    a file that records no shard at all (a split always records one): another project dropped among the
    shards. Manifests that record no split id cannot be told apart: let be."""
    split = manifest.get("split") if isinstance(manifest, dict) else None
    if not isinstance(split, str):
        return
    names = [str(p) for p in paths] if paths is not None else [s.name for s in shards]
    for name, shard in zip(names, shards, strict=True):
        if action == "Merge" and not isinstance(shard.project.app.get("shard"), dict):
            raise MergeError(
                f"{name} is no annotator's shard (it records no split: another project, or a merged or "
                f"exported file), {manifest_name} describes split {split}: its images and objects would "
                "join the project as new ones. Merge the shards that split wrote; a file of another project "
                "goes in with `pixelproof add` or by merging it without a manifest"
            )
        if shard.split is not None and shard.split != split:
            raise MergeError(
                f"{name} comes from split {shard.split}, {manifest_name} describes split {split} (another "
                f"seed, project or team): its copies would count as {shard.name}'s ratings of overlap "
                f"images that split never gave them. {action} it with the manifest of its own split, or "
                "without a manifest"
            )


def check_lineage(
    shards: list[Shard],
    base: Project | None,
    paths: Sequence[str | os.PathLike[str]] | None = None,
    base_name: str | os.PathLike[str] | None = None,
) -> None:
    """``MergeError`` when ``base`` and a shard do not number things alike: one of them was renumbered
    (``pixelproof renumber``, ``pixelproof.renumbered``) since the shard was split from it (or it from the
    other). Merge pairs a shard's objects, images and classes with the base's by id: the old numbers name
    other objects (or none) in the renumbered file, and the annotators' work would land on them."""
    from pixelproof.core.renumber import RENUMBERED

    if base is None:
        return
    mark = base.app.get(RENUMBERED)
    names = [str(p) for p in paths] if paths is not None else [s.name for s in shards]
    base_text = str(base_name or base.path or "the base")
    for name, shard in zip(names, shards, strict=True):
        theirs = shard.project.app.get(RENUMBERED)
        if theirs == mark:
            continue
        if mark is not None and theirs is None:
            how = f"{base_text} was renumbered (pixelproof renumber, at {_when(mark)}) after {name} was made"
        elif mark is None:
            how = (
                f"{name} comes from a renumbered project (at {_when(theirs)}), {base_text} was not renumbered"
            )
        else:
            how = f"{name} and {base_text} were renumbered apart (at {_when(theirs)} and {_when(mark)})"
        old = _numbered_as(theirs, base_name or base.path) if mark is not None else None
        where = (
            f"{old}, the project as it was before renumbering (copy it away first: the next save of "
            f"{base_text} replaces it)"
            if old is not None
            else "the project it was split from (before renumbering)"
        )
        raise MergeError(
            f"{how}: their ids name different objects, images and classes, so {name}'s work cannot be "
            f"merged into it. Merge {name} into {where}, then renumber the merged project if you need it "
            "numbered from 1; or split the renumbered project again (the shards' work is then not merged)"
        )


def _when(mark: Any) -> str:
    return str(mark.get("time")) if isinstance(mark, dict) else "an unknown time"


def _numbered_as(mark: Any, base_path: str | os.PathLike[str] | None) -> Path | None:
    """The base's backup (``<name>.bak``, what ``renumber --in-place`` replaced) when it still numbers
    things as the shard does (the same ``pixelproof.renumbered``, or none): the file to merge the shard
    into. None when there is none, it cannot be read, or a later save replaced it. Read only on refusal."""
    from pixelproof.core.atomic import backup_path
    from pixelproof.core.project_json import ProjectFormatError, read_json
    from pixelproof.core.renumber import RENUMBERED

    if base_path is None:
        return None
    bak = backup_path(base_path)
    try:
        data = read_json(bak)
    except (OSError, ValueError, ProjectFormatError):  # LimitError is a ValueError
        return None
    app = data.get("pixelproof") if isinstance(data, dict) else None
    return bak if isinstance(app, dict) and app.get(RENUMBERED) == mark else None
