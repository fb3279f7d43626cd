"""Shared fixtures: the real scenario, loaded once, and editable copies of it.

``scenario_copy`` copies ``scenarios/afghanistan_1992_1996`` (with ``sources/``) into a
temporary folder, ``tmp_path/scenarios/afghanistan_1992_1996``: a scenario folder is
self-contained (its map ships with afsim, its calibrated set is in the folder).

``edit`` wraps that copy in a :class:`ScenarioEditor` to change a CSV cell, add or delete a
row, or rewrite part of a YAML file, and to find the line a test expects in a message.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

from sim.data import Scenario, load

# CI runs the same examples every time (a failure reproduces); explore locally with
# HYPOTHESIS_PROFILE=explore
settings.register_profile("ci", derandomize=True, deadline=None, database=None)
settings.register_profile("explore", max_examples=1000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO_ROOT = Path(__file__).resolve().parents[1]
SCENARIOS_DIR = REPO_ROOT / "scenarios"
SCENARIO_NAME = "afghanistan_1992_1996"
SCENARIO_DIR = SCENARIOS_DIR / SCENARIO_NAME


def copy_scenario(root: Path, name: str = SCENARIO_NAME, **_ignored) -> Path:
    """Copy scenario ``name`` to ``root/scenarios/name``; return the copied folder."""
    target = root / "scenarios" / name
    shutil.copytree(SCENARIOS_DIR / name, target)
    return target


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


class ScenarioEditor:
    """Edits the files of one scenario folder in place, keeping their line layout.

    CSV line numbers are the file's own (header = line 1), as in the loader's messages.
    The data files have no multi-line cells, so one row is one line.
    """

    def __init__(self, folder: Path):
        self.folder = folder

    # ------------------------------------------------------------------ whole files

    def path(self, name: str) -> Path:
        return self.folder / name

    def text(self, name: str) -> str:
        return self.path(name).read_text(encoding="utf-8")

    def write(self, name: str, text: str) -> None:
        self.path(name).write_text(text, encoding="utf-8", newline="")

    def lines(self, name: str) -> list[str]:
        """The file's lines, with their ends (``lines[0]`` is line 1)."""
        return self.text(name).splitlines(keepends=True)

    def replace(self, name: str, old: str, new: str, count: int = 1) -> None:
        """Replace the first ``count`` occurrences of ``old``, which must be there."""
        text = self.text(name)
        assert text.count(old) >= count, f"{old!r} not found {count} time(s) in {name}"
        self.write(name, text.replace(old, new, count))

    def line_of(self, name: str, needle: str, nth: int = 1) -> int:
        """1-based line of the ``nth`` line containing ``needle``."""
        hits = [i for i, line in enumerate(self.lines(name), start=1) if needle in line]
        assert len(hits) >= nth, f"{needle!r} found {len(hits)} time(s) in {name}"
        return hits[nth - 1]

    def insert_line(self, name: str, line: int, text: str) -> None:
        """Insert ``text`` (one line, no newline) so that it becomes line ``line``."""
        lines = self.lines(name)
        lines.insert(line - 1, text + "\n")
        self.write(name, "".join(lines))

    def delete_line(self, name: str, line: int) -> str:
        """Delete line ``line``; return it."""
        lines = self.lines(name)
        removed = lines.pop(line - 1)
        self.write(name, "".join(lines))
        return removed

    # ------------------------------------------------------------------ CSV

    def header(self, name: str) -> list[str]:
        return next(csv.reader(io.StringIO(self.text(name), newline="")))

    def rows(self, name: str) -> list[tuple[int, dict[str, str]]]:
        """(line, cells) of every data row."""
        reader = csv.reader(io.StringIO(self.text(name), newline=""))
        header = next(reader)
        result = []
        for cells in reader:
            if cells:
                result.append((reader.line_num, dict(zip(header, cells, strict=True))))
        return result

    def find_row(self, name: str, **cells: str) -> int:
        """Line of the first row whose cells equal ``cells``."""
        for line, row in self.rows(name):
            if all(row[k] == v for k, v in cells.items()):
                return line
        raise AssertionError(f"no row {cells} in {name}")

    def row(self, name: str, line: int) -> dict[str, str]:
        return dict(self.rows(name))[line]

    def _format(self, name: str, cells: dict[str, str] | list[str]) -> str:
        header = self.header(name)
        values = [cells.get(c, "") for c in header] if isinstance(cells, dict) else cells
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(values)
        return out.getvalue()

    def set_cell(self, name: str, line: int, column: str, value: str) -> None:
        """Set one cell of the row on ``line``; the rest of the file is untouched."""
        cells = self.row(name, line)
        assert column in cells, f"{name} has no column {column!r}"
        cells[column] = value
        self.replace_line(name, line, self._format(name, cells))

    def replace_line(self, name: str, line: int, text: str) -> None:
        lines = self.lines(name)
        lines[line - 1] = text + "\n"
        self.write(name, "".join(lines))

    def append_row(self, name: str, cells: dict[str, str] | list[str]) -> int:
        """Append a row (missing columns empty); return its line."""
        text = self.text(name)
        if text and not text.endswith("\n"):
            text += "\n"
        text += self._format(name, cells) + "\n"
        self.write(name, text)
        return len(text.splitlines())

    def delete_rows(self, name: str, predicate: Callable[[dict[str, str]], bool]) -> list[int]:
        """Delete every row for which ``predicate(cells)`` holds; return their old lines."""
        doomed = [line for line, cells in self.rows(name) if predicate(cells)]
        lines = self.lines(name)
        self.write(name, "".join(t for i, t in enumerate(lines, start=1) if i not in doomed))
        return doomed

    # ------------------------------------------------------------------ YAML

    def edit_yaml(self, name: str, change: Callable[[dict], object]) -> None:
        """Load ``name``, let ``change`` modify the data in place, and dump it back.

        Comments and the line layout are lost: use ``replace`` when a test needs lines.
        """
        data = yaml.safe_load(self.text(name))
        change(data)
        self.write(name, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


@pytest.fixture(scope="session")
def scenario() -> Scenario:
    """The real scenario, loaded once (do not modify it)."""
    return load(SCENARIO_DIR)


@pytest.fixture
def scenario_copy(tmp_path: Path) -> Path:
    """A private copy of the real scenario folder that a test may edit and load."""
    return copy_scenario(tmp_path)


@pytest.fixture
def edit(scenario_copy: Path) -> ScenarioEditor:
    """An editor of the files of ``scenario_copy``."""
    return ScenarioEditor(scenario_copy)
