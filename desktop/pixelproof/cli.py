"""``pixelproof`` command line (DESIGN.md §7). Qt is imported only when a GUI command runs.

Each subcommand lives in ``pixelproof.commands.<name>`` with ``add_parser(subparsers)`` and
``run(args) -> int``; this module only assembles them.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from pixelproof import __version__

# subcommand name -> module in pixelproof.commands
COMMANDS = {
    "validate": "validate",
    "info": "info",
    "new": "new",
    "add": "add",
    "frames": "frames",
    "relocate": "relocate",
    "open": "open",
    "demo": "demo",
    "qa": "qa",
    "backends": "backends",
    "prelabel": "prelabel",
    "predictions": "predictions",
    "convert": "convert",
    "split": "split",
    "merge": "merge",
    "agreement": "agreement",
    "lint": "lint",
    "diff": "diff",
    "tag": "tag",
    "checkout": "checkout",
    "log": "log",
    "taxonomy": "taxonomy",
    "consensus": "consensus",
    "renumber": "renumber",
    "set-split": "set_split",
    "lock": "lock",
    "unlock": "unlock",
    "restore": "restore",
}


# what `pixelproof [PATH]` takes (ui.app.app_parser; a test checks every option of it is named here)
APP_HELP = """opening the app (no COMMAND):
  PATH                  a project .json, or a folder of images (the project
                        saved in it, FOLDER/project.json, else a new, unsaved
                        project); `pixelproof open PATH` for a PATH named like
                        a command
  --reset-layout        forget the saved window layout (size, docks, tool bars)
  --categories A,B,...  categories of a new project over a folder (without it,
                        the app asks; not used when the folder has a saved
                        project.json: that opens)
  --max-pixels N        decode images of up to N pixels at once (e.g. 1G)

`pixelproof COMMAND --help` shows a command's options."""

_TOP_LEVEL_FLAGS = ("-h", "--help", "--version", "--self-test")
# subcommands that decode images or masks: they take --max-pixels (core.limits)
IMAGE_COMMANDS = (
    "new",
    "add",
    "frames",
    "relocate",
    "qa",
    "prelabel",
    "convert",
    "lint",
    "agreement",
    "demo",
    "open",
)
# what to do without a display: Qt's offscreen platform (the window drawn into memory, never shown)
WITHOUT_DISPLAY = "or run without one: QT_QPA_PLATFORM=offscreen, or --self-test to check the install"
NO_DISPLAY = f"no display found (set DISPLAY, {WITHOUT_DISPLAY})"


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The full parser, or (given ``command``) one with just that subcommand: each subcommand module
    imports what it needs, and loading all of them would add ~0.4 s to ``pixelproof demo``."""
    parser = argparse.ArgumentParser(
        prog="pixelproof",
        usage="pixelproof [PATH] [--categories A,B,...] [--max-pixels N]\n"
        "                  [--reset-layout]\n"
        "       pixelproof [-h] [--version] [--self-test] COMMAND ...",
        description="Label images and review label quality, offline.",
        epilog=APP_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"pixelproof {__version__}")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="start the app offscreen, draw, save, reload, run QA and a pre-label; exit 0 if all work",
    )
    # prog: a subcommand's usage and error lines read "pixelproof diff: error: ...", not the app's usage
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", prog="pixelproof")
    names = [command] if command in COMMANDS else list(COMMANDS)
    for module in (COMMANDS[n] for n in names):
        importlib.import_module(f"pixelproof.commands.{module}").add_parser(sub)
    for name in IMAGE_COMMANDS:
        if name in sub.choices:
            add_max_pixels_option(sub.choices[name])
    return parser


def parse_command_line(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """``parser.parse_args``, but an option the subcommand does not take is refused with that subcommand's
    usage (``pixelproof qa: error: unrecognized arguments: --bogus``): argparse hands a subparser's leftover
    arguments back to the top-level parser, whose usage is the app's, not the command's.

    An optional positional (convert's OUTPUT, diff's NEW) after an option (``convert in.json --to yolo
    out/``) is one of those leftovers too: argparse gives the optional positional nothing as it takes the
    one before it, so the path came back unrecognized. It takes the leftover here, as a required one would."""
    args, extras = parser.parse_known_args(argv)
    commands = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    command = commands[0].choices.get(args.command) if commands and args.command else None
    if extras and command is not None:
        extras = _fill_optional_positionals(command, args, extras)
    if extras:
        (command or parser).error(f"unrecognized arguments: {' '.join(extras)}")
    return args


def _fill_optional_positionals(
    command: argparse.ArgumentParser, args: argparse.Namespace, extras: list[str]
) -> list[str]:
    """The ``nargs="?"`` positionals of ``command`` left empty take the leftover arguments that are not
    options, in order; the leftovers none took, returned."""
    empty = [
        a
        for a in command._actions
        if not a.option_strings
        and a.nargs == "?"
        and a.type is None
        and getattr(args, a.dest, None) == a.default
    ]
    left = []
    for text in extras:
        if empty and not text.startswith("-"):
            setattr(args, empty.pop(0).dest, text)
        else:
            left.append(text)
    return left


def add_max_pixels_option(parser: argparse.ArgumentParser) -> None:
    """``--max-pixels N``: decode images of up to N pixels at once (core.limits; default 2**28)."""
    from pixelproof.core.limits import ENV_MAX_PIXELS, parse_pixel_count

    def pixel_count(text: str) -> int:
        try:
            return parse_pixel_count(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    parser.add_argument(
        "--max-pixels",
        type=pixel_count,
        metavar="N",
        help=f"decode images of up to N pixels at once (e.g. 1G, 2**31; default 2**28 or ${ENV_MAX_PIXELS})",
    )


GUI_COMMANDS = ("open", "demo")  # the app handles its own signals


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP during a command: unwound as Ctrl+C is (workers stopped, temporaries and staging
    folders removed), where the default action would end the process where it stands."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except Stopped as e:  # a closed terminal or SSH session (SIGHUP) may have taken stderr with it
        with contextlib.suppress(OSError, ValueError):
            name = signal.Signals(e.number).name
            print(f"\npixelproof: stopped ({name}); no output was written", file=sys.stderr)
        return 128 + e.number
    except KeyboardInterrupt:  # outputs are written atomically: an interrupted job leaves none
        print("\npixelproof: interrupted; no output was written", file=sys.stderr)
        return 130


@contextlib.contextmanager
def stop_signals_unwind() -> Iterator[None]:
    """While a command runs, SIGTERM (``kill``, ``timeout``, a batch system cancelling the job) and SIGHUP
    (the terminal or SSH session closed) raise ``Stopped``. Only signals left at their default action are
    taken (``nohup`` ignores SIGHUP: it stays ignored); a second one acts as the default does at once."""
    taken: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for name in ("SIGTERM", "SIGHUP"):
            number = getattr(signal, name, None)
            if number is not None and signal.getsignal(number) is signal.SIG_DFL:
                taken[number] = signal.signal(number, _raise_stopped)
    try:
        yield
    finally:
        for number, handler in taken.items():
            signal.signal(number, handler)


def _raise_stopped(number: int, _frame: object) -> None:
    signal.signal(number, signal.SIG_DFL)  # the clean-up is under way: a second one ends the process
    raise Stopped(number)


def _main(argv: list[str]) -> int:
    """``main`` without its Ctrl+C guard, which also covers loading modules and parsing arguments."""
    if not argv or (argv[0] not in COMMANDS and argv[0] not in _TOP_LEVEL_FLAGS):
        return run_gui(argv)  # PATH and GUI options; the subcommand parser is not even built
    parser = build_parser(argv[0])
    if argv[0] == "open":  # Qt's own options go on to the app
        args, qt_args = parser.parse_known_args(argv)
        args.qt_args = qt_args
    else:
        args = parse_command_line(parser, argv)
    if getattr(args, "max_pixels", None) is not None:
        from pixelproof.core.limits import set_max_pixels

        set_max_pixels(args.max_pixels)
    if args.self_test:
        from pixelproof.ui.self_test import run_self_test

        return run_self_test()
    if args.command is None:
        return run_gui([])
    from pixelproof.commands._common import warn
    from pixelproof.core.atomic import say_kept_backups
    from pixelproof.core.batch.executors import BatchSetupError
    from pixelproof.core.model import IdsExhausted

    # every save keeping a read-only .bak says so (the app says it in its own words)
    say_kept_backups(None if args.command in GUI_COMMANDS else warn)
    try:
        with contextlib.nullcontext() if args.command in GUI_COMMANDS else stop_signals_unwind():
            code = int(args.run(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return code
    except IdsExhausted as e:  # raised before anything is written: every command refuses alike
        from pixelproof.commands._common import error

        error(str(e))
        return 2
    except BatchSetupError as e:  # a batch job's executor gave up under way (a cluster lost): as above
        print(f"\npixelproof: error: {e}", file=sys.stderr)
        return int(getattr(args, "batch_error_code", 1))
    except BrokenPipeError:  # stdout's reader went away (`| head`): quietly, like a tool killed by SIGPIPE
        _drop_stdout()
        return EXIT_BROKEN_PIPE
    finally:
        say_kept_backups(None)


EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool killed by it


def _drop_stdout() -> None:
    """Point stdout at the null device, so the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real file descriptor (a test's captured stdout)
        pass


def display_problem() -> str | None:
    """Why Qt would abort for want of a display (X11/Wayland systems), said before Qt starts; None when
    it may start. A DISPLAY naming no X server that lets this user in (a stale one after the session
    ended, an ssh login without X forwarding, another user's) is one: Qt aborted there, dumping core."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return None
    platform = os.environ.get("QT_QPA_PLATFORM", "").split(":")[0].strip()
    display, wayland = os.environ.get("DISPLAY"), os.environ.get("WAYLAND_DISPLAY")
    if platform.startswith("wayland"):
        return None if wayland else NO_DISPLAY
    if platform not in ("", "xcb"):
        return None  # offscreen, minimal, vnc, eglfs ... need no display
    if not display:
        return NO_DISPLAY if platform == "xcb" or not wayland else None
    if platform == "" and wayland:
        return None  # Qt may take the Wayland one
    if not _x_server_answers(display):
        return (
            f"cannot open the display {display} (DISPLAY): no X server there lets this user in "
            f"(set DISPLAY to your session's, {WITHOUT_DISPLAY})"
        )
    return None


def _x_server_answers(display: str) -> bool:
    """Whether an X server at ``display`` accepts a connection, asked through libxcb as Qt's X11 plugin
    asks (an unknown answer, libxcb not loadable, is left to Qt)."""
    import ctypes

    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return True
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_connection_has_error.restype = ctypes.c_int
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(os.fsencode(display), None)
    try:
        return xcb.xcb_connection_has_error(connection) == 0
    finally:
        xcb.xcb_disconnect(connection)


def run_gui(argv: list[str]) -> int:
    """The app (``pixelproof [PATH]``, ``pixelproof demo``); exit 2 at once when there is no display."""
    problem = display_problem()
    if problem is not None:
        print(f"pixelproof: error: {problem}", file=sys.stderr)
        return 2
    try:
        from pixelproof.ui.app import run_app
    except ImportError as e:
        print(f"pixelproof: the GUI is not available: {e}", file=sys.stderr)
        return 1
    return run_app(argv)
