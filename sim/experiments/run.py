"""One run of a scenario: configure, ``run()``, read its tables (Starsim's ``Sim``).

::

    import sim
    run = sim.Run("scenarios/afghanistan_1992_1996", seed=1, csf_exponent=2.0).run()
    run.control          # DataFrame: replicate, date, territory, controller
    run.params           # the Params it ran with
    run.save("runs/one") # the run directory (tables + manifest.json)

A :class:`Run` carries its scenario object, parameters and seed; a scenario edited in
memory runs as edited.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from sim.data import Params, Scenario, load
from sim.data.dates import to_month
from sim.data.rundir import TABLES, RunDirectory, manifest
from sim.experiments.parameters import ParameterChoice
from sim.model import AfsimModel, tables_of


def resolve_scenario(scenario: Scenario | str | Path) -> Scenario:
    """A scenario object, loading a folder path."""
    return scenario if isinstance(scenario, Scenario) else load(scenario)




class Run:
    """One run of a scenario with one parameter set and one seed.

    Args:
        scenario: a :class:`Scenario` or a scenario folder.
        seed: non-negative integer.
        end: last month (``YYYY-MM`` or index); default the scenario's end. Later months run
            on with no further drivers.
        params: a complete :class:`Params` (used as is), or a mapping of parameter values.
        defaults: ignore the scenario's own parameters (its posterior and fixed values).
        **overrides: parameter values by registry name (``csf_exponent=2.0``).
    """

    def __init__(self, scenario: Scenario | str | Path, seed: int = 0, *,
                 end: int | str | None = None, params: Params | dict | None = None,
                 defaults: bool = False, replicate: int = 0, **overrides: Any):
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.scenario = resolve_scenario(scenario)
        self.choice = ParameterChoice.of(self.scenario, params, defaults, overrides)
        self.params = self.choice.for_seed(seed)  # drawn from the posterior by the seed
        self.seed = seed
        self.replicate = replicate
        self.end = to_month(end, self.scenario.end)
        self.model: AfsimModel | None = None
        self.tables: dict[str, pd.DataFrame] = {}

    def run(self) -> Run:
        """Simulate; return self (``sim.Run(...).run().control``)."""
        self.model = AfsimModel(self.scenario.drivers, seed=self.seed, end=self.end,
                                params=self.params, collect=False).run()
        self.tables = tables_of(self.model, self.replicate)
        return self

    def _table(self, name: str) -> pd.DataFrame:
        if not self.tables:
            raise RuntimeError("this run has not been run yet: call .run() first")
        return self.tables[name]

    @property
    def control(self) -> pd.DataFrame:
        return self._table("control")

    @property
    def factions(self) -> pd.DataFrame:
        return self._table("factions")

    @property
    def alliances(self) -> pd.DataFrame:
        return self._table("alliances")

    @property
    def battles(self) -> pd.DataFrame:
        return self._table("battles")

    def save(self, out: str | Path, force: bool = False) -> Path:
        """Write the run directory (running first if needed); return its path."""
        directory = RunDirectory(out, force=force)
        try:
            if not self.tables:
                self.run()
            directory.append({name: self.tables[name] for name in TABLES})
            record = manifest(self.scenario, self.params, [self.seed], self.end)
            record["parameter_origin"] = self.choice.manifest([self.seed])
            directory.finish(record)
        except BaseException:
            directory.abort()
            raise
        return directory.path
