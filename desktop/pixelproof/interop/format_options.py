"""The options of a format's reader and writer (``Option``: a ``convert`` flag and a row of the
Import/Export dialog), with the one ``images`` option every writer declares. Part of a ``Format``
declaration (``interop.formats``, which re-exports them); split out of it to keep it under the module
size limit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

OPTION_TYPES = ("bool", "choice", "int", "float", "folder", "file", "text")
IMAGE_CHOICES = {
    "keep": "Refer to the original files",
    "copy": "Copy into the output",
    "link": "Link into the output (hard link, else symbolic, else copy)",
}


@dataclass(frozen=True)
class Option:
    """One keyword argument of a reader or writer: a ``convert`` flag ``--<name-with-dashes>`` and a row of
    the Import/Export dialog."""

    name: str
    type: str
    help: str
    default: Any = None
    choices: Mapping[str, str] = field(default_factory=dict)
    label: str = ""
    minimum: float | None = None
    maximum: float | None = None
    empty: str = ""  # what an empty text or path field does, shown in it (the dialog's placeholder)

    def __post_init__(self) -> None:
        if self.type not in OPTION_TYPES:
            raise ValueError(f"option {self.name}: type must be one of {', '.join(OPTION_TYPES)}")
        if self.type == "choice" and not self.choices:
            raise ValueError(f"option {self.name}: a choice needs choices")

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    @property
    def title(self) -> str:
        """The dialog label: ``label``, else the name in words."""
        return self.label or self.name.replace("_", " ").capitalize()

    def parse(self, text: str) -> Any:
        """A command-line string as this option's value; ValueError with a readable reason otherwise."""
        if self.type == "bool":
            low = text.strip().lower()
            if low in ("yes", "true", "1", "on"):
                return True
            if low in ("no", "false", "0", "off"):
                return False
            raise ValueError(f"expected yes or no, got {text!r}")
        if self.type == "choice":
            if text not in self.choices:
                raise ValueError(f"expected one of {', '.join(self.choices)}, got {text!r}")
            return text
        if self.type in ("int", "float"):
            try:
                value: float = int(text) if self.type == "int" else float(text)
            except ValueError:
                raise ValueError(f"expected a number, got {text!r}") from None
            self.check_range(value)
            return value
        return text

    def check_range(self, value: float) -> None:
        if not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {value}")
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"must be at least {self.minimum:g}, got {value:g}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"must be at most {self.maximum:g}, got {value:g}")


def images_option(where: str | None = None, keep: str | None = None) -> Option:
    """The ``images`` write option, one declaration for every writer. ``where``: the folder the format
    keeps its images in (they must be there: link, the default, or copy); None for formats whose files
    may name the originals (keep, the default). ``keep``: what keep does where a format also offers it
    beside its folder (link stays the default)."""
    if where is not None and keep is not None:
        return Option(
            "images",
            "choice",
            f"image files: hard/symbolic link (default) or copy them {where}, or keep ({keep})",
            "link",
            choices={k: IMAGE_CHOICES[k] for k in ("link", "copy", "keep")},
            label="Image files",
        )
    if where is None:
        return Option(
            "images",
            "choice",
            "image files: refer to the originals (keep), copy, or hard/symbolic link them into the output",
            "keep",
            choices=IMAGE_CHOICES,
            label="Image files",
        )
    return Option(
        "images",
        "choice",
        f"image files: hard/symbolic link (default) or copy them into {where}",
        "link",
        choices={k: v for k, v in IMAGE_CHOICES.items() if k != "keep"},
        label="Image files",
    )


def keyword_words(text: str, options: Iterable[Option]) -> str:
    """``text`` (a writer's warning, in ``convert``'s words) with each of ``options``' flags named as the
    keyword argument a Python caller gives: ``--unlabeled keep`` -> ``unlabeled="keep"``, ``--tracks no``
    -> ``tracks="no"``, ``--extract-images yes`` -> ``extract_images=True``, ``--val-fraction`` ->
    ``val_fraction``; other flags (another command's, ``validate --images``) stay as they are."""
    for opt in options:

        def named(m: re.Match[str], opt: Option = opt) -> str:
            value = m.group(1)
            if value and opt.type == "bool" and value in ("yes", "no"):
                return f"{opt.name}={value == 'yes'}"
            if value and opt.choices and value in opt.choices:
                return f'{opt.name}="{value}"'
            return opt.name + (f" {value}" if value else "")

        text = re.sub(r"(?<![\w-])" + re.escape(opt.flag) + r"(?![\w-])(?: ([\w-]+))?", named, text)
    return text
