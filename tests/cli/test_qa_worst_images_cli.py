"""``pixelproof qa`` on the demo: the HTML page's worst-image cards showed perfect and n/a images too when a
project has fewer than 20 images, and the printed summary named no image at all (``agreement`` does); the
printed confusion matrix cut its headers ("motorcycl…", "backgroun…"). The images with a problem are
worked out here from the JSON's per-image rows, apart from the code that lists them."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from pixelproof.cli import main
from pixelproof.core.demo import install_demo


def problem_images(per_image: list[dict]) -> list[tuple[str, float, int]]:
    """(file name, mean Dice, objects that differ) of every image a class of which has Dice under 1 or an
    object missed, extra or of the wrong class; worst first (n/a Dice last)."""
    by_image: dict[str, list[dict]] = {}
    for r in per_image:
        by_image.setdefault(r["file_name"], []).append(r)
    out = []
    for name, rows in by_image.items():
        dices = [r["dice"] for r in rows if r["dice"] is not None]
        objects = sum(r["fp"] + r["fn"] + r["wrong_class"] for r in rows)
        if any(d < 1 for d in dices) or objects:
            out.append((name, sum(dices) / len(dices) if dices else math.nan, objects))
    return sorted(out, key=lambda t: (math.isnan(t[1]), 0 if math.isnan(t[1]) else t[1], -t[2], t[0]))


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return install_demo(tmp_path / "demo")


def run_qa(tmp_path: Path, reference: Path, candidate: Path, capsys, *more: str) -> tuple[dict, str, str]:
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    args = [
        "qa",
        str(reference),
        str(candidate),
        "--json",
        str(out / "qa.json"),
        "--html",
        str(out / "qa.html"),
    ]
    capsys.readouterr()
    assert main([*args, *more]) == 0
    printed = capsys.readouterr().out
    return json.loads((out / "qa.json").read_text()), (out / "qa.html").read_text(), printed


def test_the_html_cards_and_the_summary_name_only_the_images_with_a_problem(tmp_path, demo, capsys) -> None:
    data, page, printed = run_qa(tmp_path, demo.parent / "reference.json", demo, capsys)
    expected = problem_images(data["per_image"])
    scored = len({r["file_name"] for r in data["per_image"]})
    assert scored == 10 and 0 < len(expected) < scored  # the demo has perfect and n/a images too
    captions = re.findall(r"<figcaption>(.*?)<br>", page, re.S)
    names = [re.sub(r"<[^>]+>", "", c) for c in captions]  # the name is in a <bdi>
    assert names == [n for n, _, _ in expected]
    fine = scored - len(expected)
    assert f"{len(expected)} images with a problem" in page
    assert (
        f"{len(expected)} of {scored} images scored have a problem. The other {fine} images: Dice 1 in every "
        "class and every object matched, or no object on either side (n/a)." in page
    )
    assert "n/a (both empty)" not in "".join(re.findall(r"<figcaption>.*?</figcaption>", page, re.S))
    # the terminal: the same images, worst first, each with its mean Dice
    lines = printed.splitlines()
    head = next(n for n, line in enumerate(lines) if "have a problem" in line)
    # it said "7 images with a problem ... (3 of 10 images had none)": now the share, plainly
    share = f"{len(expected)} of {scored} images scored have a problem"
    assert lines[head] == f"{share}, worst first by mean Dice:"
    listed = lines[head + 1 : head + 1 + min(10, len(expected))]
    for line, (name, dice, _) in zip(listed, expected, strict=True):
        assert line.split()[0] == name and f"Dice {dice:.4f}" in line, line
        # the objects that differ, each once (a wrong-class pair is no missed and extra object here)
        statuses = [o["status"] for o in data["per_object"] if o["file_name"] == name]
        said = [(statuses.count(k), word) for k, word in (("fn", "missed"), ("fp", "extra"))]
        said.append((statuses.count("wrong_class"), "wrong class"))
        assert line.endswith(", ".join(f"{n} {w}" for n, w in said if n) or "objects matched"), line


def test_no_image_with_a_problem_is_said(tmp_path, demo, capsys) -> None:
    reference = demo.parent / "reference.json"
    data, page, printed = run_qa(tmp_path, reference, reference, capsys)
    assert problem_images(data["per_image"]) == []
    assert "<figure>" not in page and "No image with a problem" in page
    assert "no image with a problem (Dice 1 in every class and every object matched, or n/a)" in printed
    assert "All 10 images scored: Dice 1 in every class and every object matched" in page


def matrix_rows(block: list[str], labels: list[str]) -> list[list[int]]:
    """The counts of the printed matrix's rows (under its title and header, each row's last numbers)."""
    return [[int(v) for v in row.split()[-len(labels) :]] for row in block[2:]]


@pytest.mark.parametrize("columns", [200, 60])
def test_the_printed_confusion_matrix_names_every_class_whole(
    tmp_path, demo, capsys, monkeypatch, columns
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    data, _page, printed = run_qa(tmp_path, demo.parent / "reference.json", demo, capsys)
    labels, matrix = data["confusion"]["labels"], data["confusion"]["matrix"]
    assert "motorcycle" in labels and "background" in labels
    lines = printed.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("confusion matrix"))
    block = lines[start : start + 2 + len(labels)]
    assert not any("…" in line for line in block), "\n".join(block)
    assert all(len(line) <= columns for line in block[1:]), "\n".join(block)
    assert matrix_rows(block, labels) == matrix
    if columns == 200:  # every name whole over its column
        assert all(name in block[1] for name in labels)
    else:  # too narrow: columns numbered, each number's class named
        assert block[1].split() == [str(n) for n in range(1, len(labels) + 1)]
        for n, name in enumerate(labels, 1):
            assert re.match(rf"\s*{n} {name}\s", block[1 + n]), name
