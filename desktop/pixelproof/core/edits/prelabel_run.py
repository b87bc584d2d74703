"""Where the app's "Pre-label all" got to, kept in the project (``pixelproof.prelabel_run``), so a run
cancelled, or cut short by closing or a crash, is continued on the images it had not done (README,
"Pre-labeling"). The app's checkpoint is the document itself: each image's predictions land in it as they
arrive, as one undo step, and the same step marks the image done; so the record is saved, autosaved,
recovered and undone exactly with the predictions it speaks for (a mark kept anywhere else could say done
of an image whose predictions a crash lost with the unsaved document).

The record: the run (a token), its *inputs* as ``core.batch.checkpoint`` compares a job's (the backend,
its options, its model files by content, the mapping and the run's options: another model or option is
another job, started anew, each difference named), the images it was asked for and those done. An image
is done when its result is in: its predictions added, or none found; an image that failed is not done
(a continued run tries it again). A done image shrunk a lot to the model's input keeps its factor
(``shrunk``), so a continued run's summary names it as the CLI's resumed job names a kept part's."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pixelproof.core.batch.checkpoint import differences
from pixelproof.core.edits.base import Changes, Edit, applied
from pixelproof.core.limits import MAX_SIDE
from pixelproof.core.model import Project
from pixelproof.core.run_ids import RUN, well_formed


@dataclass(frozen=True)
class RunMark:
    """The run a batch marks its images done in: its token, inputs and images (in the order asked)."""

    run: str
    inputs: dict[str, Any]
    images: tuple[int, ...]


def run_record(project: Project) -> dict[str, Any] | None:
    """The project's record of the last "Pre-label all"; None when there is none or it is malformed (a
    hand-edited file starts a new run, never breaks one)."""
    rec = project.app.get(RUN)
    return rec if well_formed(rec) else None


class MarkPrelabeled(Edit):
    """Mark ``ids`` done in ``mark``'s run (a record of another run is replaced by this one's), with the
    factor of each of them ``shrunk`` a lot to the model's input; revert unmarks them (and puts back the
    record replaced). Pushed within an image's "Pre-label" step."""

    def __init__(
        self, mark: RunMark, ids: Iterable[int], label: str = "Pre-label", shrunk: Mapping[int, float] = {}
    ) -> None:
        self.mark = mark
        self.ids = list(dict.fromkeys(ids))
        self.label = label
        self.shrunk = [[i, float(shrunk[i])] for i in self.ids if i in shrunk]
        self.focus = None
        self._undo: tuple[str, Any] | None = None

    def apply(self, project: Project) -> Changes:
        rec = run_record(project)
        if rec is None or rec["run"] != self.mark.run:  # a new run: the record of the last one goes
            self._undo = ("replaced", (copy.deepcopy(project.app.get(RUN)), RUN in project.app))
            project.app[RUN] = {
                "run": self.mark.run,
                "inputs": json.loads(json.dumps(self.mark.inputs)),  # as the file holds them: lists
                "images": list(self.mark.images),
                "done": list(self.ids),
            }
            if self.shrunk:
                project.app[RUN]["shrunk"] = copy.deepcopy(self.shrunk)
            return Changes()
        # each step keeps what it changed, never a copy of the record's lists: an undo step of every
        # image of a run (4,000 images shrunk: 54 s and 0.9 GB held by copies of the growing lists)
        done = set(rec["done"])
        added = [i for i in self.ids if i not in done]  # never twice, whatever a file holds
        shrunk = [pair for pair in self.shrunk if pair[0] in added]
        before = rec.get("shrunk")
        extend = isinstance(before, list)
        self._undo = ("added", (added, rec["images"], before, "shrunk" in rec, len(before) if extend else -1))
        rec["done"].extend(added)
        if rec["images"] != list(self.mark.images):
            rec["images"] = list(self.mark.images)
        if shrunk and extend:
            before.extend(copy.deepcopy(shrunk))  # type: ignore[union-attr]
        elif shrunk:  # none yet, or a hand-edited value of another shape: replaced
            rec["shrunk"] = copy.deepcopy(shrunk)
        return Changes()

    def revert(self, project: Project) -> Changes:
        applied(self._undo)
        how, what = self._undo  # type: ignore[misc]
        if how == "replaced":
            before, had = what
            if had:
                project.app[RUN] = copy.deepcopy(before)
            else:
                project.app.pop(RUN, None)
            return Changes()
        added, images, shrunk, had, length = what
        rec = project.app[RUN]
        if added:
            del rec["done"][-len(added) :]
        rec["images"] = images
        if length >= 0:
            del shrunk[length:]
        if had:
            rec["shrunk"] = shrunk
        else:
            rec.pop("shrunk", None)
        return Changes()


def kept_factor(value: Any) -> float | None:
    """A shrink factor read back from a kept record (the app's run record, the CLI's kept parts), or None
    when it is none a picture can have: not a number, not finite, not above 0, or over ``MAX_SIDE`` (no
    picture side over a model's input of 1 px or more reaches it; 1e300 was said with 301 digits)."""
    if type(value) not in (int, float) or not math.isfinite(value) or not 0 < value <= MAX_SIDE:
        return None
    return float(value)


def shrunk_done(rec: Mapping[str, Any], ids: Iterable[int]) -> list[tuple[int, float]]:
    """The factors the record ``rec`` keeps of its done images among ``ids`` shrunk a lot to the model's
    input, in its order; a hand-edited entry that is no image id and factor a picture can have
    (``kept_factor``) is left out, as the CLI leaves out a kept part's, and an image's second entry (the
    summary counted it twice: "the most of 3 pictures" of one)."""
    wanted, done = set(ids), set(rec.get("done", ()))
    out: dict[int, float] = {}
    for pair in rec.get("shrunk", ()) if isinstance(rec.get("shrunk"), list) else ():
        if not isinstance(pair, list) or len(pair) != 2 or type(pair[0]) is not int:
            continue
        image_id, factor = pair[0], kept_factor(pair[1])
        if factor is not None and image_id in wanted and image_id in done:
            out.setdefault(image_id, factor)
    return list(out.items())


@dataclass(frozen=True)
class RunPlan:
    """What "Pre-label all" on ``ids`` with ``inputs`` does. ``done`` > 0: an unfinished run with the
    same inputs did that many of them, ``todo`` holds the others (``anew()``: all of them again);
    ``changed``: the unfinished run was with other inputs (each difference named) and ``was`` its (images
    done, images), this run starting anew; ``shrunk``: the images done shrunk a lot to the model's input,
    with their factors (``shrunk_done``), for the summary."""

    mark: RunMark
    todo: list[int]
    ids: list[int]
    token: str
    done: int = 0
    changed: list[str] = field(default_factory=list)
    was: tuple[int, int] | None = None
    shrunk: list[tuple[int, float]] = field(default_factory=list)

    def anew(self) -> RunPlan:
        """Every image asked, as a new run (its marks replace the unfinished run's)."""
        return RunPlan(
            RunMark(self.token, self.mark.inputs, tuple(self.ids)), list(self.ids), self.ids, self.token
        )


def plan_run(
    project: Project, ids: list[int], inputs: dict[str, Any], token: str, labels: dict[str, str] | None = None
) -> RunPlan:
    """The run "Pre-label all" makes of ``ids``: continuing the project's unfinished run when it was made
    with the same ``inputs`` and did some of them, else a new one under ``token``."""
    fresh = RunPlan(RunMark(token, inputs, tuple(ids)), list(ids), list(ids), token)
    rec = run_record(project)
    if rec is None:
        return fresh
    done = set(rec["done"])
    asked = [i for i in rec["images"] if i in project.images]
    if all(i in done for i in asked):  # the last run finished (every image it was asked for done)
        return fresh
    if said := differences(rec["inputs"], inputs, labels):
        was = (sum(i in done for i in asked), len(asked))
        return RunPlan(fresh.mark, fresh.todo, fresh.ids, token, changed=said, was=was)
    overlap = sum(i in done for i in ids)
    if not overlap:  # other images than the unfinished run's: a run of its own
        return fresh
    known = set(rec["images"])
    images = (*rec["images"], *(i for i in ids if i not in known))
    todo = [i for i in ids if i not in done]
    shrunk = shrunk_done(rec, ids)
    return RunPlan(RunMark(rec["run"], inputs, images), todo, list(ids), token, done=overlap, shrunk=shrunk)
