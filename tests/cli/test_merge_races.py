"""What a team lead meets merging and accepting: two merges into one project at once, a file that is no
shard of the manifest's split, objects a merge or a consensus leaves out said and kept."""

from __future__ import annotations

import json
from pathlib import Path

import pixelproof.core.merge as merge_module
from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from tests.cli.test_teams_cli import _setup
from tests.core.teams_data import box_annotation, make_project


def _split(tmp_path: Path) -> tuple[Path, Path]:
    project, _ref = _setup(tmp_path)
    out = tmp_path / "shards"
    assert main(["split", str(project), "--annotators", "ann,bob", "--overlap", "0.2", "-o", str(out)]) == 0
    return project, out


def _draw(shard: Path, overlap: bool, manifest: dict) -> None:
    p = load_project(shard)
    image = next(
        im for im in p.images.values() if (Path(im.file_name).name in str(manifest["overlap"])) == overlap
    )
    p.add_annotation(box_annotation(p.next_annotation_id(), image.id, 2, [3, 3, 8, 8]))
    save_project(p)


def test_a_merge_in_place_never_replaces_what_another_merge_wrote_meanwhile(
    tmp_path: Path, capsys, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    project, out = _split(tmp_path)
    manifest = json.loads((out / "lead-manifest.json").read_text())
    _draw(out / "ann.json", False, manifest)
    _draw(out / "bob.json", False, manifest)
    merge = merge_module.merge_shards

    def racing(shards, **kw):  # type: ignore[no-untyped-def]
        # bob's merge, in another terminal, finishes while ann's is running
        monkeypatch.setattr(merge_module, "merge_shards", merge)
        assert main(["merge", str(out / "bob.json"), "--into", str(project), "-o", str(project)]) == 0
        return merge(shards, **kw)

    monkeypatch.setattr(merge_module, "merge_shards", racing)
    code = main(["merge", str(out / "ann.json"), "--into", str(project), "-o", str(project)])
    err = capsys.readouterr().err
    assert code == 1
    assert "changed on disk" in err and "merge the shards into it again" in err
    authors = {a.author for a in load_project(project).annotations.values()}
    assert "bob" in authors and "ann" not in authors  # bob's merge kept; ann's refused, not half-written
    assert main(["merge", str(out / "ann.json"), "--into", str(project), "-o", str(project)]) == 0
    authors = {a.author for a in load_project(project).annotations.values()}
    assert {"ann", "bob"} <= authors


def test_a_file_of_another_project_among_the_shards_is_refused_with_the_manifest(
    tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    project, out = _split(tmp_path)
    (tmp_path / "other").mkdir()
    other = make_project(tmp_path / "other", 3, prefix="other")
    save_project(other)
    before = (project).read_bytes()
    merged = tmp_path / "merged.json"
    code = main(
        ["merge", str(out / "ann.json"), str(other.path), "--into", str(project), "--manifest",
         str(out / "lead-manifest.json"), "-o", str(merged)]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 1 and not merged.exists() and project.read_bytes() == before
    assert f"{other.path} is no annotator's shard" in err and "describes split" in err


def test_the_base_objects_a_shard_replaces_are_kept_in_a_report_even_without_report(
    tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    project, out = _split(tmp_path)
    manifest = json.loads((out / "lead-manifest.json").read_text())
    ann = load_project(out / "ann.json")
    image = next(im for im in ann.images.values() if Path(im.file_name).name not in str(manifest["overlap"]))
    ann.add_annotation(box_annotation(ann.next_annotation_id(), image.id, 2, [3, 3, 8, 8]))
    save_project(ann)
    base = load_project(project)
    mine = next(im for im in base.images.values() if Path(im.file_name).name == Path(image.file_name).name)
    lead = box_annotation(base.next_annotation_id(), mine.id, 1, [20, 20, 5, 5])
    base.add_annotation(lead)  # the lead labels the same image meanwhile
    save_project(base)
    assert main(["merge", str(out / "ann.json"), "--into", str(project), "-o", str(project)]) == 3
    err = capsys.readouterr().err
    assert lead.id not in load_project(project).annotations  # ann's version kept, as documented
    report = tmp_path / "project.merge-report.json"
    assert f"kept in {report} under left_out_objects" in err
    kept = json.loads(report.read_text())["left_out_objects"]
    assert [(o["id"], o["bbox"]) for o in kept] == [(lead.id, [20, 20, 5, 5])]


def test_accepting_the_consensus_says_what_only_one_of_two_annotators_drew_and_is_deleted(
    tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    project, out = _split(tmp_path)
    manifest = json.loads((out / "lead-manifest.json").read_text())
    _draw(out / "ann.json", True, manifest)  # ann draws on an overlap image, bob does not
    merged = tmp_path / "merged.json"
    args = ["merge", str(out / "ann.json"), str(out / "bob.json"), "--into", str(project), "-o", str(merged)]
    assert main([*args, "--manifest", str(out / "lead-manifest.json")]) == 0
    assert main(["consensus", str(merged), "--ties", "drop"]) == 0
    capsys.readouterr()
    assert main(["consensus", str(merged), "--accept"]) == 0
    said = capsys.readouterr().out
    assert "1 object of the annotators no consensus object keeps (drawn by too few of the annotators" in said
    assert "on 1 image: " in said
