"""Images an annotator edited outside their shard: an image the split dealt to another annotator (or none:
the lead's own), which the annotator added to their copy and labelled. Its owner's version - the base's
when the owner left it alone - is what the lead assigned and stays; the outsider's version is never merged
unsaid (before, an owner's untouched copy is no edit, so the outsider's won silently and the base's
objects went, or without a manifest it counted as one more overlap image's rating). An
``edited_outside_shard`` conflict names the image, the outsider's shard and the owner, and the outsider's
objects the merged image does not hold go to the report's ``left_out_objects``, as for
``edited_in_base_and_shard`` and ``locked_in_base``.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from pixelproof.core.merge_image import Conflict, left_out_entry, rating
from pixelproof.core.wording import plural

if TYPE_CHECKING:
    from pixelproof.core.merge_image import ImageMerge, Version
    from pixelproof.core.model import ImageRecord, Project


def off_shard(shard: Project, image: ImageRecord) -> bool:
    """Whether ``image`` is in ``shard`` though the split did not deal it there (the shard records what
    it was dealt, and not this image's id): added by its annotator after the split."""
    info = shard.app.get("shard")
    dealt = info.get("at_split") if isinstance(info, dict) else None
    return isinstance(dealt, dict) and str(image.id) not in dealt


def set_aside(
    outside: dict[str, list[Version]], versions: dict[str, list[Version]], base: dict[str, Version]
) -> dict[str, list[Version]]:
    """The off-shard versions of images someone owns (a shard dealt it, or the base holds it), to be
    reported, not merged; those of an image no one owns (an image new to every project merged) are merged
    as any new image's, into ``versions``."""
    aside: dict[str, list[Version]] = {}
    for key, vs in outside.items():
        if versions.get(key) or key in base:
            aside[key] = vs
        else:
            versions[key] = vs
    return aside


def report_outside(
    file_name: str, m: ImageMerge, strays: list[Version], owners: list[str], names: list[str]
) -> None:
    """Add to ``m`` a conflict per off-shard version holding objects the merged image does not, those
    objects left out (``left_out_objects``). ``owners``: the shards dealt the image
    (none: the base's image, dealt to no shard merged here)."""
    kept = rating(m.objects)
    owner = ", ".join(owners) if owners else "the base (dealt to no shard merged here)"
    whose = f"{', '.join(owners)}'s" if owners else "the base's"
    for v in strays:
        extra = Counter(kept)
        out = []
        for o in v.objects:
            key = next(iter(rating([o])))
            if extra[key] > 0:
                extra[key] -= 1
            else:
                out.append(o)
        if not out:
            continue  # nothing the merged image does not hold (added, left empty): no edit of it
        who = names[v.shard]
        m.left_out += [left_out_entry(who, file_name, a, c, v.image) for a, c in out]
        m.conflicts.append(
            Conflict(
                "edited_outside_shard",
                f"{file_name}: edited in {who}'s shard, which was not dealt it (it is {owner}'s); "
                f"{whose} version kept, {who}'s {plural(len(out), 'object')} it does not hold listed in "
                "the report (left_out_objects)",
                file_name,
                [who],
                {"owners": owners},
            )
        )
