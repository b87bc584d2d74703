"""The batch flags every batch command shares (``commands._batch.add_batch_arguments``), checked when the
command line is parsed, before any work."""

from __future__ import annotations

from pathlib import Path

import pytest

from pixelproof.cli import main
from tests.cli.test_prelabel_cli import make_project
from tests.cli.test_scale_cli import THRESHOLD, coin_pictures


@pytest.mark.parametrize("command", ["prelabel", "qa", "lint"])
@pytest.mark.parametrize("address", ["", "  "])
def test_an_empty_scheduler_address_is_a_usage_error_not_a_run_on_this_machine(
    command: str, address: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--scheduler "$SCHED"`` with SCHED unset: taken as no scheduler, the job ran on this machine's
    cores (a cluster's hours of work, a --path-map set aside) and wrote its output, saying nothing of it."""
    project = make_project(tmp_path / "p", coin_pictures(2))
    out = tmp_path / "out.json"
    argv = {
        "prelabel": ["prelabel", str(project), *THRESHOLD, "-o", str(out)],
        "qa": ["qa", str(project), str(project), "--json", str(out)],
        "lint": ["lint", str(project), "--json", str(out)],
    }[command]
    before = project.read_bytes()
    with pytest.raises(SystemExit) as usage:
        main([*argv, "--scheduler", address])
    assert usage.value.code == 2
    err = capsys.readouterr().err
    assert "argument --scheduler: an empty address (an unset variable in the command line?)" in err, err
    assert not out.exists()
    assert project.read_bytes() == before
