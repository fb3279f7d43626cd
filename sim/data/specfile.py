"""Spec files (sweeps, calibration, overlays): YAML read with the line of every key, and the
checks they share, each problem recorded as ``file:line: message``.

One helper, so that every spec reports a missing file, bad YAML, unknown keys, a bad integer
or a scenario folder that cannot be found in the same words.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sim.data.problems import Problems
from sim.data.yamlio import line_of, load_yaml


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class SpecFile:
    """A spec file's data and the line of every key; :meth:`add` records a problem there.

    Reading raises :class:`~sim.data.problems.ValidationError` at once when the file is
    missing, not UTF-8, not YAML or not a mapping (nothing else can be checked then).
    """

    def __init__(self, path: str | Path, keys: Iterable[str], what: str = "spec"):
        self.path = Path(path)
        self.name = str(self.path)
        self.problems = Problems()
        self.keys = tuple(keys)
        if not self.path.is_file():
            self.problems.add(self.name, 0, f"{what} not found")
            self.problems.raise_if_any()
        try:
            text = self.path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            self.problems.add(self.name, 0, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
            self.problems.raise_if_any()
        self.data, self.lines = load_yaml(text, self.name, self.problems)
        self.problems.raise_if_any()
        if not isinstance(self.data, dict):
            self.problems.add(self.name, 1, f"a {what} is a mapping of keys: "
                              + ", ".join(self.keys))
            self.problems.raise_if_any()
        for key in self.data:
            if key not in self.keys:
                self.add((key,), f"unknown key {key!r}; valid keys: {', '.join(self.keys)}")

    def line(self, key_path: tuple) -> int:
        return line_of(self.lines, key_path)

    def add(self, key_path: tuple, message: str) -> None:
        """Record a problem at the line of ``key_path`` (or its nearest ancestor)."""
        self.problems.add(self.name, self.line(key_path), message)

    def require(self, *keys: str) -> None:
        for key in keys:
            if key not in self.data:
                self.problems.add(self.name, 0, f"missing key {key!r}")

    def integer(self, key: str, default: int, low: int) -> int:
        """``data[key]`` as an integer >= ``low`` (``default`` when absent or bad)."""
        value = self.data.get(key, default)
        if not is_int(value) or value < low:
            self.add((key,), f"{key} must be an integer >= {low}, got {value!r}")
            return default
        return value

    def scenario_folder(self, key: str = "scenario") -> tuple[str, Path | None]:
        """The scenario folder named by ``key``: relative to the spec's folder, else to the
        current directory. Returns (the text as written, the resolved folder or None)."""
        raw = self.data.get(key)
        if not isinstance(raw, str) or not raw.strip():
            self.add((key,), f"{key} must be the path of a scenario folder, got {raw!r}")
            return "", None
        for candidate in (self.path.parent / raw, Path(raw)):
            if (candidate / "scenario.yaml").is_file():
                return raw, candidate.resolve()
        self.add((key,), f"scenario folder {raw!r} not found (looked in "
                 f"{str(self.path.parent) or '.'!r} and the current directory)")
        return raw, None

    def raise_if_any(self) -> None:
        self.problems.raise_if_any()
