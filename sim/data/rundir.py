"""Run directories: the tables of a run or an ensemble as CSV files, with their manifest.

A run directory holds ``control.csv``, ``factions.csv``, ``alliances.csv``, ``battles.csv``
(columns in :data:`COLUMNS`, documented in ``docs/outputs.md``) and ``manifest.json`` (what
the run came from). :class:`RunDirectory` writes them so that a failed run never leaves
something that looks complete; :func:`read_tables` reads them back.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
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
        self._digests = {}
        self._rows = dict.fromkeys(TABLES, 0)
        for table in TABLES:
            handle = open(self.path / f"{table}.csv.partial", "w", newline="")  # noqa: SIM115
            header = ",".join(COLUMNS[table]) + "\n"
            handle.write(header)
            self._handles[table] = handle
            self._digests[table] = hashlib.sha256(header.encode())

    def append(self, tables: dict[str, pd.DataFrame]) -> None:
        """Append one replicate's tables (DataFrames with the columns of :data:`COLUMNS`)."""
        self.append_text(csv_text(tables))

    def append_text(self, texts: dict[str, str]) -> None:
        """Append one replicate's tables already turned into CSV rows (no header)."""
        for table in TABLES:
            self._handles[table].write(texts[table])
            self._handles[table].flush()
            self._digests[table].update(texts[table].encode())
            self._rows[table] += texts[table].count("\n")

    def finish(self, manifest: dict) -> None:
        manifest = {**manifest, "tables": {t: {"rows": self._rows[t],
                                               "sha256": self._digests[t].hexdigest()}
                                           for t in TABLES}}
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
        "scenario": {"path": str(Path(scenario.path).resolve()), "name": scenario.name,
                     "title": scenario.title, "content_hash": scenario.content_hash,
                     "drivers_hash": scenario.drivers.hash,
                     "origin": dict(scenario.origin) or None},
        "parameters": params.to_dict(),
        "root_seed": root_seed,
        "seeds": [int(s) for s in seeds],
        "replicates": len(seeds),
        "end": format_month(end),
        "version": __version__,
        "started": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
    }


MANIFEST_KEYS = ("scenario", "parameters", "seeds", "replicates", "end")


def read_manifest(path: str | Path) -> dict:
    """The manifest of a finished run directory; refuses a missing or damaged one."""
    path = Path(path)
    file = path / "manifest.json"
    if not file.is_file():
        raise FileNotFoundError(f"{path}: not a finished run directory (no manifest.json)")
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError(f"{file}: damaged ({type(exc).__name__}); run it again") from None
    missing = [k for k in MANIFEST_KEYS if not isinstance(manifest, dict) or k not in manifest]
    if missing:
        raise ValueError(f"{file}: damaged (no {', '.join(missing)}); run it again")
    return manifest


def read_tables(path: str | Path) -> dict[str, pd.DataFrame]:
    """The tables of a finished run directory, checked against the rows and checksums its
    manifest records (a truncated, edited or partly deleted table is refused)."""
    path = Path(path)
    manifest = read_manifest(path)
    recorded = manifest.get("tables") or {}
    tables = {}
    for name in TABLES:
        file = path / f"{name}.csv"
        if not file.is_file():
            if name in recorded or name != "support":
                raise FileNotFoundError(f"{file}: missing; the run directory is damaged")
            tables[name] = pd.DataFrame(columns=COLUMNS[name])  # made before support.csv
            continue
        if name in recorded:
            digest = hashlib.sha256(file.read_bytes()).hexdigest()
            if digest != recorded[name]["sha256"]:
                raise ValueError(f"{file}: does not match its manifest (truncated, edited or "
                                 "damaged); run it again")
        try:
            tables[name] = pd.read_csv(file, keep_default_na=False)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValueError(f"{file}: not a readable table ({type(exc).__name__})") from None
        if list(tables[name].columns) != COLUMNS[name]:
            raise ValueError(f"{file}: columns {list(tables[name].columns)} are not "
                             f"{COLUMNS[name]}")
    reps = tables["control"]["replicate"].nunique() if len(tables["control"]) else 0
    if reps != manifest["replicates"]:
        raise ValueError(f"{path}/control.csv: {reps} replicates, the manifest says "
                         f"{manifest['replicates']}; the run directory is damaged")
    return tables


MAX_REPLICATES = 10_000_000
BYTES_PER_ROW = 40  # a CSV row of the run tables, roughly


def check_room(out: str | Path, replicates: int, rows_per_replicate: int) -> None:
    """Refuse, before anything is created, an output that cannot fit: too many replicates, or
    more bytes than the disk under ``out`` has free."""
    if replicates > MAX_REPLICATES:
        raise ValueError(f"--replicates {replicates:,} is more than afsim runs in one directory "
                         f"({MAX_REPLICATES:,}); split it")
    need = replicates * rows_per_replicate * BYTES_PER_ROW
    parent = Path(out).resolve()
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    try:
        free = shutil.disk_usage(parent).free
    except OSError:
        return
    if need > free:
        raise ValueError(f"{out}: {replicates:,} replicates need about {need / 1e9:.1f} GB; "
                         f"{free / 1e9:.1f} GB are free there")
