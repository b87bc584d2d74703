"""``python -m bench prelabel --phases`` times a run by wrapping named functions; one renamed or no longer
imported where the bench looks (``batch.predict_safely`` became ``predict_fitting``) broke the bench at
its end, after minutes of runs. Each name must resolve where the bench looks for it, and a module-level
function must be called there by that name: the wrapper replaces the module's global, so calls made
elsewhere (through another import of it) are not timed and its phase reads 0."""

from __future__ import annotations

import ast
import importlib
import inspect

from bench.prelabel import PHASES


def _calls_by_name(module: object, name: str) -> int:
    """Calls in ``module``'s source of the bare global ``name`` (the ones the bench's wrapper sees)."""
    tree = ast.parse(inspect.getsource(module))  # type: ignore[arg-type]
    return sum(
        isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == name for n in ast.walk(tree)
    )


def test_every_phase_the_bench_times_names_a_function_where_it_is_called() -> None:
    for module_name, attr, label in PHASES:
        module = importlib.import_module(module_name)
        owner: object = module
        for part in attr.split("."):
            owner = getattr(owner, part)
        assert callable(owner), (module_name, attr, label)
        if "." not in attr:  # a method is wrapped on its class: every call goes through the wrapper
            assert _calls_by_name(module, attr), f"{module_name} never calls {attr}: {label} would read 0"
