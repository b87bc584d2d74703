"""The tracking figures of a QA run in the review view: one line under the per-class summary, "Tracks: MOTA
0.833 · IDF1 0.910 · 2 ID switches", the run's ``tracks`` overall row (``core.qa_tracks`` computes them, as
``pixelproof qa`` prints them), its tooltip saying what each figure is, the rest of the overall row and, with
several sequences, each one's. Hidden when the run has no tracks (no video, or one side without tracks)."""

from __future__ import annotations

from typing import Any

from pixelproof.core.qa import QAResult
from pixelproof.core.qa_tracks import tracks_heading
from pixelproof.core.wording import plural
from pixelproof.ui.dialogs import as_text
from pixelproof.ui.one_line import OneLineLabel
from pixelproof.ui.review.compute import all_in_report
from pixelproof.ui.review.tables import format_value

SEQUENCES_IN_TIP = 10  # sequences the tooltip lists one by one; Export Report's CSV of tracks has every one
MEANINGS = (
    "MOTA: 1 - (misses + extras + ID switches) / reference objects, over all frames (can go below 0)",
    "IDF1: F1 of identities: whole tracks paired once per sequence, a frame counting when the boxes pair",
    "ID switch: a reference track paired with another candidate track than it last was",
    "MOTP: mean 1 - IoU of the paired boxes (lower is better)",
    "Fragmentation: a reference track lost, then found again",
    "MT / PT / ML: reference tracks paired on at least 80 %, 20-80 %, under 20 % of their frames",
)


def _figure(row: dict[str, Any], name: str) -> str:
    return format_value(name, row.get(name))  # as the review's tables: 3 decimals, n/a for a null


def tracks_line(tracks: dict[str, Any]) -> str:
    """The line shown: the overall MOTA, IDF1 and ID switches (and how many sequences, when several)."""
    o, n = tracks["overall"], len(tracks["per_sequence"])
    where = f"Tracks ({plural(n, 'sequence')})" if n > 1 else "Tracks"
    return (
        f"{where}: MOTA {_figure(o, 'mota')} · IDF1 {_figure(o, 'idf1')} · "
        f"{plural(o['num_switches'], 'ID switch')}"
    )


def _sequence_line(r: dict[str, Any]) -> str:
    return (
        f"{r['sequence']}: MOTA {_figure(r, 'mota')} · IDF1 {_figure(r, 'idf1')} · "
        f"{plural(r['num_switches'], 'ID switch')}"
    )


def tracks_tip(tracks: dict[str, Any]) -> str:
    """The tooltip: how boxes pair, the rest of the overall figures, each sequence's, what each one means."""
    o, seqs = tracks["overall"], tracks["per_sequence"]
    heading = tracks_heading(tracks)  # "tracks: 2 sequences, box IoU >= 0.5, ..."
    lines = [
        heading[:1].upper() + heading[1:],
        f"MOTP {_figure(o, 'motp')} · IDP {_figure(o, 'idp')} · IDR {_figure(o, 'idr')} · "
        f"{plural(o['num_fragmentations'], 'fragmentation')} · MT {o['mostly_tracked']} · "
        f"PT {o['partially_tracked']} · ML {o['mostly_lost']} · FP {o['num_false_positives']} · "
        f"FN {o['num_misses']}",
    ]
    if len(seqs) > 1:
        lines += ["", *(_sequence_line(r) for r in seqs[:SEQUENCES_IN_TIP])]
        if len(seqs) > SEQUENCES_IN_TIP:
            lines.append(f"… and {len(seqs) - SEQUENCES_IN_TIP} more: {all_in_report('tracks_csv')}")
    return "\n".join([*lines, "", *MEANINGS])


class TrackFigures(OneLineLabel):
    """The line of a run's tracking figures (cut to the pane's width, never widening it); hidden without."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("reviewTracks")
        self.setAccessibleName("Tracking figures")
        self.hide()

    def set_result(self, result: QAResult | None) -> None:
        """Show ``result``'s tracking figures; hide the line when it has none."""
        tracks = result.tracks if result is not None else None
        if not tracks:
            self.set_line("")
            self.hide()
            return
        self.set_line(tracks_line(tracks), tracks_tip(tracks))
        self.show()

    def tooltip_text(self) -> str:
        """The whole line first where it is cut, then the tip; as written (a folder's name is no markup)."""
        said = "\n\n".join(t for t in (self.whole if self.is_cut() else "", self.tip) if t)
        return as_text(said) if said else ""
