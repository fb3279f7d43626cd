"""Reading data files row by row, with the line of every row and typed field parsers.

Each parser takes the :class:`~sim.data.problems.Problems` collector and records what is wrong
instead of raising, so that one pass over a scenario reports every problem.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sim.data.dates import parse_month
from sim.data.problems import Problems

APPROX_PREFIX = "approx:"
_CITATION = re.compile(r'^(?P<file>[A-Za-z0-9_.\-]+):\s*"(?P<quote>.+)"$', re.S)
_TYPOGRAPHIC = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)


@dataclass
class Row:
    """One CSV row: its 1-based line in the file and its cells by column name."""

    line: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return (self.cells.get(column) or "").strip()


def read_csv(path: Path, columns: Iterable[str], problems: Problems) -> list[Row] | None:
    """Read ``path`` and check its header is exactly ``columns`` (in any order).

    Returns the rows, or ``None`` when the file cannot be used at all (missing file,
    missing or unknown columns, bad encoding); the reason is in ``problems``.
    """
    name = path.name
    try:
        text = path.read_text(encoding="utf-8").removeprefix("\ufeff")  # spreadsheets add a BOM
    except FileNotFoundError:
        problems.add(name, 0, "file is missing")
        return None
    except UnicodeDecodeError as exc:
        problems.add(name, 0, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        problems.add(name, 1, "file is empty: no header line")
        return None
    except csv.Error as exc:
        problems.add(name, 1, f"malformed CSV: {exc}")
        return None
    header = [h.strip() for h in header]
    wanted = list(columns)
    missing = [c for c in wanted if c not in header]
    extra = [c for c in header if c not in wanted]
    duplicated = sorted({c for c in header if header.count(c) > 1})
    if missing:
        problems.add(name, 1, f"missing column(s): {', '.join(missing)}")
    if extra:
        problems.add(name, 1, f"unknown column(s): {', '.join(extra)}; expected {', '.join(wanted)}")
    if duplicated:
        problems.add(name, 1, f"column(s) named twice: {', '.join(duplicated)}")
    if missing or extra or duplicated:
        return None
    rows: list[Row] = []
    try:
        line = reader.line_num
        for cells in reader:
            first = line + 1
            line = reader.line_num
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                problems.add(name, first, f"expected {len(header)} fields, found {len(cells)}")
                continue
            rows.append(Row(first, dict(zip(header, cells, strict=True))))
    except csv.Error as exc:
        problems.add(name, reader.line_num, f"malformed CSV: {exc}")
        return None
    return rows


class Fields:
    """Typed access to the fields of one file, reporting problems against it."""

    def __init__(self, file: str, problems: Problems):
        self.file = file
        self.problems = problems

    def error(self, line: int, message: str) -> None:
        self.problems.add(self.file, line, message)

    def text(self, line: int, value: object, what: str, required: bool = True) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(line, f"{what} is missing")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.error(line, f"{what} must be text, got {short(value)}")
            return ""
        return str(value).strip()

    def number(
        self,
        line: int,
        value: object,
        what: str,
        *,
        low: float | None = 0.0,
        high: float | None = None,
        required: bool = True,
        default: float | None = None,
    ) -> float | None:
        """A finite number within ``[low, high]``; ``default`` when empty and not required."""
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(line, f"{what} is missing")
            return default
        if isinstance(value, bool):
            self.error(line, f"{what} must be a number, got {short(value)}")
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.error(line, f"{what} must be a number, got {short(value)}")
            return None
        if not math.isfinite(number):
            self.error(line, f"{what} must be finite, got {short(value)}")
            return None
        if low is not None and number < low:
            word = "negative" if low == 0 else f"below {low:g}"
            self.error(line, f"{what} is {word}: {number:g}")
            return None
        if high is not None and number > high:
            self.error(line, f"{what} is above {high:g}: {number:g}")
            return None
        return number

    def month(self, line: int, value: object, what: str, required: bool = True) -> int | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(line, f"{what} is missing")
            return None
        try:
            return parse_month(value if isinstance(value, str) else repr(value))
        except ValueError:
            self.error(line, f"{what} must be a month 'YYYY-MM', got {short(value)}")
            return None

    def day(self, line: int, value: str) -> int | None:
        if not value:
            return None
        if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 31:
            self.error(line, f"day must be 1..31 or empty, got {short(value)}")
            return None
        return int(value)

    def choice(self, line: int, value: str, what: str, allowed: Iterable[str]) -> str:
        allowed = list(allowed)
        if value not in allowed:
            shown = value if value else "(empty)"
            self.error(line, f"{what} {short(shown)} is not one of {', '.join(allowed)}")
            return ""
        return value


class SourceChecker:
    """Checks the ``source`` field: a verbatim quote from a kept document, or ``approx:``."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._texts: dict[str, str | None] = {}
        self._not_utf8: set[str] = set()

    def _text(self, name: str) -> str | None:
        if name not in self._texts:
            path = self.folder / name
            try:
                self._texts[name] = (
                    normalise(path.read_text(encoding="utf-8")) if path.is_file() else None
                )
            except UnicodeDecodeError:
                self._texts[name] = ""
                self._not_utf8.add(name)
        return self._texts[name]

    def problem(self, source: str) -> str | None:
        """What is wrong with ``source``, or ``None`` if it is a valid citation."""
        if not source.strip():
            return "source is missing"
        for part in source.split(" | "):
            part = part.strip()
            if part.startswith(APPROX_PREFIX):
                if not part[len(APPROX_PREFIX):].strip():
                    return "source 'approx:' must say where the figure comes from"
                continue
            match = _CITATION.match(part)
            if not match:
                return (
                    f"source {part[:60]!r} is neither a citation 'FILE: \"quote\"' "
                    "nor 'approx: ...'"
                )
            text = self._text(match["file"])
            if text is None:
                return f"source document {match['file']!r} is not in {self.folder.name}/"
            if match["file"] in self._not_utf8:
                return f"source document {match['file']!r} is not UTF-8 text"
            if normalise(match["quote"]) not in text:
                return f"quote not found in {match['file']}: \"{match['quote'][:80]}\""
        return None


def normalise(text: str) -> str:
    """Typographic quotes and dashes to ASCII, runs of whitespace to one space."""
    return " ".join(text.translate(_TYPOGRAPHIC).split())


def read_text(path: Path, problems: Problems) -> str:
    """The text of ``path``; "" (and a problem) when it is not UTF-8."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.add(path.name, 0, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        return ""


def short(value: object, limit: int = 60) -> str:
    """``repr(value)`` cut to ``limit`` characters: messages quote values, never whole files."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"
