"""Run directories: the tables of a run or an ensemble as CSV files, with their manifest.

A run directory holds ``control.csv``, ``factions.csv``, ``alliances.csv``, ``battles.csv``
(columns in :data:`COLUMNS`, documented in ``docs/outputs.md``) and ``manifest.json`` (what
the run came from). :class:`RunDirectory` writes them so that a failed run never leaves
something that looks complete; :func:`read_tables` reads them back.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
from pathlib import Path

import pandas as pd

from sim._version import __version__
from sim.data.dates import format_month
from sim.data.params import Params
from sim.data.schema import Scenario

TABLES = ("control", "factions", "alliances", "battles", "support")
COLUMNS = {
    "control": ["replicate", "date", "territory", "controller"],
    "factions": ["replicate", "date", "faction", "fighters", "territories", "provinces",
                 "resources", "support"],
    "alliances": ["replicate", "date", "a", "b", "relation"],
    "battles": ["replicate", "date", "kind", "territory", "attacker", "defender", "chance",
                "attackers", "defenders", "attacker_lost", "defender_lost", "winner"],
    "support": ["replicate", "date", "backer", "faction", "support"],
}


class RunDirectory:
    """Writes a run directory: the four CSV tables, then ``manifest.json`` last.

    A directory that exists and is not empty is refused unless ``force`` (then emptied of
    our files). Tables are written under ``*.partial`` names and renamed when the run or
    ensemble completes; ``manifest.json`` is written last, so a directory without a
    manifest is never a finished run, and a failure removes the partial files.
    Rows are appended replicate by replicate (:meth:`append` or :meth:`append_text`).
    """

    def __init__(self, path: str | Path, force: bool = False):
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise FileExistsError(f"{self.path}: exists and is not a directory")
        if self.path.is_dir() and any(self.path.iterdir()):
            if not force:
                raise FileExistsError(f"{self.path}: directory is not empty (use --force to overwrite)")
            for name in [*(f"{t}.csv" for t in TABLES), "manifest.json", "scores.json"]:
                (self.path / name).unlink(missing_ok=True)
            shutil.rmtree(self.path / "report", ignore_errors=True)
        self.path.mkdir(parents=True, exist_ok=True)
        self._handles = {}
        for table in TABLES:
            handle = open(self.path / f"{table}.csv.partial", "w", newline="")  # noqa: SIM115
            handle.write(",".join(COLUMNS[table]) + "\n")
            self._handles[table] = handle

    def append(self, tables: dict[str, pd.DataFrame]) -> None:
        """Append one replicate's tables (DataFrames with the columns of :data:`COLUMNS`)."""
        self.append_text(csv_text(tables))

    def append_text(self, texts: dict[str, str]) -> None:
        """Append one replicate's tables already turned into CSV rows (no header)."""
        for table in TABLES:
            self._handles[table].write(texts[table])
            self._handles[table].flush()

    def finish(self, manifest: dict) -> None:
        for table, handle in self._handles.items():
            handle.close()
            os.replace(self.path / f"{table}.csv.partial", self.path / f"{table}.csv")
        tmp = self.path / "manifest.json.partial"
        tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, self.path / "manifest.json")

    def abort(self) -> None:
        for table, handle in self._handles.items():
            handle.close()
            (self.path / f"{table}.csv.partial").unlink(missing_ok=True)


def csv_text(tables: dict[str, pd.DataFrame]) -> dict[str, str]:
    """Each table's rows as CSV text without a header, as the run directory stores them."""
    return {name: tables[name].to_csv(header=False, index=False, lineterminator="\n")
            for name in TABLES}


def manifest(scenario: Scenario, params: Params, seeds: list[int], end: int,
             root_seed: int | None = None, command: str = "run") -> dict:
    """What a run directory came from: enough to run it again."""
    return {
        "command": command,
        "scenario": {"path": str(scenario.path), "name": scenario.name,
                     "content_hash": scenario.content_hash,
                     "drivers_hash": scenario.drivers.hash},
        "parameters": params.to_dict(),
        "root_seed": root_seed,
        "seeds": [int(s) for s in seeds],
        "replicates": len(seeds),
        "end": format_month(end),
        "version": __version__,
        "started": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }


def read_tables(path: str | Path) -> dict[str, pd.DataFrame]:
    """The tables of a finished run directory (refuses one without a manifest)."""
    path = Path(path)
    if not (path / "manifest.json").is_file():
        raise FileNotFoundError(f"{path}: not a finished run directory (no manifest.json)")
    return {name: pd.read_csv(path / f"{name}.csv", keep_default_na=False) for name in TABLES}
