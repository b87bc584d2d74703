"""The HTML report's header names every option the run used that changes a figure, read from what the run
recorded (the JSON's ``options``), not from the command line: beside another report, a page scored at
IoU 0.35, or with the reference read with ``--remap-categories``, must say so."""

from __future__ import annotations

import html
import json
import re

from pixelproof.cli import main
from tests.cli.test_qa_cli import pair  # noqa: F401  (the fixture)


def _options_block(page: str) -> str:
    found = re.search(r"<p class='options'>(.*?)</p>", page, re.S)
    assert found, "no options paragraph in the report's header"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))


def test_the_html_header_lists_every_option_that_changes_a_figure(pair, tmp_path):  # noqa: F811
    ref, cand = pair
    runs = {
        "default": [],
        "changed": ["--iou-threshold", "0.35", "--nsd-tau", "3.5", "--both-empty-as-one", "--score-threshold",
                    "0.25", "--ref-format", "coco", "--remap-categories", "yes"],
    }  # fmt: skip
    blocks = {}
    for name, flags in runs.items():
        out, js = tmp_path / f"{name}.html", tmp_path / f"{name}.json"
        assert main(["qa", str(ref), str(cand), *flags, "--html", str(out), "--json", str(js)]) == 0
        blocks[name] = _options_block(out.read_text())
        recorded = json.loads(js.read_text())["options"]
        # every option the run records has its item (the count of objects left out aside), reader ones each
        items = blocks[name].removeprefix("Options: ").split("; ")
        want = len(recorded) - 2 + len(recorded["reader_options"])
        assert len(items) == want and "nsd_tau_by_class" in recorded, (items, recorded)
    changed, default = blocks["changed"], blocks["default"]
    for said in ("--iou-threshold 0.35", "--nsd-tau 3.5", "--both-empty-as-one yes", "--score-threshold 0.25",
                 "--ref-format coco", "--remap-categories yes"):  # fmt: skip
        assert said in changed, (said, changed)
    assert "--iou-threshold 0.5" in default and "--score-threshold none" in default, default
    assert "--both-empty-as-one no" in default and "--remap-categories" not in default, default
