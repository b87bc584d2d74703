"""``pixelproof backends [--json] [--model FILE]``: installed backends, ready or not and why."""

from __future__ import annotations

import argparse
import json
from typing import Any

from pixelproof.inference.base import BackendError, model_info_lines
from pixelproof.inference.registry import discover


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backends", help="list the pre-labeling backends, ready or not and why")
    p.add_argument("--json", action="store_true", help="print a JSON list (documented in README)")
    p.add_argument(
        "--model",
        metavar="FILE",
        help="try this model file with every backend that takes one, and report whether it loads",
    )
    p.set_defaults(run=run)


def describe_all(model: str | None = None) -> list[dict[str, Any]]:
    """One entry per registered backend; a plugin that fails to load or configure is reported, never
    raised, so one broken backend cannot hide the others."""
    out = []
    for info in discover():
        entry: dict[str, Any] = {
            "name": info.name,
            "kind": None,
            "ready": False,
            "reason": info.error or "",
            "categories": [],
            "options": {},
            "entry_point": info.target,
            "distribution": info.distribution,
        }
        try:
            backend = info.create()
            if model is not None and "model_path" in backend.options:
                try:
                    backend.configure(model_path=model)
                except BackendError as e:
                    entry.update(backend.describe())
                    entry.update(ready=False, reason=str(e))
                    out.append(entry)
                    continue
            entry.update(backend.describe())
        except BackendError as e:
            entry["reason"] = str(e)
        except Exception as e:  # a plugin's describe()/ready() bug
            entry["reason"] = f"{type(e).__name__}: {e}"
        out.append(entry)
    return out


def run(args: argparse.Namespace) -> int:
    entries = describe_all(args.model)
    if args.json:
        print(json.dumps(entries, indent=2))
        return 0
    if not entries:
        print("no backends installed")
        return 0
    width = max(len(e["name"]) for e in entries)
    for e in entries:
        state = "ready" if e["ready"] else f"not ready: {e['reason']}"
        print(f"{e['name']:<{width}}  {e['kind'] or '?':<11}  {state}")
        for line in model_info_lines(e.get("model")):
            print(f"{'':<{width}}  {line}")
    return 0
