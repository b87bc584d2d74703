"""Problems of the project as a whole, not of one image: ``empty_class``, a class no object has.

Such a problem has no image (``Problem.image_id`` None, ``file_name`` ""): the CLI and the HTML report say
"(project)", the Problems panel lists it without opening an image. It is worked out from the project as
it is (a pass over its objects, no pixels), so the panel recomputes it after every edit it re-checks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection

from pixelproof.core.labels import is_label
from pixelproof.core.limits import NAME_IN_TEXT
from pixelproof.core.lint.problems import Problem
from pixelproof.core.model import Project
from pixelproof.core.names import shown_name
from pixelproof.core.wording import plural

# classes that stand for "no object" by name (LabelMe's and Pascal VOC's _background_, torchvision's
# __background__, labelme2voc's __ignore__): never expected to hold objects. A void class (``Category.void``)
# neither: it marks regions, not objects.
NO_OBJECT_NAMES = frozenset({"background", "_background_", "__background__", "__ignore__", "ignore", "bg"})
EMPTY_PRIOR = 10  # classes with objects assumed besides the project's when scoring (as unlabeled_image)
# labelled objects a project needs before a class without any is news: in a project being started (a few
# objects drawn, or none) every class not reached yet would be listed
EMPTY_MIN_OBJECTS = 20


def is_no_object_class(name: str) -> bool:
    """A class named for the background or for ignored regions (case and blanks aside)."""
    return name.strip().casefold() in NO_OBJECT_NAMES


def empty_classes(project: Project, kinds: Collection[str]) -> list[Problem]:
    """An ``empty_class`` per class without any labelled object (pending predictions and rejected objects
    are no labels; a crowd region is one), void and background classes aside; none before the project has
    ``EMPTY_MIN_OBJECTS`` labelled objects. Scored by how rare empty classes are: 0.7 - 2 x their share of
    the classes, counted as if ``EMPTY_PRIOR`` more had objects, so one empty class among many is listed (a
    class never labelled, or emptied by a merge or a bulk delete) while a subset exported with the full
    class list, most of its classes empty, lists none at the default 0.5."""
    if "empty_class" not in kinds:
        return []
    labelled: Counter[int] = Counter()
    proposed: Counter[int] = Counter()
    for a in project.annotations.values():
        (labelled if is_label(a) else proposed)[a.category_id] += 1
    if labelled.total() < EMPTY_MIN_OBJECTS:
        return []
    judged = [c for c in project.categories.values() if not c.void and not is_no_object_class(c.name)]
    empty = [c for c in judged if not labelled[c.id]]
    score = max(0.05, 0.7 - 2 * len(empty) / (len(judged) + EMPTY_PRIOR))
    out = []
    for c in empty:
        name = shown_name(c.name, NAME_IN_TEXT)
        pending = f"; {plural(proposed[c.id], 'pending or rejected object')}" if proposed[c.id] else ""
        out.append(
            Problem(
                "empty_class",
                score,
                None,
                "",
                None,
                c.name,
                [0.0, 0.0, 0.0, 0.0],
                f"class {name} has no objects in the project{pending}; {len(empty)} of the {len(judged)} "
                "classes have none",
                None,
                figures={"category_id": c.id, "empty": len(empty), "classes": len(judged)},
            )
        )
    return out
