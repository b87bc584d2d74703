"""Honeypot scorecards showed 's/image n/a' with no word why when no time was recorded (the shard labelled
outside PixelProof: no ``time_spent``; or its honeypots never opened in the app; or a merged project,
whose time the scorecards do not read). Each card now says why, as other n/a figures do: a
``seconds_per_image_reason`` in the JSON, 'n/a (reason)' in the printed line and on the HTML page."""

from __future__ import annotations

import json
from pathlib import Path

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from tests.cli.test_agreement_spacing_cli import label
from tests.cli.test_teams_cli import _setup

OUTSIDE = "no time recorded: shard edited outside PixelProof"
NOT_OPENED = "no time recorded on its honeypots (not opened in PixelProof)"
MERGED = "no time read from a merged project: score the shards for it"


def test_scorecards_say_why_no_time_per_image(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project, ref_path = _setup(tmp_path)
    out = tmp_path / "shards"
    assert main(["split", str(project), "--annotators", "ann,bob,cy", "--overlap", "0.3", "--honeypots",
                 str(ref_path), "--honeypot-fraction", "0.2", "-o", str(out)]) == 0  # fmt: skip
    manifest = out / "lead-manifest.json"
    honeypots = {Path(k).name for k in json.loads(manifest.read_text())["honeypots"]["images"]}
    reference = load_project(ref_path)
    for who in ("ann", "bob", "cy"):
        label(out / f"{who}.json", reference, 0, {})  # labelled by a script: no time recorded
    bob = load_project(out / "bob.json")  # bob labelled his own images in the app, not the honeypots
    bob.app["time_spent"] = {str(i): {"bob": 12.0} for i, im in bob.images.items()
                             if Path(im.file_name).name not in honeypots}  # fmt: skip
    save_project(bob)
    cy = load_project(out / "cy.json")  # cy opened everything in the app
    cy.app["time_spent"] = {str(i): {"cy": 8.0} for i in cy.images}
    save_project(cy)
    report, html = tmp_path / "agreement.json", tmp_path / "agreement.html"
    capsys.readouterr()
    shards = [str(out / f"{who}.json") for who in ("ann", "bob", "cy")]
    code = main(
        ["agreement", *shards, "--manifest", str(manifest), "--json", str(report), "--html", str(html)]
    )
    printed = capsys.readouterr().out
    assert code == 0
    cards = {c["annotator"]: c for c in json.loads(report.read_text())["honeypots"]}
    assert cards["ann"]["seconds_per_image"] is None and cards["ann"]["seconds_per_image_reason"] == OUTSIDE
    assert (
        cards["bob"]["seconds_per_image"] is None and cards["bob"]["seconds_per_image_reason"] == NOT_OPENED
    )
    assert cards["cy"]["seconds_per_image"] == 8.0 and "seconds_per_image_reason" not in cards["cy"]
    assert f"s/image n/a ({OUTSIDE})" in printed and f"s/image n/a ({NOT_OPENED})" in printed
    assert "s/image 8.000" in printed
    page = html.read_text()
    assert f"n/a ({OUTSIDE})" in page and f"n/a ({NOT_OPENED})" in page

    # a merged project (merged without --manifest: the honeypots among the versions side by side)
    merged = tmp_path / "merged.json"
    assert main(["merge", *shards, "-o", str(merged)]) in (0, 3)
    capsys.readouterr()
    code = main(["agreement", str(merged), "--manifest", str(manifest), "--json", str(report)])
    assert code == 0
    cards = {c["annotator"]: c for c in json.loads(report.read_text())["honeypots"]}
    assert all(c["seconds_per_image_reason"] == MERGED for c in cards.values())
    assert f"s/image n/a ({MERGED})" in capsys.readouterr().out
