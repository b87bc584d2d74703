"""The HTML report of a QA run with tracks (``report.tracks_html``): a "Tracks" table with a row per frame
sequence and the (all) row, each cell the figure of ``QAResult.tracks`` written as the report's other
tables write figures (4 decimals, counts whole, a null with its reason); no such table without tracks."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from pixelproof.core.coco import new_project
from pixelproof.core.model import Annotation, ImageRecord, Project
from pixelproof.core.qa import run_qa
from pixelproof.core.qa_tracks import COUNTS, FIGURES
from pixelproof.core.report import to_dict, write_html
from pixelproof.core.report_numbers import figure_text

Clip = dict[str, list[dict[int, float]]]  # folder -> frames -> track id -> box x (y 10, 20 x 20 px)


def video(clips: Clip) -> Project:
    """A project of the clips' frames, each object a 20 px box on its track."""
    p = new_project(["car"])
    for folder, frames in clips.items():
        for f, objects in enumerate(frames):
            image = len(p.images) + 1
            p.add_image(ImageRecord(image, f"{folder}/frame_{f:06d}.png", 640, 480))
            for track, x in objects.items():
                box = [x, 10.0, 20.0, 20.0]
                p.add_annotation(Annotation(len(p.annotations) + 1, image, 1, box, area=400.0,
                                            extra={"track_id": track}))  # fmt: skip
    return p


REFERENCE: Clip = {
    "street": [{1: 10, 2: 200}, {1: 15, 2: 195}, {1: 20, 2: 190}, {1: 25, 2: 185}],
    "yard": [{}, {}],  # nothing on a track in the reference: MOTA has nothing to divide by
}
CANDIDATE: Clip = {
    # track 1 followed by 10 then 12 (an ID switch), track 2 lost on frame 2, an extra 99 on frame 3
    "street": [{10: 11, 11: 199}, {10: 16, 11: 194}, {12: 21}, {12: 26, 11: 184, 99: 400}],
    "yard": [{5: 50}, {5: 52}],
}


class Tables(HTMLParser):
    """Each ``<h2>``'s text and the cells of the first table after it."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._heading: str | None = None
        self._in: str | None = None
        self._text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("h2", "td", "th"):
            self._in, self._text = tag, []
        elif tag == "tr" and self._heading is not None:
            self.tables[self._heading].append([])

    def handle_endtag(self, tag: str) -> None:
        text = "".join(self._text)
        if tag == "h2" and self._in == "h2":
            self._heading = text
            self.tables[text] = []
        elif tag in ("td", "th") and self._in == tag and self._heading is not None:
            self.tables[self._heading][-1].append(text)
        elif tag == "table":
            self._heading = None  # only the first table after a heading
        if tag == self._in:  # a <bdi> inside a cell leaves it open
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self._text.append(data)


def cell(row: dict[str, Any], name: str) -> str:
    if row[name] is None:
        return f"n/a ({row[f'{name}_reason']})"
    return str(row[name]) if name in COUNTS else figure_text(row[name])


def test_html_report_has_a_tracks_table_of_the_runs_figures(tmp_path: Path) -> None:
    result = run_qa(video(REFERENCE), video(CANDIDATE))
    tracks = result.tracks
    assert tracks is not None and tracks["overall"]["num_switches"] == 1
    assert tracks["per_sequence"][1]["mota"] is None  # yard: a null shown with its reason
    out = tmp_path / "qa.html"
    write_html(to_dict(result, "ref.json", "cand.json"), out)
    table = Tables(out.read_text(encoding="utf-8")).tables["Tracks"]
    head, *rows = table
    assert head == ["sequence", *FIGURES, *COUNTS]
    want = [*tracks["per_sequence"], tracks["overall"]]
    assert [r[0] for r in rows] == ["street", "yard", "(all)"]
    for got, row in zip(rows, want, strict=True):
        assert got[1:] == [cell(row, name) for name in head[1:]], row["sequence"]
    assert rows[0][head.index("mota")] == figure_text(tracks["per_sequence"][0]["mota"])
    assert rows[1][head.index("mota")] == "n/a (nothing to divide by)"


def test_html_report_without_tracks_has_no_tracks_section(tmp_path: Path) -> None:
    ref, cand = video(REFERENCE), video(CANDIDATE)
    for ann in [*ref.annotations.values(), *cand.annotations.values()]:
        ann.extra.pop("track_id")
    result = run_qa(ref, cand)
    assert result.tracks is None
    out = tmp_path / "qa.html"
    write_html(to_dict(result, "ref.json", "cand.json"), out)
    parsed = Tables(out.read_text(encoding="utf-8"))
    assert "Tracks" not in parsed.tables and "Summary" in parsed.tables
