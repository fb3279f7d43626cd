"""Argument types shared by the command-line parsers."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def integer(low: int, what: str) -> Callable[[str], int]:
    """An argparse type: an integer of at least ``low``, else a message naming ``what``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low:
            raise argparse.ArgumentTypeError(f"{what} must be an integer >= {low}, got {text!r}")
        return value

    return parse

