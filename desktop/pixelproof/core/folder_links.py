"""Files a command writes INSIDE a folder it fills (an export's ``labels/*.txt`` and masks, a split's
shards) never land outside that folder through a symbolic link planted in it: ``out/labels -> ~/.ssh`` or
``out/anna.json -> ~/.bashrc`` would have a rerun overwrite the user's files. The folder the user named
may itself be a link (it is followed, as a named ``-o`` file is: DESIGN.md §3); what lies below it is
checked here. Entries are judged by their real path, so a link to another place inside the folder is fine.

The rule is git's and bsdtar's (a path "beyond a symbolic link" is refused; bsdtar will not extract through
one): a link to a folder outside is refused, naming the link and where it points, nothing written through
it. A link where a file goes is the writer's to decide: an export replaces it with its file (as tar, git and
rsync replace a link they extract over; ``interop._util.fresh``), a split refuses it (a shard is a project
saved through its link, ``core.coco.save_project``). The checks are made on paths just before each
write: a link planted or swapped in while the export runs (another process racing it) is not guarded;
they keep a rerun from writing through what was left in the folder. No Qt.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pixelproof.core.limits import file_kind


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(os.path.join(real_root, ""))


Problem = tuple[str, str]  # (the entry, what is wrong with it): ``limits.LimitError``'s two parts


def link_out_of(
    root: str | os.PathLike[str], path: str | os.PathLike[str], what: str, *, itself: bool = False
) -> Problem | None:
    """Why ``path`` must not be written (the entry, why), or None: a folder on its way below ``root``
    (``path`` itself with ``itself``) is a symbolic link whose real place lies outside ``root``. ``what``
    names ``root`` in the message ("export folder"). A ``path`` not below ``root`` (``..`` taken lexically:
    a ``--manifest out/../lead.json`` the user chose) is not this rule's. Below
    it, a ``..`` is followed as the system follows it, after the link before it: ``out/link/../x`` is
    beside the link's target, not ``out/x``."""
    top = Path(os.path.abspath(root))
    if not _inside(os.path.abspath(path), str(top)):
        return None
    full = Path(os.path.join(os.getcwd(), path))  # not normalised: "link/.." is not ""
    try:
        parts = full.relative_to(top).parts
    except ValueError:  # spelled from outside ``root`` and back in: judged by its real place
        parts = ("..",)
    real_root = os.path.realpath(top)
    here = top
    for part in parts if itself else parts[:-1]:
        here = here / part
        if not os.path.islink(here):
            if not os.path.lexists(here):
                break  # nothing below a missing folder yet: the writer makes it, inside (short of "..")
            continue
        real = os.path.realpath(here)
        if not _inside(real, real_root):
            return (
                str(here),
                f"is a symbolic link to {real}, outside the {what} {top}; nothing is written through it "
                "(remove the link, or choose another folder)",
            )
    if ".." in parts and not _inside(os.path.realpath(full if itself else full.parent), real_root):
        return str(full), f"leads out of the {what} {top} through a link before its '..'; nothing is written"
    return None


def entry_not_a_file(path: str | os.PathLike[str]) -> Problem | None:
    """Why no file can be written as ``path``, or None: a folder, FIFO, device or socket is there (not
    following a link). Said before anything is opened: a FIFO would have the write wait for a reader."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
        return None
    return str(path), f"is {file_kind(mode)}, not a file to replace; nothing written"
