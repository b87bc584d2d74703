"""``pixelproof qa --html``: each worst image's card names its missed, extra and wrong-class objects by
annotation id (a lead reading the page had the overlay and a Dice, but no object to look up), and the
heading counts the images shown (it said "20 worst images" over the demo's ten; now those with a
problem)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pycocotools import mask as mask_utils

from pixelproof.cli import main
from pixelproof.core.demo import install_demo


def _card(page: str, name: str) -> str:
    """The caption of the card of ``name``."""
    found = [c for c in re.findall(r"<figcaption>(.*?)</figcaption>", page, re.S) if f"/{name}<" in c]
    assert len(found) == 1, f"no card for {name}"
    return found[0]


def test_the_worst_images_cards_name_the_objects_that_differ(tmp_path: Path) -> None:
    project = install_demo(tmp_path / "demo")
    reference = project.parent / "reference.json"
    page_path = tmp_path / "qa.html"
    assert main(["qa", str(reference), str(project), "--html", str(page_path)]) == 0
    page = page_path.read_text()
    assert "images with a problem, worst first" in page and "20 worst" not in page  # fewer on the demo
    cand = json.loads(project.read_text())["annotations"]
    ref = json.loads(reference.read_text())["annotations"]
    coins = _card(page, "coins.png")
    # the reference coins with no candidate coin over them, and the candidate's coins over no reference one
    ref_coins = [a for a in ref if int(a["image_id"]) == 1]
    cand_coins = [a for a in cand if int(a["image_id"]) == 1]
    iou = mask_utils.iou(
        [a["segmentation"] for a in ref_coins], [a["segmentation"] for a in cand_coins], [0] * 24
    )
    missed = [int(a["id"]) for a, row in zip(ref_coins, iou, strict=True) if row.max() <= 0.5]
    extra = [int(a["id"]) for a, col in zip(cand_coins, iou.T, strict=True) if col.max() <= 0.5]
    assert missed and extra
    assert "missed: coin ref #" + ", #".join(map(str, missed)) in coins, coins
    best = max(iou.T[[int(a["id"]) for a in cand_coins].index(extra[0])])
    assert f"extra: coin cand #{extra[0]} (best IoU {best:.3f})" in coins, coins
    astronaut = _card(page, "astronaut.jpg")
    helmet = next(a for a in cand if int(a["image_id"]) == 4 and a.get("segmentation"))
    person = next(a for a in ref if int(a["image_id"]) == 4)
    best = float(mask_utils.iou([helmet["bbox"]], [person["bbox"]], [0])[0][0])  # a box on one side: box IoU
    assert f"extra: person cand #{helmet['id']} (best IoU {best:.3f})" in astronaut, astronaut
    assert "missed" not in _card(page, "coffee.jpg")
    assert "/camera.png<" not in page  # n/a (both empty): no problem, no card
