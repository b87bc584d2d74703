"""``pixelproof unlock ...``: the objects ``pixelproof lock`` names, unlocked (see ``commands.lock``)."""

from __future__ import annotations

import argparse

from pixelproof.commands.lock import add_lock_parser


def add_parser(sub: argparse._SubParsersAction) -> None:
    add_lock_parser(sub, locked=False)
