"""Whether pre-labeling keeps to the project's categories (the app's ``prelabel --only-existing``),
remembered in the project (``pixelproof.prelabel_only_existing``) beside the class mappings: it is a fact
of the project's label set, not a habit of the user. Absent means off: a model's other classes become new
categories, as the CLI does without the flag."""

from __future__ import annotations

from pixelproof.core.edits.base import Changes, Edit, applied
from pixelproof.core.model import Project

ONLY_EXISTING = "prelabel_only_existing"


def only_existing(project: Project) -> bool:
    """The project's choice; False when unset or malformed (a hand-edited file must not break a run)."""
    return project.app.get(ONLY_EXISTING) is True


class SetOnlyExisting(Edit):
    """Turn the choice on or off; revert restores what the project had (including nothing)."""

    def __init__(self, on: bool) -> None:
        self.on = on
        self.label = f"Pre-label only this project's classes: {'on' if on else 'off'}"
        self.focus = None
        self._before: tuple[object, bool] | None = None

    def apply(self, project: Project) -> Changes:
        self._before = (project.app.get(ONLY_EXISTING), ONLY_EXISTING in project.app)
        project.app[ONLY_EXISTING] = self.on
        return Changes()

    def revert(self, project: Project) -> Changes:
        applied(self._before)
        before, had = self._before  # type: ignore[misc]
        if had:
            project.app[ONLY_EXISTING] = before
        else:
            project.app.pop(ONLY_EXISTING, None)
        return Changes()
