"""The project's change log: who changed what, when, with which tool (issue 16).

The author comes from the user identity: the ``--author`` option, else the ``PIXELPROOF_AUTHOR``
environment variable (the app sets its Preferences value there), else the OS user.
"""

from __future__ import annotations

import getpass
import os


def current_author(explicit: str | None = None) -> str:
    """Who is making a change now (see the module docstring)."""
    if explicit:
        return explicit
    env = os.environ.get("PIXELPROOF_AUTHOR", "").strip()
    if env:
        return env
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no user name for this uid (containers)
        return "unknown"
