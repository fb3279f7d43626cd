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


def probability(what: str) -> Callable[[str], float]:
    """An argparse type: a number in [0, 1), else a message naming ``what``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = None
        if value is None or not 0.0 <= value < 1.0:
            raise argparse.ArgumentTypeError(f"{what} must be a number in [0, 1), got {text!r}")
        return value

    return parse
