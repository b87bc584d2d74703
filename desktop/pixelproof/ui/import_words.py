"""A reader's problems as the Import dialog's user reads them: the readers say how to do better with
``convert``'s flags (``give the images' folder with --image-dir``), which the app has as the dialog's
options (*Images folder*)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pixelproof.interop.formats import Option
from pixelproof.ui.import_input import OUTSIDE_FLAG, OUTSIDE_LABEL


def dialog_words(text: str, options: Iterable[Option]) -> str:
    """``text`` with each read option's flag (``--cell-shape nucleus``, ``--image-dir``) named as the Import
    dialog shows it (``the Import dialog's Cells: Nucleus (nucleusGeometry, ...)``, ``the Import dialog's
    Images folder``; ``--allow-outside-root``: its check box); other flags, and an option without a label,
    stay as they are."""
    text = re.sub(
        f"(?:{re.escape(OUTSIDE_FLAG)}|--allow-outside-root)", f"the Import dialog's {OUTSIDE_LABEL}", text
    )
    for opt in options:
        if not opt.label:
            continue
        flag = opt.flag

        def named(m: re.Match[str], opt: Option = opt) -> str:
            value = m.group(1)
            if value and opt.choices and value in opt.choices:
                return f"the Import dialog's {opt.label}: {opt.choices[value]}"
            return f"the Import dialog's {opt.label}" + (f" {value}" if value else "")

        text = re.sub(re.escape(flag) + r"(?![\w-])(?: ([\w-]+))?", named, text)
    return text
