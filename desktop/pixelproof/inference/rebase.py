"""Proposals made in a worker, moved onto the live project the user may have edited meanwhile (the app's
batch pre-labeling: each image's proposal is pushed as one undo step as it arrives)."""

from __future__ import annotations

import dataclasses

from pixelproof.core.category_colors import default_color
from pixelproof.core.edits.box_masks import linked_box
from pixelproof.core.geometry import clone
from pixelproof.core.model import LAST_ANNOTATION_ID, LAST_CATEGORY_ID, Category, Project
from pixelproof.inference.apply import Proposal
from pixelproof.inference.from_boxes import FROM_BOX


class Rebaser:
    """Moves proposals made in a worker (ids from a ``Project.snapshot``) onto the live project, which
    the user may have edited meanwhile: fresh annotation ids, and categories matched by id (existing
    ones) or by name (ones the batch creates)."""

    def __init__(self, snap: Project) -> None:
        self.names = {c.id: c.name for c in snap.categories.values()}
        self.created: dict[int, Category] = {}

    def rebase(self, project: Project, proposal: Proposal) -> Proposal:
        """The proposal with ids valid in ``project`` now (apply its ``edit()`` right away)."""
        for c in proposal.categories:
            self.created[c.id] = c
            self.names[c.id] = c.name
        # the same proposal but its categories and annotations, made anew below (its counts and reports kept
        # whatever fields it gains)
        out = dataclasses.replace(
            proposal, categories=[], annotations=[], box_failures=list(proposal.box_failures)
        )
        new_cats: dict[str, Category] = {}
        ann_ids = project.id_counter(LAST_ANNOTATION_ID)
        cat_ids = project.id_counter(LAST_CATEGORY_ID)
        for a in proposal.annotations:
            cid = a.category_id
            if cid not in self.created and cid in project.categories:
                target = cid
            else:
                name = self.names[cid]
                cat = project.category_by_name(name) or new_cats.get(name)
                if cat is None:
                    made = self.created.get(cid)
                    color = made.color if made else default_color(len(project.categories) + 1)
                    cat = Category(cat_ids.take(), name, color=color)
                    new_cats[name] = cat
                    out.categories.append(cat)
                target = cat.id
            b = clone(a)
            b.id, b.category_id = ann_ids.take(), target
            if linked_box(project, b) is None:  # the box it was made from is gone: an ordinary mask now
                b.app_extra.pop(FROM_BOX, None)
            out.annotations.append(b)
        return out
