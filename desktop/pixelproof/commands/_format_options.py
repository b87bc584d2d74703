"""The formats' reader/writer options as command-line flags, generated from ``interop/formats.py``: an option
``one_based`` is ``--one-based``. ``convert`` takes those of both sides, ``qa`` those of the reference's
reader; the same name is the same flag in both."""

from __future__ import annotations

import argparse
from collections import defaultdict
from typing import Any

# reader options naming where the reader writes (not what it reads)
WRITTEN_OPTIONS = ("extract_images",)


def add_option_flags(
    parser: argparse.ArgumentParser, directions: tuple[str, ...] = ("read", "write")
) -> None:
    """One flag per declared option name of ``directions``; its help lists what it does for each format.
    Reading alone (``qa``) leaves out the options naming where a reader writes."""
    from pixelproof.interop.formats import all_options

    by_name: dict[str, list] = defaultdict(list)
    for fmt, direction, opt in all_options():
        if direction in directions and not (directions == ("read",) and opt.name in WRITTEN_OPTIONS):
            by_name[opt.name].append((fmt, direction, opt))
    for name, uses in by_name.items():
        first = uses[0][2]
        helps: dict[str, list[str]] = defaultdict(list)  # same help text -> "<fmt> input/output"
        for fmt, direction, opt in uses:
            helps[opt.help].append(f"{fmt.name} {'input' if direction == 'read' else 'output'}")
        text = "; ".join(f"{', '.join(where)}: {h}" for h, where in helps.items())
        kwargs: dict[str, Any] = {"dest": f"opt_{name}", "default": None, "help": text}
        if first.type == "bool":
            kwargs.update(nargs="?", const=True, metavar="yes|no")
        elif first.type == "choice":
            kwargs["metavar"] = "|".join(dict.fromkeys(v for _, _, o in uses for v in o.choices))
        else:
            kwargs["metavar"] = {"folder": "DIR", "file": "FILE", "int": "N", "float": "X"}.get(
                first.type, "TEXT"
            )
        kwargs["type"] = _parser_for(name, [o for _, _, o in uses])
        parser.add_argument(first.flag, **kwargs)


def _parser_for(name: str, options: list) -> Any:
    """argparse ``type``: the value must suit at least one format declaring the option (each side checks
    its own choices again when it runs)."""

    def parse(text: str) -> Any:
        reasons = []
        for opt in options:
            try:
                return opt.parse(text)
            except ValueError as e:
                reasons.append(str(e))
        raise argparse.ArgumentTypeError(reasons[0])

    parse.__name__ = name
    return parse


def given_options(args: argparse.Namespace) -> dict[str, Any]:
    """The format options given on the command line, by option name."""
    return {k[4:]: v for k, v in vars(args).items() if k.startswith("opt_") and v is not None}


def chosen_options(args: argparse.Namespace, fmt: Any, direction: str) -> dict[str, Any]:
    """The options given on the command line that ``fmt`` declares for ``direction``, checked against its
    own choices and range (a flag shared by several formats may allow more than this one does)."""
    return fmt.pick_options(direction, given_options(args))
