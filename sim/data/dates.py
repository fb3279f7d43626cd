"""Months as integers: the model's clock ticks once a month.

A month is stored as ``year * 12 + (month - 1)`` so that differences are month counts and
ranges are plain ``range`` objects; ``YYYY-MM`` is the only text form.
"""

from __future__ import annotations

import re

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def parse_month(text: str) -> int:
    """Parse ``YYYY-MM`` into a month index.

    Raises:
        ValueError: if ``text`` is not exactly ``YYYY-MM`` with a month 01..12.
    """
    if not isinstance(text, str):
        raise ValueError(f"expected a month as 'YYYY-MM', got {text!r}")
    match = _MONTH.match(text.strip())
    if not match:
        raise ValueError(f"expected a month as 'YYYY-MM', got {text!r}")
    return int(match.group(1)) * 12 + int(match.group(2)) - 1


def format_month(index: int) -> str:
    """Format a month index as ``YYYY-MM``."""
    year, month0 = divmod(int(index), 12)
    return f"{year:04d}-{month0 + 1:02d}"


def to_month(value: int | str | None, default: int) -> int:
    """A month index from an index, a ``YYYY-MM`` string or ``None`` (the default)."""
    if value is None:
        return default
    return parse_month(value) if isinstance(value, str) else int(value)
