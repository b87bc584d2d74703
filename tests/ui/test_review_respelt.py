"""The review view draws a reference class spelt otherwise than the candidate's ('Coin' for 'coin') as
QA scored it: the same class, not a wrong class over every object."""

from __future__ import annotations

import json

from pixelproof.core import qa_difference
from pixelproof.core.coco import load_project
from pixelproof.core.demo import install_demo
from pixelproof.core.qa import QAOptions
from pixelproof.ui.review import compute


class _Job:  # what compute.score asks of a ui Job
    def report(self, *_: object) -> None: ...
    def send(self, *_: object) -> None: ...
    def check(self) -> None: ...
    def is_cancelled(self) -> bool:
        return False


def test_review_overlays_of_a_respelt_reference_class_agree_as_scored(tmp_path) -> None:
    project_file = install_demo(tmp_path / "demo")
    candidate = load_project(project_file)
    exact = compute.score(_Job(), project_file.parent / "reference.json", candidate, QAOptions())
    data = json.loads((project_file.parent / "reference.json").read_text())
    for c in data["categories"]:
        c["name"] = {"coin": "Coin"}.get(c["name"], c["name"])
    respelt = tmp_path / "respelt.json"
    respelt.write_text(json.dumps(data))
    scored = compute.score(_Job(), respelt, candidate, QAOptions())
    coins = next(p for p in scored.result.pairs if p.file_name.endswith("coins.png"))
    layers = compute.overlays(coins, scored.reference, candidate, outline=False)
    want = compute.overlays(coins, exact.reference, candidate, outline=False)
    # before: every coin drawn as a wrong class, though QA had scored them as coins
    assert layers.codes_present == want.codes_present
    assert (layers.difference == want.difference).all()
    assert qa_difference.DIFF_AGREE in layers.codes_present
