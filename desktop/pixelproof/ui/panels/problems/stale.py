"""What of the category list a run's problems depend on, so that an edit of the list re-checks every image
only when it matters: a class renamed (the problems name it), removed, or made void (its objects leave the
checks). A class added - by hand, or by a pre-label whose model knows a class the project lacks - holds no
label yet, and the objects that come into it are edits of their images, re-checked as such: marking every
image changed for it turned the list stale ("120 images changed since the run") after one pre-label."""

from __future__ import annotations

from pixelproof.core.model import Project


def _marks(project: Project) -> dict[int, tuple[str, bool]]:
    return {cid: (c.name, c.void) for cid, c in project.categories.items()}


class CategoryMarks:
    """The categories as the problem list last saw them."""

    def __init__(self) -> None:
        self._seen: dict[int, tuple[str, bool]] = {}

    def reset(self, project: Project) -> None:
        self._seen = _marks(project)

    def changed(self, project: Project) -> bool:
        """Whether a category seen before is renamed, removed or made void or not void now (and remember
        the list as it is)."""
        now = _marks(project)
        before, self._seen = self._seen, now
        return any(now.get(cid) != mark for cid, mark in before.items())
