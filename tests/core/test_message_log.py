"""The session's kept status messages (View > Messages…): bounded, oldest first, copied one line each."""

from __future__ import annotations

from datetime import datetime

from pixelproof.core.message_log import LIMIT, REPORT_MOST, MessageLog, as_text, report_lines


def test_the_log_keeps_the_last_messages_oldest_first() -> None:
    log = MessageLog(limit=3)
    for n in range(5):
        log.add(f"message {n}")
    assert [m.text for m in log.messages] == ["message 2", "message 3", "message 4"]
    log.clear()
    assert len(log) == 0


def test_a_cleared_bar_is_no_message_and_an_unknown_kind_is_info() -> None:
    log = MessageLog()
    assert log.add("") is None and log.add("   ") is None
    assert log.add("Saved", kind="shout").kind == "info"
    assert log.add("Not saved", kind="error").kind == "error"
    assert len(log) == 2


def test_copied_text_has_the_time_and_the_kind_of_a_warning_or_error() -> None:
    log = MessageLog()
    at = datetime(2026, 1, 2, 13, 4, 5)
    log.add("Saved /p.json", time=at)
    log.add("Imported 2 images; skipped 1 point", "warning", at)
    assert as_text(log.messages) == (
        "13:04:05  Saved /p.json\n13:04:05  [warning] Imported 2 images; skipped 1 point"
    )


def test_a_reports_lines_name_it_and_a_long_report_is_cut_to_a_bounded_count() -> None:
    assert report_lines("Import report", ["a.json: shape 2: a point, skipped"]) == [
        "Import report: a.json: shape 2: a point, skipped"
    ]
    lines = [f"f{i}.json: unreadable" for i in range(100_000)]
    kept = report_lines("Import report", lines, most=100)
    assert len(kept) == 101 and kept[99] == "Import report: f99.json: unreadable"
    assert kept[-1] == "Import report: … and 99,900 more, not kept here (the report lists them all)"
    # the log's cap stays: a big report keeps far fewer lines than the session's limit
    assert REPORT_MOST < LIMIT // 2
