"""What merge says of image files annotators renamed or relocated (the CLI prints it, the app's merge report
shows it): the report rows of ``MergeResult.report`` in words."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pixelproof.core.wording import plural


def renamed_text(old: str, new: str, shard: str) -> str:
    """What merge says of an image whose file an annotator renamed (the CLI prints it, the app's report
    shows it): the project's image now goes by the shard's name."""
    return f"renamed in its shard: {old} -> {new} (in {shard}'s); merged under the new name"


def copy_renamed(name: str, copy: str) -> bool:
    """Whether an annotator's copy of an image goes by another file name than the image (a copy renamed)."""
    return Path(name.replace("\\", "/")).name != Path(copy.replace("\\", "/")).name


def relocated_lines(relocated: list[dict[str, Any]], most: int = 1) -> list[str]:
    """What merge says of the images annotators relocated to copies of their own (the CLI prints it, the
    app's report shows it): one line per shard, a count and the first ``most`` examples, and of those
    copies under another file name (renamed) the count and the first (the report's ``relocated_files``
    lists every one). Each is the image dealt out, merged under the lead's name. A shard moved since it was
    saved (``shard_moved``: its relative paths name the files dealt out, from its old folder) relocated
    nothing: said so, on a line of its own."""
    by_shard: dict[str, list[dict[str, Any]]] = {}
    lines = []
    for r in relocated:
        by_shard.setdefault(r["shard"], []).append(r)
    for who, rows in list(by_shard.items()):
        moved = [r for r in rows if r.get("shard_moved")]
        by_shard[who] = [r for r in rows if not r.get("shard_moved")]
        if moved:
            shown = ", ".join(f"{r['relocated_to']} as {r['file_name']}" for r in moved[:most])
            lines.append(
                f"{who}'s shard was moved from the folder it was saved in: its relative paths lead nowhere "
                f"from where it is now; {plural(len(moved), 'image')} paired with the files dealt out "
                f"({shown}{', ...' if len(moved) > most else ''}); merged under the project's names"
            )
    for who, rows in by_shard.items():
        if not rows:
            continue
        shown = ", ".join(f"{r['file_name']} -> {r['relocated_to']}" for r in rows[:most])
        more = ", ..." if len(rows) > most else ""
        renamed = [r for r in rows if r.get("renamed")]
        also = ""
        if renamed:
            first = f"{renamed[0]['file_name']} -> {renamed[0]['relocated_to']}"
            also = f", {len(renamed)} of them renamed ({first}{', ...' if len(renamed) > 1 else ''})"
        lines.append(
            f"relocated in {who}'s shard to copies of their files: {plural(len(rows), 'image')} "
            f"({shown}{more}){also}; merged under the project's names"
        )
    return lines


def left_out_report_path(out: str | os.PathLike[str], taken: Sequence[str | os.PathLike[str] | None]) -> Path:
    """Where the report goes when a merge left objects out and no report was asked for (``merge`` without
    ``--report``, the app's Merge Shards…): beside the merged project, ``<stem>.merge-report.json`` (then
    ``-2``, ``-3``…), never over one of ``taken`` (the inputs) nor an earlier report - else the objects it
    left out would be nowhere."""
    from pixelproof.core.limits import same_file

    out = Path(out)
    stem = out.with_suffix("") if out.suffix.lower() == ".json" else out
    for n in range(1, 10_000):
        candidate = Path(f"{stem}.merge-report{'' if n == 1 else f'-{n}'}.json")
        if not candidate.exists() and not any(t is not None and same_file(candidate, t) for t in taken):
            return candidate
    raise OSError(f"{stem}.merge-report*.json: no free name for the merge report")


def conflicts_side_by_side(stats: dict[str, Any]) -> str:
    """The images whose versions were kept side by side for a conflict (``edited_in_two_shards``), in
    words, or "": they are no overlap images of the split, so the summary counts them apart (the CLI prints
    it, the app's report shows it)."""
    n = stats.get("edited_in_two_shards", 0)
    if not isinstance(n, int) or n <= 0:
        return ""
    return f"{plural(n, 'image')} edited in two shards (not an overlap image) kept side by side, a conflict"


def merged_by_object(stats: dict[str, Any]) -> str:
    """The images several shards edited that merged object by object (``merge_objects``: each changed
    other objects), in words, or "" (the CLI prints it, the app's report shows it)."""
    n = stats.get("merged_by_object", 0)
    if not isinstance(n, int) or n <= 0:
        return ""
    return f"{plural(n, 'image')} edited in two shards merged object by object"
