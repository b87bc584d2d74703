"""``python -m bench prelabel --phases`` times a run by wrapping named functions; one renamed or no longer
imported where the bench looks (``batch.predict_safely`` became ``predict_fitting``) broke the bench at
its end, after minutes of runs. Each name must resolve where the bench looks for it."""

from __future__ import annotations

import importlib

from bench.prelabel import PHASES


def test_every_phase_the_bench_times_names_a_function_where_it_is_called() -> None:
    for module_name, attr, label in PHASES:
        owner: object = importlib.import_module(module_name)
        for part in attr.split("."):
            owner = getattr(owner, part)
        assert callable(owner), (module_name, attr, label)
