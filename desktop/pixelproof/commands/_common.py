"""Helpers shared by subcommands: error printing, loading with clear messages, a terminal progress bar."""

from __future__ import annotations

import argparse
import errno
import os
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO, TypeVar

from pixelproof.core.coco import ProjectFormatError, load_project
from pixelproof.core.limits import file_kind
from pixelproof.core.model import Project
from pixelproof.core.wording import plural

T = TypeVar("T")

# What a name from a project must not bring to a terminal: control characters (a newline would start a line
# of its own - a forged "ok" line -, an escape sequence moves the cursor or recolours), line and paragraph
# separators, and the bidirectional marks and overrides that reverse what follows. Zero-width joiners
# (emoji sequences, Persian and Indic names) are not among them.
_UNSAFE = [*range(0x20), *range(0x7F, 0xA0), 0x061C, 0x200E, 0x200F, 0x2028, 0x2029]
_UNSAFE += [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_ESCAPES = {c: repr(chr(c))[1:-1] for c in _UNSAFE}  # as repr writes them: \n, \x1b, \u202e


def shown(text: object) -> str:
    """``text`` - a name from a project (an image file, a category, an annotator, a path) or a line built
    from such names - safe to print on a terminal: each character that could start a line, move the
    cursor or reverse what follows written escaped as ``repr`` writes it (``\\n``, ``\\x1b``,
    ``\\u202e``); everything else (accents, CJK, emoji) as is. The HTML reports isolate names in
    ``<bdi>`` instead (``core.report_html.html_text``)."""
    return str(text).translate(_ESCAPES)


def error(message: str, bar: ProgressBar | None = None) -> None:
    """One line on stderr (through ``bar`` while one is drawn, so it stays whole); names in ``message``
    are ``shown`` (a line break in one is written ``\\n``)."""
    _say(f"pixelproof: error: {message}", bar)


def warn(message: str, bar: ProgressBar | None = None) -> None:
    _say(f"pixelproof: warning: {message}", bar)


def say_mid_job(message: str) -> None:
    """``pixelproof: message`` on stderr from deep inside a job (an executor's note), through the progress
    bar open at the time, if any, so the bar stays whole."""
    _say(f"pixelproof: {message}", ProgressBar.current)


MAX_LINES = 20  # problems printed; the rest are counted (and all are in a report's --json)


class FailureLines:
    """The per-item lines of a batch command (an image that failed, a problem of a file), the one place
    that caps them: the first ``MAX_LINES`` in full as they come, the rest counted and said by ``close``
    in one line per distinct message with its count (at most ``MAX_LINES`` such lines, in the order first
    seen, then one counting the rest). A wrong ``--path-map`` failing 200k images is a screenful, not 200k
    identical lines. ``level``: "error" or "warning"; None for lines that carry their own prefix."""

    def __init__(
        self,
        level: str | None = "error",
        limit: int = MAX_LINES,
        read_at: Callable[[str], str | None] | None = None,
    ) -> None:
        self.prefix = f"pixelproof: {level}: " if level else ""
        self.limit = limit
        self.said = 0
        self.rest: dict[str | None, int] = {}  # message -> images past the limit (None: whole lines)
        self.read_at = read_at  # item name -> the path a cluster's worker read it at (--path-map), if other

    def __call__(self, name: str, message: str, bar: ProgressBar | None = None) -> None:
        """Item ``name`` failed with ``message`` (the same message for the same cause, without the name).
        The first one's path as the workers read it through ``--path-map`` is said once (``read_at``): the
        messages name the project's path, the same for every image, and a wrong map could not be seen."""
        self._add(f"{self.prefix}{name}: {message}", message, bar)
        where = self.read_at(name) if self.read_at is not None else None
        if where is not None:
            self.read_at = None
            _say(f"pixelproof: note: the cluster's workers read {name} at {where} (--path-map)", bar)

    def line(self, text: str, bar: ProgressBar | None = None) -> None:
        """A whole line, counted with the other whole lines past the limit ("... and N more like these")."""
        self._add(f"{self.prefix}{text}", None, bar)

    def _add(self, text: str, key: str | None, bar: ProgressBar | None) -> None:
        if self.said < self.limit:
            self.said += 1
            _say(text, bar)
        else:
            self.rest[key] = self.rest.get(key, 0) + 1

    def close(self, bar: ProgressBar | None = None) -> None:
        """Say what was counted past the limit (nothing when nothing was)."""
        whole = self.rest.pop(None, 0)
        if whole:
            _say(f"pixelproof: ... and {whole} more like these", bar)
        counted = list(self.rest.items())
        for message, n in counted[: self.limit]:
            _say(f"{self.prefix}... and {plural(n, 'more image')}: {message}", bar)
        others = counted[self.limit :]
        if others:
            n = sum(count for _, count in others)
            _say(f"{self.prefix}... and {n} more images with {len(others)} other messages", bar)
        self.rest.clear()


def print_capped(lines: list[str]) -> None:
    """The first ``MAX_LINES`` lines on stderr, then how many more (``FailureLines``): a file wrong
    throughout (other ids) is said in a screenful, not in a line per entry."""
    capped = FailureLines(level=None)
    for line in lines:
        capped.line(line)
    capped.close()


def _say(line: str, bar: ProgressBar | None) -> None:
    line = shown(line)  # one line, whatever names it holds
    if bar is not None:
        bar.note(line)
    else:
        print(line, file=sys.stderr)


def load_or_report(path: str) -> Project | None:
    """Load a project; on failure print every problem (one per line) and return None."""
    try:
        return load_project(path)
    except ProjectFormatError as e:
        print_problems(e)
        return None


def print_problems(e: ProjectFormatError, where: str | None = None) -> None:
    """Each problem of a file that is no project (or no JSON) on a line of its own, ``file: problem``
    (``where`` names the file otherwise, e.g. ``project@tag``): ``str(e)`` holds line breaks, and
    ``error`` prints one line."""
    for problem in e.problems:
        print(shown(f"{where or e.path}: {problem}"), file=sys.stderr)


def positive_int(text: str) -> int:
    """argparse ``type`` of a count (``log -n N``, ``--workers N``): a whole number >= 1, else a usage
    error (exit 2)."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


class _ExamplesFormatter(argparse.HelpFormatter):
    """argparse's help, but indented lines (the command lines under ``examples:``) are kept as written:
    the plain formatter runs a whole epilog into one paragraph, and ``RawDescriptionHelpFormatter`` would
    keep every description's own line breaks too. Other text is wrapped as usual."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        out: list[str] = []
        paragraph: list[str] = []
        for line in [*text.splitlines(), ""]:
            if line.strip() and not line.startswith(" "):
                paragraph.append(line)
                continue
            if paragraph:
                out.append(super()._fill_text(" ".join(paragraph), width, indent))
                paragraph = []
            out.append(indent + line if line.strip() else "")
        return "\n".join(out).rstrip()


def add_examples(parser: argparse.ArgumentParser, *examples: str) -> None:
    """End ``parser``'s help with ``examples:`` and these command lines, as written (a line may go on with
    `` \\`` and a newline: keep each within 78 columns). tests/cli/test_cli_ux.py parses every one."""
    lines = "\n".join(f"  {line}" for example in examples for line in example.splitlines())
    parser.epilog = f"{parser.epilog}\n\nexamples:\n{lines}" if parser.epilog else f"examples:\n{lines}"
    parser.formatter_class = _ExamplesFormatter


def add_iou_threshold(parser: Any, what: str) -> None:
    """``--iou-threshold T`` (default 0.5), worded alike in every command; ``what`` is what IoU > T means."""
    parser.add_argument(
        "--iou-threshold", type=float, default=0.5, metavar="T", help=f"{what} when IoU > T (default 0.5)"
    )


def add_keep_specks(parser: Any) -> None:
    """``--keep-specks``, the override of the refusal of a picture whose objects are a flood of specks
    (``inference.prelabel_checks.speck_flood``), as ``prelabel`` and ``lint --backend`` take it."""
    parser.add_argument(
        "--keep-specks",
        action="store_true",
        help="keep a picture's objects even when they are a flood of tiny specks (tens of thousands of "
        "1-2 px objects: a threshold cutting noise), which fails the picture otherwise: for cells or "
        "particles that really are that small",
    )


def bad_iou_threshold(value: float) -> bool:
    """True, after one error line, unless ``--iou-threshold`` is in [0, 1) (NaN is not)."""
    if 0.0 <= value < 1.0:
        return False
    error(f"--iou-threshold must be in [0, 1), got {value}")
    return True


def missing_option_file(option: str, path: str | None, what: str) -> bool:
    """True, after one usage-error line, when the file ``option`` names does not exist or is no file to
    read: ``--honeypots gold.json: file not found (the honeypot images with their reference labels)``,
    ``... is a folder, not a file (...)``, ``... is a link to nowhere (...)``. The reader's bare ``gold.json:
    file not found`` or ``is a folder, not a file to read`` left the user to guess which of the command's
    files it was and what it was for. Checked before any work, as the other usage errors (exit 2); None
    (not given) passes, and so does a file that exists but cannot be read (its reader says why)."""
    if not path:
        return False
    try:
        mode = os.stat(path).st_mode
        kind = None if stat.S_ISREG(mode) else file_kind(mode)
    except (FileNotFoundError, NotADirectoryError):
        broken = os.path.islink(path)
        error(f"{option} {path}: {'is a link to nowhere' if broken else 'file not found'} ({what})")
        return True
    except OSError as e:  # a loop of links; no permission is left to the reader, which says why
        if e.errno != errno.ELOOP:
            return False
        kind = "a loop of links"
    except ValueError:  # a NUL in the name: the reader says it
        return False
    if kind is not None:
        error(f"{option} {path}: is {kind}, not a file ({what})")
        return True
    return False


def refuse_empty_outputs(*outputs: str | os.PathLike[str] | None) -> bool:
    """True, after one error line, when an output name given is empty (``-o "$OUT"`` with OUT unset):
    ``Path("")`` is the current folder, which would be said as a folder, or written into, instead. For
    an output that may be a file or a folder (convert, prelabel's shards); ``refuse_outputs`` checks
    this first. None entries (not given) are skipped."""
    if any(o is not None and not os.fspath(o) for o in outputs):
        error("an output file name is empty (an unset variable in the command line?); nothing written")
        return True
    return False


def refuse_outputs(*outputs: str | os.PathLike[str] | None, projects: bool = False) -> bool:
    """Check output files before any work is done, so a mistyped path does not cost the run nor leave
    some outputs written and others not: True, after one error line naming the path, when one is a
    folder or lies in a folder that cannot be made (``make_parent_folders``: the missing folders of the
    outputs are made once all are checked), or is empty (an unset variable); with ``projects``,
    also when it is an existing file that is not a project (a picture, a text file: never overwritten),
    or when two name one file (the second would replace the first). None entries are skipped."""
    from pixelproof.core.coco import ProjectSaveError
    from pixelproof.core.limits import same_file
    from pixelproof.core.save_targets import (
        check_not_folder_name,
        check_output_path,
        check_save_target,
        make_parent_folders,
    )

    check = check_save_target if projects else check_output_path
    if refuse_empty_outputs(*outputs):
        return True
    try:  # `-o out/` names a folder; as a Path it would be the file `out`
        for output in outputs:
            if output is not None:
                check_not_folder_name(output, "project.json" if projects else "<file name>")
    except ProjectSaveError as e:
        error(str(e))
        return True
    given = [Path(o) for o in outputs if o is not None]
    try:
        for create in (False, True):  # every output checked before any folder is made
            for output in given:
                make_parent_folders(output, create=create)
    except ProjectSaveError as e:
        error(str(e))
        return True
    for k, output in enumerate(given):
        try:
            check(output)
        except ProjectSaveError as e:
            error(str(e))
            return True
        twin = next((o for o in given[:k] if same_file(o, output)), None)
        if twin is not None:  # the second report would replace the first
            error(f"{twin} and {output} are the same file: give each output its own file")
            return True
    return False


def refuse_image_outputs(outputs: Iterable[str | None], projects: Iterable[Project]) -> bool:
    """True, after one error line, when an output is an image file of one of ``projects`` (or the volume a
    slice is read from), or one's project file: the report would be renamed over it. The rule is the
    app's too (``core.save_targets.dataset_file_problem``)."""
    from pixelproof.core.save_targets import dataset_file_problem

    projects = list(projects)
    for output in outputs:
        if (problem := dataset_file_problem(output, projects)) is not None:
            error(problem)
            return True
    return False


class ProgressBar:
    """The progress of every long command (DESIGN.md §7): a bar on stderr when it is a terminal, e.g.
    ``pre-labeling (yolo) [#######-------] 140/300  11.8 images/s  ETA 14s``; elsewhere (a log file) a
    plain line at most every ``LOG_SECONDS``, none for a shorter job, so a job of hours shows it is alive.

    Call it with ``(done, total)``, or let it count with :meth:`iterate`. Print problems with :meth:`note`
    so they do not tear the bar. Close it (or use it as a context manager) to end the line."""

    LOG_SECONDS = 60.0
    current: ProgressBar | None = None  # the one open, for lines said mid-job (``say_mid_job``)

    def __init__(
        self,
        label: str,
        unit: str = "images",
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label = label
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty()
        self.clock = clock
        self.start = clock()
        self.next_log = self.start + self.LOG_SECONDS
        self.drawn = False
        self._last = (0, 0)
        self._width = 0
        ProgressBar.current = self

    def __call__(self, done: int, total: int) -> None:
        self._last = (done, total)
        if total <= 0:
            return
        now = self.clock()
        rate = done / max(now - self.start, 1e-9)
        speed = f"{rate:.1f}" if rate < 100 else f"{rate:.0f}"
        if not self.enabled:  # a log file: a whole line now and then, never a carriage return
            if now >= self.next_log and done < total:
                eta = f"{(total - done) / rate:.0f}s" if done else "?"
                print(
                    f"{self.label}: {done}/{total} {self.unit}, {speed} {self.unit}/s, ETA {eta}",
                    file=self.stream,
                )
                self.next_log = now + self.LOG_SECONDS
            return
        eta = f"ETA {(total - done) / rate:4.0f}s" if done else "ETA    ?"
        filled = min(30, int(30 * done / total))
        bar = "#" * filled + "-" * (30 - filled)
        line = f"{self.label} [{bar}] {done}/{total}  {speed} {self.unit}/s  {eta}"
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = len(line)
        self.drawn = True

    def iterate(self, items: Iterable[T], total: int) -> Iterator[T]:
        """Yield ``items``, advancing the bar after each one."""
        self(0, total)
        for done, item in enumerate(items, start=1):
            yield item
            self(done, total)

    def note(self, line: str) -> None:
        """Print ``line`` on stderr on its own line; the bar is redrawn below it."""
        if self.drawn:  # blank the bar's line (no ANSI codes: plain Windows consoles lack them)
            self.stream.write("\r" + " " * self._width + "\r")
            self.drawn = False
        print(line, file=self.stream)
        if self.enabled and self._last[1] > 0:
            self(*self._last)

    def close(self) -> None:
        if ProgressBar.current is self:
            ProgressBar.current = None
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def category_ids_or_report(project: Project, where: str, names: list[str] | None) -> set[int] | bool | None:
    """The ids of the categories ``names`` (``--category NAME``, repeatable) - None when none is given -,
    or False after an error line naming the nearest category when ``project`` (read from ``where``)
    lacks one (a usage error, exit 2)."""
    import difflib

    if not names:
        return None
    ids = set()
    for name in names:
        cat = project.category_by_name(name)
        if cat is None:
            have = sorted(c.name for c in project.categories.values())
            close = difflib.get_close_matches(name, have, 1)
            hint = f"; did you mean {close[0]!r}?" if close else f" (it has: {', '.join(have) or 'none'})"
            error(f"{where}: no category {name!r}{hint}")
            return False
        ids.add(cat.id)
    return ids


def image_ids_or_report(project: Project, where: str, images: str | None) -> set[int] | bool | None:
    """The ids of the images ``--images GLOB`` names - None when it is not given -, or False after an error
    line saying which forms it takes when no image matches (exit 1)."""
    from pixelproof.core.image_glob import GLOB_FORMS
    from pixelproof.inference.apply import select_images

    if not images:
        return None
    ids = {im.id for im in select_images(project, images)}
    if not ids:
        error(f"{where}: no image matches {images!r} (--images takes {GLOB_FORMS})")
        return False
    return ids


def apply_and_save(project: Project, edit: Any, *, tool: str, author: str | None, output: str | None) -> Any:
    """Apply a core edit, note it in the change log (tool, author, label) and save to ``output`` (default:
    the project itself). Returns the edit's Changes and where it was saved, or None after an error line.
    Without an edit (nothing to change), only ``output`` is written, the project as it is."""
    from pixelproof.core import history
    from pixelproof.core.coco import ProjectSaveError, save_project

    if edit is None:
        if output is None:
            return None, project.path
        changes = None
    else:
        from pixelproof.core.object_lock import LockedError

        try:
            changes = edit.apply(project)
        except LockedError as e:  # every edit refuses a locked object before it changes anything
            error(f"{project.path}: {e}; nothing changed (the app's Edit > Lock, Alt+L, unlocks it)")
            return None
        history.note(project, tool=tool, author=history.current_author(author), edit=edit.label)
    try:
        out = save_project(project, output)
    except ProjectSaveError as e:
        error(str(e))
        return None
    return changes, out  # a read-only backup kept is said by the save itself (cli: say_kept_backups)
