"""A reader's problems as the Import dialog's user reads them: the readers say how to do better with
``convert``'s flags (``give the images' folder with --image-dir``), which the app has as the dialog's
options (*Images folder*); ``validate --images``, what lists a project's pictures not the size they are
declared, is the Problems panel's *Compare pictures* in the app. A model's failures and hints, in
``prelabel``'s flags (``--option``, ``--tile SIZE``), as the Model panel's user reads them
(``model_words``)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pixelproof.core.overlap_versions import CONSENSUS_STEPS
from pixelproof.inference.base import APP_OPTIONS, CLI_OPTIONS
from pixelproof.inference.tiling import APP_WORDS
from pixelproof.interop.formats import Option
from pixelproof.ui.import_input import OUTSIDE_FLAG, OUTSIDE_LABEL
from pixelproof.ui.shortcut_entry import menu_item

# a reader's advice naming another command, as the Import dialog's user can follow it in the app
VALIDATE_IMAGES = "`pixelproof validate --images`"


def validate_images_words() -> str:
    """Where the app lists every picture not the size its record declares (``validate --images``)."""
    return f"{menu_item('lint.run', 'Problems')} with the Problems panel's Compare pictures checked"


def dialog_words(text: str, options: Iterable[Option]) -> str:
    """``text`` with each read option's flag (``--cell-shape nucleus``, ``--image-dir``) named as the Import
    dialog shows it (``the Import dialog's Cells: Nucleus (nucleusGeometry, ...)``, ``the Import dialog's
    Images folder``; ``--allow-outside-root``: its check box); other flags, and an option without a label,
    stay as they are; ``VALIDATE_IMAGES`` is named as ``validate_images_words``."""
    text = text.replace(VALIDATE_IMAGES, validate_images_words())
    text = re.sub(
        f"(?:{re.escape(OUTSIDE_FLAG)}|--allow-outside-root)", f"the Import dialog's {OUTSIDE_LABEL}", text
    )
    return _options_words(text, options, "Import")


def export_words(text: str, options: Iterable[Option]) -> str:
    """``text`` (a writer's warning, in ``convert``'s words) as File > Export's user reads it: each write
    option's flag named as the Export dialog shows it (``--val-fraction`` -> ``the Export dialog's
    Validation share``; ``Validation share (--val-fraction)`` -> ``Validation share (in the Export
    dialog)``), ``VALIDATE_IMAGES`` as ``validate_images_words``, ``pixelproof consensus``'s steps as the
    Annotators Side by Side view's buttons. ``--allow-outside-root`` stays: the
    writers' line says it is the command line's, which the Export dialog has no box for."""
    text = text.replace(
        CONSENSUS_STEPS, f"{menu_item('review.annotators')}: Consensus, then Accept Consensus"
    )
    return _options_words(text.replace(VALIDATE_IMAGES, validate_images_words()), options, "Export")


def _options_words(text: str, options: Iterable[Option], dialog: str) -> str:
    """``text`` with each labelled option's flag (and a choice after it) named as ``dialog``'s form shows
    it; a flag in brackets after its own label says only where that label is."""
    where = f"the {dialog} dialog's"
    for opt in options:
        if not opt.label:
            continue
        flag = opt.flag
        text = re.sub(
            f"({re.escape(opt.label)}) \\({re.escape(flag)}\\)",
            f"\\1 (in the {dialog} dialog)",
            text,
            flags=re.I,
        )

        def named(m: re.Match[str], opt: Option = opt) -> str:
            value = m.group(1)
            if value and opt.choices and value in opt.choices:
                return f"{where} {opt.label}: {opt.choices[value]}"
            return f"{where} {opt.label}" + (f" {value}" if value else "")

        text = re.sub(re.escape(flag) + r"(?![\w-])(?: ([\w-]+))?", named, text)
    return text


RUN_BOX = "in the Model panel's Run box"
# ``prelabel``'s flags in a backend's message (the core keeps the CLI's words), as the Model panel's fields;
# first match first: a flag with its value before the flag alone
MODEL_WORDS = (
    (re.escape(CLI_OPTIONS), APP_OPTIONS),  # "set it with --option threshold=V"
    (r"--option ", f"{APP_OPTIONS} "),  # "try --option threshold=LEVEL"
    (r"--tile (\d+) --overlap ([\d.]+)", APP_WORDS.tile_and_overlap.format(r"\1", r"\2")),
    (r"--tile (\d+)", APP_WORDS.tile.format(r"\1")),
    (r"--overlap ([\d.]+)", APP_WORDS.overlap.format(r"\1")),
    (r"--tile SIZE", f"Tiles (px) {RUN_BOX}"),  # a picture too big for the model's memory
    (r"--tile\b", f"Tiles (px) {RUN_BOX}"),
    (r"--overlap\b", f"the tiles' overlap {RUN_BOX}"),
    (r"--keep-specks", APP_WORDS.keep_specks),
    (r"use --model FILE", "choose the model file in the Model panel"),
    (r"--model FILE", "the Model panel's model file"),
    (r"--classes FILE", f"classes_file {APP_OPTIONS.rstrip(':')}"),
    (r"--score-threshold", "the Model panel's Min. score"),
)


def model_words(text: str) -> str:
    """``text`` (a backend's failure or hint, in ``pixelproof prelabel``'s words) with each of its flags
    named as the Model panel's field that sets it (``MODEL_WORDS``): the app has no command line."""
    for flag, words in MODEL_WORDS:
        text = re.sub(flag, words, text)
    return text
