"""Replicates of one scenario and parameter set (Starsim's ``MultiSim``).

::

    ens = sim.Ensemble(scenario, replicates=50, seed=1).run(workers=2)
    ens.scores()                 # the numbers of scores.json, in memory
    ens.save("runs/x")           # the run directory
    sim.Ensemble.load("runs/x")  # back again

Replicate seeds are spawned from one root seed (:func:`sim.core.streams.replicate_seeds`), so
a replicate's seed depends only on the root seed and its number. Replicates run on the
shared executor (:mod:`sim.experiments.executor`) and come back in replicate order, so the
files are byte-identical whatever the number of workers. The scenario object itself goes to
the workers: an ensemble of an edited scenario runs the edit.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from sim.analysis.scores import Scorer, load_run_scenario, run_modes
from sim.core.streams import replicate_seeds
from sim.data import Drivers, Params, Scenario
from sim.data.dates import to_month
from sim.data.rundir import (
    MAX_REPLICATES,
    TABLES,
    RunDirectory,
    check_room,
    csv_text,
    manifest,
    read_manifest,
    read_tables,
)
from sim.experiments.executor import imap
from sim.experiments.parameters import ParameterChoice
from sim.experiments.run import resolve_scenario
from sim.model import AfsimModel, tables_of


@dataclass(frozen=True, eq=False)
class _Context:
    drivers: Drivers
    end: int
    as_text: bool


def _replicate(ctx: _Context, replicate: int, seed: int, params: Params) -> dict[str, Any]:
    model = AfsimModel(ctx.drivers, seed=seed, end=ctx.end, params=params,
                       collect=False).run()
    tables = tables_of(model, replicate)
    return csv_text(tables) if ctx.as_text else tables


class Ensemble:
    """Replicates of a scenario with one parameter set.

    Args:
        scenario: a :class:`Scenario` or a scenario folder.
        replicates: number of replicates (>= 1).
        seed: root seed the replicate seeds are spawned from.
        end, params, defaults, **overrides: as for :class:`~sim.experiments.run.Run`.
    """

    def __init__(self, scenario: Scenario | str | Path, replicates: int = 100, seed: int = 0, *,
                 end: int | str | None = None, params: Params | dict | None = None,
                 defaults: bool = False, **overrides: Any):
        if not isinstance(replicates, int) or isinstance(replicates, bool) or replicates < 1:
            raise ValueError(f"--replicates must be at least 1, got {replicates!r}")
        if replicates > MAX_REPLICATES:  # before spawning a seed per replicate
            raise ValueError(f"--replicates {replicates:,} is more than afsim runs in one "
                             f"ensemble ({MAX_REPLICATES:,}); split it")
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.scenario = resolve_scenario(scenario)
        self.choice = ParameterChoice.of(self.scenario, params, defaults, overrides)
        self.params = self.choice.base()   # modes, and the point values of the manifest
        self.root_seed = seed
        self._replicates = replicates
        self.end = to_month(end, self.scenario.end)
        self.path: Path | None = None
        self._tables: dict[str, pd.DataFrame] = {}

    @property
    def replicates(self) -> int:
        return self._replicates

    @functools.cached_property
    def seeds(self) -> list[int]:
        """The replicates' seeds, spawned from the root seed (when first needed)."""
        return replicate_seeds(self.root_seed, self._replicates)

    def _results(self, as_text: bool, workers: int, scheduler: str | None) -> Iterator[Any]:
        ctx = _Context(self.scenario.drivers, self.end, as_text)
        tasks = ((i, seed, self.choice.for_seed(seed)) for i, seed in enumerate(self.seeds))
        return imap(_replicate, tasks, ctx, workers=min(workers, self.replicates),
                    scheduler=scheduler, ordered=True)

    def run(self, workers: int = 1, scheduler: str | None = None, out: str | Path | None = None,
            force: bool = False, progress: bool = False,
            on_replicate: Callable[[int], None] | None = None) -> Ensemble:
        """Run every replicate; return self.

        With ``out`` the tables stream to that run directory (memory stays flat, however many
        replicates) and are read back from it when asked for; otherwise they stay in memory.
        """
        bar = tqdm(total=self.replicates, unit="run", disable=not progress, file=sys.stderr,
                   desc="ensemble")
        try:
            if out is not None:
                months = self.end - self.scenario.start + 1
                d = self.scenario.drivers
                check_room(out, self.replicates,
                           months * (len(d.territories) + len(d.factions) + 5))
                directory = RunDirectory(out, force=force)
                results = self._results(True, workers, scheduler)
                try:
                    for replicate, texts in enumerate(results):
                        directory.append_text(texts)
                        bar.update(1)
                        if on_replicate:
                            on_replicate(replicate)
                    directory.finish(self.manifest())
                except BaseException:
                    results.close()
                    directory.abort()
                    raise
                self.path, self._tables = directory.path, {}
            else:
                parts: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES}
                for replicate, tables in enumerate(self._results(False, workers, scheduler)):
                    for name in TABLES:
                        parts[name].append(tables[name])
                    bar.update(1)
                    if on_replicate:
                        on_replicate(replicate)
                self._tables = {name: pd.concat(frames, ignore_index=True)
                                for name, frames in parts.items()}
        finally:
            bar.close()
        return self

    def manifest(self) -> dict:
        record = manifest(self.scenario, self.params, self.seeds, self.end,
                          root_seed=self.root_seed, command="ensemble")
        record["parameter_origin"] = self.choice.manifest(self.seeds)
        return record

    # -- results ---------------------------------------------------------------------------

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        if not self._tables:
            if self.path is None:
                raise RuntimeError("this ensemble has not been run yet: call .run() first")
            self._tables = read_tables(self.path)
        return self._tables

    @property
    def control(self) -> pd.DataFrame:
        return self.tables["control"]

    @property
    def factions(self) -> pd.DataFrame:
        return self.tables["factions"]

    @property
    def alliances(self) -> pd.DataFrame:
        return self.tables["alliances"]

    @property
    def battles(self) -> pd.DataFrame:
        return self.tables["battles"]

    def scores(self) -> dict:
        """The scores of ``scores.json`` (same definitions, same numbers), in memory."""
        return Scorer(self.scenario, self.tables,
                      run_modes(self.scenario, self.params.to_dict())).scores()

    def save(self, out: str | Path, force: bool = False) -> Path:
        """Write the run directory from the tables in memory; return its path."""
        tables = self.tables
        directory = RunDirectory(out, force=force)
        try:
            for replicate in range(self.replicates):
                directory.append_text(csv_text(
                    {name: df[df["replicate"] == replicate] for name, df in tables.items()}))
            directory.finish(self.manifest())
        except BaseException:
            directory.abort()
            raise
        self.path = directory.path
        return directory.path

    @classmethod
    def load(cls, path: str | Path) -> Ensemble:
        """An ensemble from its run directory (the scenario found through the manifest)."""
        path = Path(path)
        tables = read_tables(path)
        meta = read_manifest(path)
        scenario = load_run_scenario(path, meta)
        ens = cls.__new__(cls)
        ens.scenario = scenario
        ens.params = Params.make(meta["parameters"])
        ens.choice = ParameterChoice.of(scenario, ens.params)
        ens.root_seed = meta.get("root_seed")
        ens.seeds = [int(s) for s in meta["seeds"]]   # fills the cached property
        ens._replicates = len(ens.seeds)
        ens.end = to_month(meta["end"], scenario.end)
        ens.path = path
        ens._tables = tables
        return ens


def run_ensemble(out: str | Path, scenario: Scenario | str | Path, replicates: int,
                 root_seed: int, params: Params | None = None, end: int | str | None = None,
                 workers: int = 1, scheduler: str | None = None, force: bool = False,
                 progress: bool = True) -> Path:
    """Run ``replicates`` replicates into the run directory ``out``; return its path."""
    ens = Ensemble(scenario, replicates, root_seed, end=end, params=params)
    ens.run(workers=workers, scheduler=scheduler, out=out, force=force, progress=progress)
    return Path(out)
