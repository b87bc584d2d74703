"""``split --annotators`` with names of any script, one typed decomposed (macOS), through lock (an edit
with ``--author``), ``log --by-user``, ``merge`` and ``agreement --html``; names refused with exit 2."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.coco import load_project, save_project
from tests.core.teams_data import make_project

NAMES = ["Björn", "张伟", "Анна"]


def test_split_edit_merge_with_names_of_any_script(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    project = make_project(tmp_path, 12)
    save_project(project)
    out = tmp_path / "shards"
    typed = ",".join([unicodedata.normalize("NFD", NAMES[0]), *NAMES[1:]])
    assert main(["split", str(project.path), "--annotators", typed, "--overlap", "0.5", "-o", str(out)]) == 0
    files = sorted(p.name for p in out.glob("*.json"))
    assert files == sorted([*(f"{n}.json" for n in NAMES), "lead-manifest.json"])
    shards = [out / f"{n}.json" for n in NAMES]
    for name, shard in zip(NAMES, shards, strict=True):
        ids = ",".join(str(i) for i in sorted(load_project(shard).annotations)[:2])
        author = unicodedata.normalize("NFD", name)
        assert main(["lock", str(shard), "--ids", ids, "--author", author]) == 0
    capsys.readouterr()
    assert main(["log", str(shards[0]), "--by-user", "--json"]) == 0
    users = {r["user"]: r["changed"] for r in json.loads(capsys.readouterr().out)}
    assert users.get("Björn") == 2 and all(unicodedata.is_normalized("NFC", u) for u in users)

    merged = tmp_path / "merged.json"
    manifest = str(out / "lead-manifest.json")
    code = main(["merge", *map(str, shards), "--into", str(project.path), "--manifest", manifest,
                 "-o", str(merged)])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    overlap = load_project(merged).app["overlap_annotators"]
    assert overlap and {n for names in overlap.values() for n in names} <= set(NAMES)
    html = tmp_path / "agreement.html"
    code = main(["agreement", *map(str, shards), "--manifest", manifest, "--html", str(html)])
    assert code in (0, 1), capsys.readouterr().err
    page = html.read_text(encoding="utf-8")
    assert all(f"<bdi>{n}</bdi>" in page for n in NAMES)


@pytest.mark.parametrize(
    ("names", "said"),
    [
        ("Anna,anna", "annotator names Anna and anna differ only in case"),
        ("ann,CON", "'CON' is a name Windows keeps for a device"),
        ("ann,evil\u202egpj", r"holds an invisible character (\u202e)"),
        ("ann,a/b", "'a/b' holds '/'"),
    ],
)
def test_split_refuses_names_a_disk_cannot_hold(tmp_path: Path, capsys, names: str, said: str) -> None:  # type: ignore[no-untyped-def]
    project = make_project(tmp_path, 4)
    save_project(project)
    out = tmp_path / "shards"
    assert main(["split", str(project.path), "--annotators", names, "--overlap", "0", "-o", str(out)]) == 2
    assert said in capsys.readouterr().err
    assert not out.exists()
