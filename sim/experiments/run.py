"""One run of a scenario as tables, and the run directory those tables are written to.

``Run`` is what scenario scripts and notebooks use: ``Run.execute(scenario, seed=1)``
gives ``control``, ``factions``, ``alliances`` and ``battles`` as pandas DataFrames. The
run directory (DESIGN.md) holds the same tables as CSV plus ``manifest.json``; see
:class:`RunDirectory` for how files are written so that a failed run never leaves
something that looks complete.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim import __version__
from sim.core.world import World
from sim.data import Scenario, load
from sim.data.dates import format_month
from sim.data.params import Params
from sim.data.vocabulary import RELATION_NAMES
from sim.model.model import AfsimModel

TABLES = ("control", "factions", "alliances", "battles")
COLUMNS = {
    "control": ["replicate", "date", "territory", "controller"],
    "factions": ["replicate", "date", "faction", "fighters", "territories", "provinces",
                 "resources", "support"],
    "alliances": ["replicate", "date", "a", "b", "relation"],
    "battles": ["replicate", "date", "kind", "territory", "attacker", "defender", "chance",
                "attackers", "defenders", "attacker_lost", "defender_lost", "winner"],
}


@dataclass(frozen=True)
class Run:
    """The tables of one finished run."""

    seed: int
    replicate: int
    control: pd.DataFrame
    factions: pd.DataFrame
    alliances: pd.DataFrame
    battles: pd.DataFrame

    @classmethod
    def execute(cls, scenario: Scenario | str | Path, seed: int, params: Params | None = None,
                end: int | str | None = None, replicate: int = 0) -> Run:
        model = AfsimModel(scenario, seed=seed, end=end, params=params).run()
        return cls.from_model(model, replicate)

    @classmethod
    def from_model(cls, model: AfsimModel, replicate: int = 0) -> Run:
        tables = tables_of(model, replicate)
        return cls(seed=model.run_seed, replicate=replicate, **tables)


def tables_of(model: AfsimModel, replicate: int = 0) -> dict[str, pd.DataFrame]:
    """The four run tables of a finished model, rows in a fixed order."""
    w: World = model.world
    h = model.history
    dates = [format_month(m) for m in h.months]
    n_t, n_f = w.n_territories, w.n_factions
    fids = np.array(w.faction_ids, dtype=object)
    control = np.stack(h.control)                                    # [M, T]
    control_df = pd.DataFrame({
        "replicate": replicate,
        "date": np.repeat(dates, n_t),
        "territory": np.tile(np.array(w.territory_ids, dtype=object), len(dates)),
        "controller": fids[control.ravel()],
    })
    held = (control[:, None, :] == np.arange(n_f)[None, :, None])     # [M, F, T]
    factions_df = pd.DataFrame({
        "replicate": replicate,
        "date": np.repeat(dates, n_f),
        "faction": np.tile(fids, len(dates)),
        "fighters": np.round(np.stack(h.fighters).ravel(), 1),
        "territories": held.sum(axis=2).ravel(),
        "provinces": (held & w.is_province[None, None, :]).sum(axis=2).ravel(),
        "resources": np.round(np.stack(h.resources).ravel(), 1),
        "support": np.round(np.stack(h.support).ravel(), 1),
    })
    alliances_df = pd.DataFrame(
        [(replicate, format_month(m), w.faction_ids[a], w.faction_ids[b], RELATION_NAMES[c])
         for m, a, b, c in h.relation_changes], columns=COLUMNS["alliances"])
    rows = [(replicate, format_month(m), "battle", w.territory_ids[b.target],
             w.faction_ids[b.attacker], w.faction_ids[b.holder], round(b.chance, 4),
             round(b.attackers, 1), round(b.defenders, 1), round(b.attacker_lost, 1),
             round(b.defender_lost, 1), w.faction_ids[b.attacker if b.won else b.holder])
            for m, b in h.battles]
    rows += [(replicate, format_month(m), "defection", w.territory_ids[d.territory],
              w.faction_ids[d.new], w.faction_ids[d.old], 1.0, 0.0, round(d.fighters, 1),
              0.0, 0.0, w.faction_ids[d.new]) for m, d in h.defections]
    battles_df = pd.DataFrame(rows, columns=COLUMNS["battles"])
    battles_df = battles_df.sort_values(["date", "kind"], kind="stable").reset_index(drop=True)
    return {"control": control_df, "factions": factions_df, "alliances": alliances_df,
            "battles": battles_df}


class RunDirectory:
    """Writes a run directory: the four CSV tables, then ``manifest.json`` last.

    A directory that exists and is not empty is refused unless ``force`` (then emptied of
    our files). Tables are written under ``*.partial`` names and renamed when the run or
    ensemble completes; ``manifest.json`` is written last, so a directory without a
    manifest is never a finished run, and a failure removes the partial files.
    Rows can be appended replicate by replicate (:meth:`append`).
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
        for table in TABLES:
            tables[table].to_csv(self._handles[table], header=False, index=False,
                                 lineterminator="\n")
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


def write_run(out: str | Path, scenario: Scenario | str | Path, seed: int,
              params: Params | None = None, end: int | str | None = None,
              force: bool = False) -> Path:
    """Run once and write the run directory; return its path."""
    scenario = scenario if isinstance(scenario, Scenario) else load(scenario)
    directory = RunDirectory(out, force=force)
    try:
        model = AfsimModel(scenario, seed=seed, end=end, params=params).run()
        directory.append(tables_of(model, 0))
        directory.finish(manifest(scenario, model.params, [seed], model.end))
    except BaseException:
        directory.abort()
        raise
    return directory.path
