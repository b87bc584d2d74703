"""``pixelproof split`` / ``merge``: files written, exit codes, the conflict report."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from tests.core.teams_data import box_annotation, make_project


def _setup(tmp_path: Path) -> tuple[Path, Path]:
    project = make_project(tmp_path, 20)
    save_project(project)
    (tmp_path / "gold").mkdir()
    ref = make_project(tmp_path / "gold", 6, prefix="gold")
    save_project(ref)
    return project.path, ref.path  # type: ignore[return-value]


def test_split_then_merge_round_trip(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project, ref = _setup(tmp_path)
    out = tmp_path / "shards"
    code = main(
        ["split", str(project), "--annotators", "ann,bob", "--overlap", "0.2", "--honeypots", str(ref),
         "--honeypot-fraction", "0.1", "-o", str(out)]
    )  # fmt: skip
    assert code == 0
    names = ["ann.history.jsonl", "ann.json", "bob.history.jsonl", "bob.json", "lead-manifest.json"]
    assert sorted(p.name for p in out.iterdir()) == names
    manifest = json.loads((out / "lead-manifest.json").read_text())
    assert len(manifest["overlap"]) == 4 and len(manifest["honeypots"]["images"]) == 1
    assert "4 overlap images (each to 2 annotators), 1 honeypot; manifest" in capsys.readouterr().out
    ann = load_project(out / "ann.json")
    first = next(iter(ann.images.values()))
    assert (out / first.file_name).resolve().parent == (tmp_path / "images").resolve()  # paths still resolve
    mine = next(im for im in ann.images.values() if Path(im.file_name).name not in str(manifest["overlap"]))
    ann.add_annotation(box_annotation(ann.next_annotation_id(), mine.id, 2, [3, 3, 8, 8]))
    save_project(ann)
    merged = tmp_path / "merged.json"
    report = tmp_path / "report.json"
    code = main(
        ["merge", str(out / "ann.json"), str(out / "bob.json"), "--into", str(project), "--manifest",
         str(out / "lead-manifest.json"), "-o", str(merged), "--report", str(report)]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    result = load_project(merged)
    base = load_project(project)
    assert len(result.images) == len(base.images)  # the honeypot is left out
    # ann's new object, and each overlap image's objects twice: bob's version and ann's, both unchanged
    overlap = [int(i) for i in result.app["overlap_annotators"]]
    assert len(overlap) == 4 and all(
        result.app["overlap_annotators"][str(i)] == ["ann", "bob"] for i in overlap
    )
    copies = sum(len(base.annotations_of(i)) for i in overlap)
    assert len(result.annotations) == len(base.annotations) + 1 + copies
    assert [a.author for a in result.annotations.values() if a.author] == ["ann"]
    data = json.loads(report.read_text())
    assert data["conflicts"] == [] and data["stats"]["honeypots_left_out"] == 1
    assert "1 honeypot left out, 0 conflicts" in capsys.readouterr().out


def test_merge_reports_conflicts_with_exit_3(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project, _ = _setup(tmp_path)
    a = load_project(project)
    b = load_project(project)
    a.add_annotation(box_annotation(500, 1, 1, [1, 1, 4, 4]))
    b.add_annotation(box_annotation(501, 1, 2, [9, 9, 4, 4]))
    for ann in b.annotations_of(2):
        if ann.kind == "mask":
            b.remove_annotation(ann.id)
    b.images[2].height = 7
    save_project(a, tmp_path / "a.json")
    save_project(b, tmp_path / "b.json")
    report = tmp_path / "r.json"
    code = main(["merge", str(tmp_path / "a.json"), str(tmp_path / "b.json"), "-o", str(tmp_path / "m.json"),
                 "--report", str(report)])  # fmt: skip
    assert code == 3
    err = capsys.readouterr().err
    assert "conflict [edited_in_two_shards]" in err and "conflict [image_size_mismatch]" in err
    types = {c["type"] for c in json.loads(report.read_text())["conflicts"]}
    assert types == {"edited_in_two_shards", "image_size_mismatch"}


def test_split_and_merge_refuse_to_overwrite_inputs(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project, _ = _setup(tmp_path)
    assert main(["split", str(project), "--annotators", "a,b", "-o", str(tmp_path),
                 "--manifest", str(project)]) == 1  # fmt: skip
    assert "would overwrite an input" in capsys.readouterr().err
    assert main(["merge", str(project), "-o", str(project)]) == 1
    assert main(["split", str(project), "--annotators", "a/b", "-o", str(tmp_path / "x")]) == 2
    assert "annotator name" in capsys.readouterr().err
    # before: an annotator named lead-manifest got a shard the manifest then overwrote (exit 0), and Ann and
    # ann two shards that are one file on Windows and macOS; both are refused before anything is written
    out = tmp_path / "shards"
    assert main(["split", str(project), "--annotators", "lead-manifest,bob", "-o", str(out)]) == 1
    assert "the manifest would overwrite the shard" in capsys.readouterr().err
    assert main(["split", str(project), "--annotators", "Ann,ann", "-o", str(out)]) == 2
    assert "differ only in case" in capsys.readouterr().err and not any(out.iterdir())


def test_agreement_with_honeypot_scorecards(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from pixelproof.core.split import image_key
    from tests.core.teams_data import mask_annotation

    project, ref_path = _setup(tmp_path)
    out = tmp_path / "shards"
    assert main(["split", str(project), "--annotators", "ann,bob", "--overlap", "0.3", "--honeypots",
                 str(ref_path), "--honeypot-fraction", "0.2", "-o", str(out)]) == 0  # fmt: skip
    reference = load_project(ref_path)
    ref_by_key = {image_key(reference, im): im for im in reference.images.values()}
    for who, shift in (("ann", 0), ("bob", 3)):
        shard = load_project(out / f"{who}.json")
        for im in shard.images.values():
            gold = ref_by_key.get(image_key(shard, im))
            if gold is None:
                continue
            for a in reference.annotations_of(gold.id):  # label the honeypot: ann exactly, bob shifted
                m = np.roll(a.mask(im.height, im.width), shift, axis=1)
                shard.add_annotation(mask_annotation(shard.next_annotation_id(), im.id, a.category_id, m))
            shard.app.setdefault("time_spent", {})[str(im.id)] = {who: 10.0 + shift}
        save_project(shard)
    report = tmp_path / "agreement.json"
    html = tmp_path / "agreement.html"
    code = main(["agreement", str(out / "ann.json"), str(out / "bob.json"), "--manifest",
                 str(out / "lead-manifest.json"), "--json", str(report), "--html", str(html)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    data = json.loads(report.read_text())
    assert data["raters"] == ["ann", "bob"] and data["images"] >= 6  # overlap images + honeypots
    cards = {c["annotator"]: c for c in data["honeypots"]}
    assert cards["ann"]["dice"] == 1.0 and cards["ann"]["f1"] == 1.0
    assert cards["bob"]["dice"] < 0.9 and cards["bob"]["hd95"] == 3.0
    assert cards["ann"]["seconds_per_image"] == 10.0 and cards["bob"]["seconds_per_image"] == 13.0
    assert cards["ann"]["images"] == len(
        json.loads((out / "lead-manifest.json").read_text())["honeypots"]["images"]
    )
    page = html.read_text()
    assert "Honeypot scorecards" in page and "ann / bob" in page
    printed = capsys.readouterr().out
    assert "honeypots bob:" in printed and "ann / bob" in printed
    # a merged project scores the annotators' versions the merge kept side by side: without --manifest
    # the honeypots are among them (the same figures as on the shards); with it they were left out
    manifest = str(out / "lead-manifest.json")
    for name, extra in (("kept.json", []), ("left-out.json", ["--manifest", manifest])):
        code = main(
            ["merge", str(out / "ann.json"), str(out / "bob.json"), "-o", str(tmp_path / name), *extra]
        )
        assert code in (0, 3)  # 3: the honeypots' new objects renumbered, reported
    capsys.readouterr()
    assert (
        main(["agreement", str(tmp_path / "kept.json"), "--manifest", manifest, "--json", str(report)]) == 0
    )
    merged_cards = {c["annotator"]: c for c in json.loads(report.read_text())["honeypots"]}
    for who in ("ann", "bob"):
        for key in ("images", "dice", "hd95", "f1"):
            assert merged_cards[who][key] == cards[who][key], (who, key)
    assert main(["agreement", str(tmp_path / "left-out.json"), "--manifest", manifest]) == 0
    assert (
        "left-out.json holds no honeypot image (merge --manifest leaves them out)" in capsys.readouterr().err
    )


def test_tag_diff_at_and_checkout(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project, _ = _setup(tmp_path)
    assert main(["tag", str(project), "v1", "-m", "first delivery", "--author", "lead"]) == 0
    p = load_project(project)
    p.remove_annotation(1)
    p.add_annotation(box_annotation(900, 3, 2, [1, 1, 6, 6]))
    save_project(p)
    capsys.readouterr()
    assert main(["diff", str(project), "--at", "v1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["totals"] == {"added": 1, "removed": 1, "changed": 0, "unchanged": 39}
    assert main(["diff", str(project), "--at", "v1"]) == 0
    out = capsys.readouterr().out
    assert "images/img001.png: +0 -1 ~0" in out and "total: 1 added, 1 removed, 0 changed" in out
    assert main(["tag", str(project)]) == 0
    assert "first delivery" in capsys.readouterr().out
    old = tmp_path / "sub" / "old.json"
    old.parent.mkdir()
    assert main(["checkout", str(project), "--at", "v1", "-o", str(old)]) == 0
    checked = load_project(old)
    assert 1 in checked.annotations and 900 not in checked.annotations
    assert (old.parent / checked.images[1].file_name).resolve() == (tmp_path / "images/img001.png").resolve()
    capsys.readouterr()
    assert main(["diff", str(old), str(project), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["added"] == 1
    assert main(["checkout", str(project), "--at", "v1", "-o", str(project)]) == 1
    assert main(["checkout", str(project), "--at", "nope", "-o", str(old)]) == 1
    assert main(["diff", str(project)]) == 2  # a usage error
    assert "give OLD and NEW" in capsys.readouterr().err


def test_taxonomy_merge_says_where_the_lint_rules_went(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A merge carries the source's lint rules into the target (its own keys kept) and says so."""
    project = tmp_path / "p.json"
    p = make_project(tmp_path, 1)
    p.app["rules"] = {"classes": {"cat": {"min_area": 40, "border": False}, "dog": {"min_area": 90}}}
    save_project(p, project)
    assert main(["taxonomy", "merge", str(project), "cat", "dog"]) == 0
    out = capsys.readouterr().out
    assert "Merge class cat into dog; Move the lint rules of cat to dog (dog keeps its own min_area)" in out
    rules = load_project(project).app["rules"]
    assert rules == {"classes": {"dog": {"min_area": 90, "border": False}}}


def test_taxonomy_commands_and_the_log(tmp_path: Path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PIXELPROOF_AUTHOR", "lead")
    project, _ = _setup(tmp_path)
    guide = tmp_path / "cat.md"
    guide.write_text("# Cats\nWhole body.")
    describe = ["taxonomy", "describe", str(project), "cat", "--description", "Felis catus"]
    assert main([*describe, "--guideline-file", str(guide), "--example", "images/img001.png:1,2,10,10"]) == 0
    assert main(["taxonomy", "rename", str(project), "dog", "canine"]) == 0
    assert main(["taxonomy", "split", str(project), "bird", "songbird", "raptor"]) == 0
    assert "objects of songbird set to pending review" in capsys.readouterr().out
    assert main(["taxonomy", "delete", str(project), "raptor", "--reassign", "cat", "--author", "ana"]) == 0
    assert main(["taxonomy", "merge", str(project), "nope", "cat"]) == 1
    assert "no category 'nope'" in capsys.readouterr().err
    assert main(["taxonomy", "export", str(project), "-o", str(tmp_path / "tax.yaml")]) == 0
    other = tmp_path / "other.json"
    save_project(make_project(tmp_path, 1), other)
    assert main(["taxonomy", "apply", str(tmp_path / "tax.yaml"), str(other)]) == 0
    assert "not in the taxonomy (kept): dog, bird" in capsys.readouterr().out
    assert [c.name for c in load_project(other).categories.values()] == [
        "cat",
        "dog",
        "bird",
        "canine",
        "songbird",
    ]
    capsys.readouterr()
    assert main(["taxonomy", "show", str(project)]) == 0
    shown = capsys.readouterr().out
    assert "Felis catus  [guideline, 1 examples]" in shown and "songbird" in shown and "raptor" not in shown
    assert main(["log", str(project), "--json"]) == 0
    entries = json.loads(capsys.readouterr().out)
    assert [e["tool"] for e in entries[:4]] == ["taxonomy"] * 4
    assert entries[0]["author"] == "ana" and entries[1]["author"] == "lead"
    assert entries[0]["edits"] == ["Delete class raptor (objects to cat)"]
    assert main(["log", str(project), "-n", "2"]) == 0
    text = capsys.readouterr().out
    assert text.count("[taxonomy]") == 2 and "class raptor removed" in text


@pytest.mark.parametrize(
    "line",
    [
        '{"seq": 7, "totals": 5}',
        '{"seq": 7, "taxonomy": [1]}',
        '{"seq": 7, "per_image": 5}',
        '{"seq": 7, "review": [1]}',
        '{"seq": 7, "images": 3}',
        '{"seq": 7, "edits": [1, 2]}',
        '{"seq": 7, "taxonomy": [{"change": "renamed"}]}',
    ],
)
def test_log_skips_an_entry_of_the_wrong_shape(tmp_path: Path, capsys, line: str) -> None:  # type: ignore[no-untyped-def]
    """A hand-edited or damaged line that is JSON but not an entry's shape gave a traceback."""
    project = make_project(tmp_path, 2)
    save_project(project)
    log = tmp_path / "project.history.jsonl"
    with open(log, "a") as f:
        f.write(line + "\n")
    assert main(["log", str(project.path)]) == 0
    out, err = capsys.readouterr()
    if "renamed" in line:  # a rename whose names are missing is still shown
        assert out.startswith("#7 ") and "class ? -> ?" in out
    else:
        assert f"{log}:2: not a history entry (skipped)" in err and "#7" not in out
    assert "#1 " in out


def test_a_guideline_file_that_cannot_be_used_is_named(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A non-UTF-8 guideline said only "'utf-8' codec can't decode byte 0xff" (which file?), and a FIFO
    named as the guideline blocked the command forever."""
    import os

    project = make_project(tmp_path, 1)
    save_project(project)
    latin = tmp_path / "g.md"
    latin.write_bytes(b"\xff\xfe# Katze")
    fifo = tmp_path / "fifo.md"
    os.mkfifo(fifo)
    for guide in (latin, fifo):
        assert main(["taxonomy", "describe", str(project.path), "cat", "--guideline-file", str(guide)]) == 1
        assert f"{guide}: " in capsys.readouterr().err
    assert load_project(project.path).categories[1].app_extra == {}


def test_consensus_command_then_accept(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from tests.core.teams_data import disc, mask_annotation

    project, _ = _setup(tmp_path)
    out = tmp_path / "shards"
    assert main(["split", str(project), "--annotators", "ann,bob,cy", "--overlap", "0.1",
                 "--overlap-copies", "3", "-o", str(out)]) == 0  # fmt: skip
    manifest = json.loads((out / "lead-manifest.json").read_text())
    overlap = set(manifest["overlap"])
    for k, who in enumerate(["ann", "bob", "cy"]):
        shard = load_project(out / f"{who}.json")
        for im in shard.images.values():
            if any(im.file_name.endswith(n) for n in overlap):
                m = disc(30 + k, 30, 6, im.width, im.height)
                shard.add_annotation(mask_annotation(shard.next_annotation_id() + 10 * k, im.id, 1, m))
        save_project(shard)
    merged = tmp_path / "merged.json"
    code = main(["merge", *(str(out / f"{w}.json") for w in ("ann", "bob", "cy")), "--into", str(project),
                 "--manifest", str(out / "lead-manifest.json"), "-o", str(merged)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert main(["consensus", str(merged), "--method", "majority"]) == 0
    assert "pending consensus objects on 2 images" in capsys.readouterr().out
    p = load_project(merged)
    pending = [a for a in p.annotations.values() if (a.source or "").startswith("consensus:")]
    assert len(pending) == 2 * 3  # the two objects every shard had, and the new disc, per image
    assert main(["consensus", str(merged), "--accept"]) == 0
    p = load_project(merged)
    assert not any("annotator" in a.app_extra for a in p.annotations.values())
    assert sum(a.review == "accepted" for a in p.annotations.values()) == 6
    assert main(["log", str(merged)]) == 0
    assert "[consensus]" in capsys.readouterr().out


def test_convert_changed_since_exports_only_changed_images(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project, _ = _setup(tmp_path)
    assert main(["tag", str(project), "v1"]) == 0
    p = load_project(project)
    p.add_annotation(box_annotation(900, 3, 2, [1, 1, 6, 6]))
    p.remove_annotation(p.annotations_of(7)[0].id)
    save_project(p)
    out = tmp_path / "delta.json"
    capsys.readouterr()
    assert (
        main(["convert", str(project), str(out), "--from", "coco", "--to", "coco", "--changed-since", "v1"])
        == 0
    )
    assert "2 of 20 images changed since v1" in capsys.readouterr().out
    delta = load_project(out)
    assert sorted(Path(im.file_name).name for im in delta.images.values()) == ["img003.png", "img007.png"]
    assert len(delta.annotations) == 3 + 1
    assert (
        main(["convert", str(project), str(out), "--from", "coco", "--to", "coco", "--changed-since", "v9"])
        == 1
    )


def test_merge_refuses_a_shard_given_twice(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The same file twice, or a copy of one annotator's shard: each overlap image would hold that
    annotator's version twice (kept side by side) and agreement would compare it with itself."""
    _, out = _split(tmp_path)
    ann = out / "ann.json"
    copy = out / "ann-again.json"
    copy.write_bytes(ann.read_bytes())
    capsys.readouterr()
    merged = tmp_path / "merged.json"
    assert main(["merge", str(ann), str(out / "bob.json"), str(out / ".." / "shards" / "ann.json"),
                 "-o", str(merged)]) == 1  # fmt: skip
    assert "are the same file: give each annotator's shard once" in capsys.readouterr().err
    assert main(["merge", str(ann), str(out / "bob.json"), str(copy), "-o", str(merged)]) == 1
    err = capsys.readouterr().err
    assert f"{ann} and {copy} are two shards of ann (one split)" in err
    assert not merged.exists()
    assert main(["merge", str(ann), str(out / "bob.json"), "-o", str(merged)]) == 0


def test_agreement_refuses_a_shard_given_twice(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    _, out = _split(tmp_path)
    capsys.readouterr()
    assert main(["agreement", str(out / "ann.json"), str(out / "ann.json")]) == 1
    assert "are the same file: give each annotator's shard once" in capsys.readouterr().err
    assert main(["agreement", str(out / "ann.json"), str(out / "bob.json")]) == 0


def test_info_counts_the_images_holding_annotators_versions(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project, out = _split(tmp_path)
    merged = _merge(tmp_path, out)
    capsys.readouterr()
    assert main(["info", str(merged), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["overlap_images"] == 4
    assert main(["info", str(merged)]) == 0
    assert (
        "overlap      4 images hold annotators' versions side by side (`pixelproof" in capsys.readouterr().out
    )
    assert main(["consensus", str(merged), "--method", "majority"]) == 0
    assert main(["consensus", str(merged), "--accept"]) == 0
    capsys.readouterr()
    assert main(["info", str(merged), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["overlap_images"] == 0
    assert main(["info", str(project)]) == 0
    assert "overlap " not in capsys.readouterr().out


def test_qa_warns_when_it_scores_annotators_versions_side_by_side(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project, out = _split(tmp_path)
    merged = _merge(tmp_path, out)
    capsys.readouterr()
    assert main(["qa", str(project), str(merged), "--versions", "all"]) == 0
    err = capsys.readouterr().err
    assert f"{merged}: 4 images hold several annotators' versions side by side" in err
    assert main(["qa", str(project), str(merged)]) == 0  # the default: the agreed objects, none yet
    assert "side by side and no consensus yet: not scored" in capsys.readouterr().err
    assert main(["qa", str(project), str(project)]) == 0
    assert "side by side" not in capsys.readouterr().err


def _split(tmp_path: Path) -> tuple[Path, Path]:
    """The project and the folder of its two annotators' shards (4 overlap images)."""
    project, _ = _setup(tmp_path)
    out = tmp_path / "shards"
    assert main(["split", str(project), "--annotators", "ann,bob", "--overlap", "0.2", "-o", str(out)]) == 0
    return project, out


def _merge(tmp_path: Path, out: Path) -> Path:
    merged = tmp_path / "merged.json"
    assert main(["merge", str(out / "ann.json"), str(out / "bob.json"), "-o", str(merged)]) == 0
    return merged


def test_convert_warns_when_it_writes_annotators_versions_side_by_side(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project, out = _split(tmp_path)
    merged = _merge(tmp_path, out)
    capsys.readouterr()
    assert main(["convert", str(merged), str(tmp_path / "yolo"), "--from", "coco", "--to", "yolo"]) == 0
    assert f"{merged}: 4 images hold several annotators' versions side by side" in capsys.readouterr().err
    assert main(["convert", str(project), str(tmp_path / "yolo2"), "--from", "coco", "--to", "yolo"]) == 0
    assert "side by side" not in capsys.readouterr().err


def test_agreement_with_a_manifest_leaves_the_honeypots_out_of_the_overlap_images(
    tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    """Honeypots are in every shard, so agreement took them for overlap images: "4 overlap images" for a
    split of 2 overlap images and 2 honeypots, their figures blended into the summary (they are scored
    apart, against the reference). With --manifest they are left out: the same figures as on the project
    merged with that manifest."""
    from pixelproof.core.split import image_key
    from tests.core.teams_data import mask_annotation

    project = make_project(tmp_path, 10)
    save_project(project)
    (tmp_path / "gold").mkdir()
    ref = make_project(tmp_path / "gold", 4, prefix="gold")
    save_project(ref)
    out = tmp_path / "shards"
    assert main(["split", str(project.path), "--annotators", "ann,bob", "--overlap", "0.2", "--honeypots",
                 str(ref.path), "--honeypot-fraction", "0.2", "-o", str(out)]) == 0  # fmt: skip
    manifest = json.loads((out / "lead-manifest.json").read_text())
    assert len(manifest["overlap"]) == 2 and len(manifest["honeypots"]["images"]) == 2
    gold = {image_key(ref, im): im for im in ref.images.values()}
    for who, shift in (("ann", 0), ("bob", 3)):  # both label the honeypots, bob shifted
        shard = load_project(out / f"{who}.json")
        for im in shard.images.values():
            g = gold.get(image_key(shard, im))
            for a in ref.annotations_of(g.id) if g is not None else []:
                m = np.roll(a.mask(im.height, im.width), shift, axis=1)
                shard.add_annotation(mask_annotation(shard.next_annotation_id(), im.id, a.category_id, m))
        save_project(shard)
    shards = [str(out / "ann.json"), str(out / "bob.json")]
    lead = str(out / "lead-manifest.json")
    merged = tmp_path / "merged.json"
    assert main(["merge", *shards, "--into", str(project.path), "--manifest", lead, "-o", str(merged)]) == 0
    on_shards, on_merged = tmp_path / "a.json", tmp_path / "b.json"
    assert main(["agreement", *shards, "--manifest", lead, "--json", str(on_shards)]) == 0
    assert main(["agreement", str(merged), "--json", str(on_merged)]) == 0
    a, b = json.loads(on_shards.read_text()), json.loads(on_merged.read_text())
    for data in (a, b):  # each names an image relative to its own project's folder
        for row in data["per_image"]:
            row["file_name"] = Path(row["file_name"]).name
    assert a["images"] == 2
    assert {r["file_name"] for r in a["per_image"]} == {Path(n).name for n in manifest["overlap"]}
    for key in ("images", "summary", "pairs", "per_class", "per_image"):
        assert a[key] == b[key], key
    assert [c["images"] for c in a["honeypots"]] == [2, 2]  # scored on the scorecards
    assert "2 overlap images" in capsys.readouterr().out


def test_a_shard_merged_alone_waits_for_the_others_and_consensus_says_so(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project, out = _split(tmp_path)
    first = tmp_path / "first.json"
    manifest = str(out / "lead-manifest.json")
    assert (
        main(
            ["merge", str(out / "ann.json"), "--into", str(project), "--manifest", manifest, "-o", str(first)]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["consensus", str(first)]) == 1
    assert (
        "4 images hold one annotator's version so far (merge the other shards first)"
        in capsys.readouterr().err
    )
    assert main(["info", str(first), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["overlap_images"], info["overlap_waiting"]) == (4, 4)
    both = tmp_path / "both.json"
    assert (
        main(["merge", str(out / "bob.json"), "--into", str(first), "--manifest", manifest, "-o", str(both)])
        == 0
    )
    assert main(["consensus", str(both)]) == 0
    assert "pending consensus objects on 4 images" in capsys.readouterr().out


@pytest.mark.parametrize("link", [os.link, os.symlink])
def test_merge_and_agreement_refuse_an_output_that_is_a_shard_by_another_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], link: Callable[[Path, Path], None]
) -> None:
    """A hard link or a symlink to a shard given as an output is the shard (as ``A.json`` beside ``a.json``
    is on a case-insensitive disk): refused, as the shard's own path is, before anything is written."""
    project, _ = _setup(tmp_path)
    shards = tmp_path / "shards"
    assert main(["split", str(project), "--annotators", "a,b", "--overlap", "0.5", "-o", str(shards)]) == 0
    shard = shards / "a.json"
    alias = tmp_path / "alias.json"
    link(shard, alias)
    pair = [str(shard), str(shards / "b.json")]
    for args, code in (
        (["agreement", *pair, "--json", str(alias)], 2),  # a report path refused: exit 2, as in qa and lint
        (["agreement", *pair, "--html", str(alias)], 2),
        (["merge", *pair, "-o", str(alias)], 1),
        (["merge", *pair, "-o", str(tmp_path / "m.json"), "--report", str(alias)], 1),
    ):
        capsys.readouterr()
        assert main(args) == code, args
        assert "would overwrite an input" in capsys.readouterr().err
    assert not (tmp_path / "m.json").exists()


@pytest.mark.parametrize("command", ["merge", "agreement"])
def test_a_project_given_twice_by_another_name_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    """A hard link to a project names the same file (as ``A.json`` does beside ``a.json`` on a
    case-insensitive disk): given as a second input it is the first one again, whatever its path says -
    refused as the same file (limits.same_file), even for a project that is no annotator's shard."""
    project, _ = _setup(tmp_path)
    alias = tmp_path / "alias.json"
    os.link(project, alias)
    out = ["-o", str(tmp_path / "m.json")] if command == "merge" else []
    capsys.readouterr()
    assert main([command, str(project), str(alias), *out]) == 1
    assert f"{project} and {alias} are the same file" in capsys.readouterr().err
    assert not (tmp_path / "m.json").exists()


def test_merge_reads_past_hand_edited_ids_that_are_digits_but_no_numbers(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A shard whose per-id entries were edited by hand with a key like '²' (a digit to str.isdigit, not
    to int): merge said 'invalid literal for int()' and stopped; such entries name no image or class."""
    project, _ = _setup(tmp_path)
    out = tmp_path / "shards"
    assert main(["split", str(project), "--annotators", "ann,bob", "--overlap", "0", "-o", str(out)]) == 0
    data = json.loads((out / "ann.json").read_text())
    app = data["pixelproof"]
    app["shard"]["categories"]["²"] = "ghost"
    app["image_review"] = {"²": {"decision": "accepted"}}
    app["time_spent"] = {"³": {"ann": 5}}
    (out / "ann.json").write_text(json.dumps(data))
    capsys.readouterr()
    code = main(["merge", str(out / "ann.json"), str(out / "bob.json"), "--into", str(project),
                 "-o", str(tmp_path / "m.json")])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert len(load_project(tmp_path / "m.json").images) == len(load_project(project).images)


def test_a_large_merge_runs_in_this_process_unless_workers_are_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Shipping an image's versions to a worker process and its merge back costs more than merging it:
    a merge of >= 200 images (a large job for the other batch commands) starts no pool by default."""
    from pixelproof.core.batch import executors

    monkeypatch.setattr(executors, "available_cores", lambda: 2)  # a pool would be chosen on any runner
    monkeypatch.setattr(executors, "PoolExecutor", lambda *a, **k: pytest.fail("a worker pool was started"))
    shards = []
    for prefix in ("a", "b"):
        (tmp_path / prefix).mkdir()
        shard = make_project(tmp_path / prefix, 110, prefix=prefix)
        save_project(shard)
        shards.append(str(shard.path))
    assert main(["merge", *shards, "-o", str(tmp_path / "merged.json")]) == 3  # ids collide: reported
    assert "running on" not in capsys.readouterr().err
    assert len(load_project(tmp_path / "merged.json").images) == 220
