"""Scores of an ensemble against the record, each beside baselines with equal information.

Two comparisons (``docs/ODD.md``, "Comparison with the record"):

* **free run** (``afsim ensemble`` then ``afsim score``): what the model makes of the war from
  the start map and the drivers alone, on the calibration window, the hold-out and the whole
  run, against persistence and diffusion started from the same start map;
* **forecast from an origin** (``afsim forecast``): replicates conditioned on the record
  before the origin, then free; scored from the origin on, against persistence and diffusion
  started from the recorded map just before the origin.

Each window gives accuracy, mean probability of the recorded holder and Brier score on all
known cells (confidence-weighted) and on high-confidence cells, with skill and a paired
bootstrap interval, overall and on change cells (:mod:`sim.analysis.comparison`); the hit
rate and timing of recorded changes; provinces per faction. Besides: the fall of the
scenario's capital (censored when it does not happen), the totals the source states without
places (as patterns), and the agreement of simulated alliances and backers' proxies with the
record when those are endogenous (:mod:`sim.analysis.patterns`).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.baselines import DIFFUSION_RATES, diffusion_forecast
from sim.analysis.comparison import (
    Comparison,
    baseline_paths,
    change_details,
    expanding,
    hit_summary,
    start_map,
)
from sim.analysis.metrics import cell_scores, weighted_mean
from sim.analysis.patterns import (
    alliance_agreement,
    bounds_text,
    capital_fall,
    proxy_agreement,
    totals,
)
from sim.analysis.record import Record, build_record
from sim.core.world import build_world
from sim.data import Scenario, load
from sim.data.dates import format_month, parse_month
from sim.data.rundir import read_manifest, read_tables
from sim.data.schema import Window
from sim.data.vocabulary import CONTESTED

BASELINES = ("persistence", "diffusion")


def fit_diffusion_rate(record: Record, adjacency: np.ndarray, rows: slice) -> float:
    """The diffusion rate that best predicts the record one month ahead on ``rows``: from
    each recorded map, the next month, by the weighted Brier score of province cells (a proper
    score: the mean probability of the recorded holder, being linear, would always prefer a
    rate of 0 when changes are rare). One-step-ahead, so the rate measures how fast the
    record changes, whatever the start of the comparison it is then used in."""
    steps = [r for r in range(max(rows.start, 1), rows.stop)]
    if not steps:
        return 0.0
    truth = record.holder[steps]                                   # [S, T]
    weight = record.weight[steps] * record.province[None, :]
    starts = [start_map(record, r - 1) for r in steps]
    growing = [expanding(record, r - 1) for r in steps]
    best, best_score = 0.0, np.inf
    for rate in DIFFUSION_RATES:
        prob = np.stack([diffusion_forecast(s, adjacency, g, float(rate), 2,
                                            record.n_codes)[1]
                         for s, g in zip(starts, growing, strict=True)])
        score = weighted_mean(cell_scores(prob, truth)["brier"], weight)
        if score is not None and score < best_score - 1e-12:
            best, best_score = float(rate), score
    return best


class Scorer:
    """Scores the tables of an ensemble (free run, or forecast from ``origin``).

    Args:
        scenario: the scenario the ensemble ran (its record is the truth).
        tables: the run tables (``control`` at least; ``alliances`` and ``support`` for the
            endogenous modes).
        modes: ``{"alliances": ..., "backers": ...}`` the run's modes (recorded/endogenous).
        origin: a month index: the first forecast month of a forecast; None for a free run.
    """

    def __init__(self, scenario: Scenario, tables: dict[str, pd.DataFrame],
                 modes: dict[str, str] | None = None, origin: int | None = None):
        self.scenario = scenario
        d = scenario.drivers
        self.record: Record = build_record(scenario)
        self.months = list(self.record.months)
        self.holders = (*d.faction_ids, CONTESTED)
        control = tables["control"]
        self.control = control[control["date"].isin(self.months)]
        self.replicates = int(self.control["replicate"].nunique())
        if self.control.empty:
            raise ValueError("the run has no month inside the scenario's window: nothing to score")
        # a run that stops early is scored on the months it has
        self.last_row = self.months.index(max(self.control["date"]))
        self.tables = tables
        self.modes = modes or {"alliances": d.alliance_mode, "backers": d.backer_mode}
        self.origin = origin
        self.adjacency = build_world(d).adjacency.astype(float)
        self.prob = _shares(self.control, self.holders, d.territory_ids, self.months)
        self._held: dict[tuple[int, int], np.ndarray] = {}
        self._codes = None

    # -- data -------------------------------------------------------------------------------

    def codes(self) -> np.ndarray:
        """[R, M, T] holder codes of every replicate."""
        if self._codes is None:
            index = {h: i for i, h in enumerate(self.holders)}
            c = self.control.sort_values(["replicate", "date"], kind="stable")
            t_order = {t: i for i, t in enumerate(self.record.territories)}
            arr = np.full((self.replicates, len(self.months), len(t_order)), -1, dtype=np.int64)
            reps = {r: i for i, r in enumerate(sorted(c["replicate"].unique()))}
            arr[c["replicate"].map(reps).to_numpy(), c["date"].map(
                {m: i for i, m in enumerate(self.months)}).to_numpy(),
                c["territory"].map(t_order).to_numpy()] = (
                # a holder this scenario does not know (a run of another scenario scored
                # against it) gets a code of its own, never a recorded one
                c["controller"].map(index).fillna(len(self.holders)).astype(np.int64).to_numpy())
            self._codes = arr
        return self._codes

    def held(self, t: int, code: int) -> np.ndarray:
        """[R, M] 1 where a replicate has holder ``code`` in territory ``t``."""
        key = (t, code)
        if key not in self._held:
            self._held[key] = (self.codes()[:, :, t] == code).astype(float)
        return self._held[key]

    def rows(self, window: Window) -> slice:
        return self.record.window(window.start, window.end)

    # -- baselines --------------------------------------------------------------------------

    def fit_diffusion_rate(self, rows: slice) -> float:
        return fit_diffusion_rate(self.record, self.adjacency, rows)

    def baselines(self, from_row: int, rows: slice, rate: float) -> dict[str, np.ndarray]:
        """Persistence and diffusion started from the recorded map at ``from_row``, on
        ``rows`` (which do not start before it)."""
        paths = baseline_paths(self.record, self.adjacency, from_row, rate)
        window = slice(rows.start - from_row, rows.stop - from_row)
        return {name: path[window] for name, path in paths.items()}

    # -- scores -----------------------------------------------------------------------------

    def window_scores(self, name: str, rows: slice, from_row: int, rate: float) -> tuple[dict, list]:
        base = self.baselines(from_row, rows, rate)
        comparison = Comparison(self.record, rows, seed=len(name))
        model = self.prob[rows]
        entry = {"window": f"{self.months[rows.start]}..{self.months[rows.stop - 1]}"}
        entry |= comparison.score(model, base)
        entry["provinces_rmse"] = comparison.provinces(model, base)
        details = change_details(self.record, rows, self.held, base)
        entry["changes"] = hit_summary(details, list(BASELINES))
        return entry, [dict(d, window=name) for d in details]

    def windows(self) -> dict[str, Window]:
        sc = self.scenario
        if self.origin is None:
            return {"calibration": sc.calibration, "holdout": sc.holdout,
                    "whole": Window(sc.start, sc.end)}
        out = {"forecast": Window(self.origin, sc.end)}
        if sc.holdout.end >= self.origin:
            out["holdout"] = Window(max(sc.holdout.start, self.origin), sc.holdout.end)
        return out

    def scores(self) -> dict:
        """Everything ``scores.json`` holds (but where the run came from)."""
        sc = self.scenario
        origin_row = None if self.origin is None else self.record.window(self.origin, self.origin).start
        from_row = 0 if origin_row is None else origin_row - 1
        fit_rows = (self.rows(sc.calibration) if origin_row is None
                    else slice(0, origin_row))  # a forecast's baseline knows what it knows
        rate = self.fit_diffusion_rate(fit_rows)
        result = {"kind": "free_run" if self.origin is None else "forecast",
                  "origin": None if self.origin is None else format_month(self.origin),
                  "baseline_start": self.months[from_row],
                  "replicates": self.replicates, "diffusion_rate": rate,
                  "record": {"cells": self.record.counts(slice(0, len(self.months)))},
                  "windows": {}, "changes": []}
        result["missing_windows"] = []
        for name, window in self.windows().items():
            rows = self.rows(window)
            if rows.start > self.last_row:
                result["missing_windows"].append(name)   # the run stops before it
                continue
            rows = slice(rows.start, min(rows.stop, self.last_row + 1))
            if rows.stop <= rows.start or rows.start < from_row:
                continue
            entry, details = self.window_scores(name, rows, from_row, rate)
            if self.modes.get("alliances") == "endogenous" and "alliances" in self.tables:
                entry["alliance_agreement"] = alliance_agreement(
                    sc, self.tables["alliances"], self.months, rows)
            if self.modes.get("backers") == "endogenous" and "support" in self.tables:
                entry["proxy_agreement"] = proxy_agreement(
                    sc, self.tables["support"], self.months, rows, self.replicates)
            result["windows"][name] = entry
            result["changes"] += details
        result["capital_fall"] = capital_fall(sc, self.record, self.held, self.replicates)
        result["totals"] = totals(sc, self.record, self.codes(), self.origin)
        return result


def _shares(control: pd.DataFrame, holders: tuple[str, ...], territories: tuple[str, ...],
            months: list[str]) -> np.ndarray:
    from sim.analysis.record import shares
    return shares(control, holders, territories, months)


# --------------------------------------------------------------------------- run directories


def run_modes(scenario: Scenario, parameters: dict) -> dict[str, str]:
    """The alliance and backer modes a run used (its parameters, else the scenario's)."""
    d = scenario.drivers
    alliances, backers = parameters.get("alliances", "scenario"), parameters.get("backers", "scenario")
    return {"alliances": d.alliance_mode if alliances == "scenario" else alliances,
            "backers": d.backer_mode if backers == "scenario" else backers}


def alliance_mode(scenario: Scenario, parameters: dict) -> str:
    return run_modes(scenario, parameters)["alliances"]


def load_run_scenario(run_dir: Path, manifest: dict) -> Scenario:
    """The scenario a run directory was made from (path as recorded, or next to the run)."""
    recorded = Path(manifest["scenario"]["path"])
    for candidate in (recorded, run_dir.parent / recorded, run_dir / recorded):
        if (candidate / "scenario.yaml").is_file() or (candidate.is_file()
                                                       and candidate.suffix in (".yaml", ".yml")):
            scenario = load(candidate)   # a folder, or an overlay file
            break
    else:
        raise FileNotFoundError(f"{run_dir}/manifest.json: scenario folder {recorded} not found")
    origin = manifest["scenario"].get("origin") or {}
    if origin and not recorded.suffix and origin.get("changes") is not None:
        # a scenario changed in memory (sim.with_changes): rebuilt from its base and changes
        from sim.data.overlay import with_changes
        scenario = with_changes(load(origin["base"]), origin["changes"],
                                parameters=origin.get("parameters") or None,
                                alliances=origin.get("alliances"), backers=origin.get("backers"),
                                end=origin.get("end"), name=manifest["scenario"]["name"],
                                title=manifest["scenario"].get("title"))
    if scenario.drivers.hash != manifest["scenario"]["drivers_hash"]:
        raise ValueError(f"{run_dir}/manifest.json: the scenario at {recorded} has changed since "
                         "the run (drivers hash differs); run again")
    return scenario


def score_directory(path: str | Path, against: str | Path | None = None) -> dict:
    """Score a finished run directory and write ``scores.json``; return the scores.

    ``against``: another scenario's folder: score the run against that scenario's record
    instead (:mod:`sim.analysis.transfer`; e.g. the 1992-96 run continued to 2001 against the
    1996-2001 record), written to ``scores-<its name>.json``. Free runs only.
    """
    path = Path(path)
    tables = read_tables(path)
    manifest = read_manifest(path)
    scenario = load_run_scenario(path, manifest)
    origin = manifest.get("origin")
    modes = run_modes(scenario, manifest["parameters"])
    name = "scores.json"
    if against is not None:
        if origin is not None:
            raise ValueError(f"{path}: a forecast is scored against its own scenario only")
        target = load(against)
        from sim.analysis.transfer import control_in_terms_of, missing_territories
        missing = missing_territories(target, tables["control"])
        tables = {"control": control_in_terms_of(target, tables["control"])}
        if tables["control"].empty:
            raise ValueError(f"{path}: the run has no month inside {target.name}'s window "
                             f"{format_month(target.start)}..{format_month(target.end)} (run it "
                             "on with --end)")
        # relations and backing are of the run's factions: not scored against another war
        modes = {"alliances": "recorded", "backers": "recorded"}
        scenario, name = target, f"scores-{target.name}.json"
    scorer = Scorer(scenario, tables, modes,
                    origin=None if origin is None else parse_month(origin))
    result = scorer.scores()
    result["scenario"] = manifest["scenario"]
    result["parameters"] = manifest["parameters"]
    if against is not None:
        result["against"] = {"name": scenario.name, "path": str(against),
                             "territories_not_in_run": missing}
    tmp = path / (name + ".partial")
    tmp.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    tmp.replace(path / name)
    return result


def _cell(x, digits: int = 3) -> str:
    return "—" if x is None else f"{x:.{digits}f}"


def _skill_cell(s: dict) -> str:
    if s["value"] is None:
        return "—"
    if s["low"] is None:
        return f"{s['value']:+.3f}"
    return f"{s['value']:+.3f} [{s['low']:+.2f},{s['high']:+.2f}]"


def format_table(scores: dict) -> str:
    """The scores as a readable text table."""
    kind = "forecast from " + scores["origin"] if scores["kind"] == "forecast" else "free run"
    if scores.get("against"):
        kind += (f" of {scores['scenario']['name']} scored against the record of "
                 f"{scores['against']['name']}")
    lines = [f"{kind}: {scores['replicates']} replicates; baselines start from the recorded "
             f"map of {scores['baseline_start']}; province cells of the record: "
             + ", ".join(f"{k} {v}" for k, v in scores["record"]["cells"].items())]
    for name, entry in scores["windows"].items():
        cells = entry["cells"]
        lines.append(f"{name} {entry['window']}: {entry['changes']['changes']} recorded changes; "
                     f"province cells observed {cells['observed']}, carried {cells['carried']}, "
                     f"unknown {cells['unknown']} (not scored)")
        lines.append(f"  {'cells':<6}{'metric':<11}{'model':>7}{'persist.':>9}{'diffus.':>9}"
                     f"   {'skill vs persistence [90%]':<28}{'skill vs diffusion [90%]'}")
        for which in ("all", "high"):
            e = entry[which]
            for key in ("accuracy", "mean_prob", "brier"):
                lines.append(f"  {which:<6}{key:<11}{_cell(e['model'][key]):>7}"
                             f"{_cell(e['persistence'][key]):>9}{_cell(e['diffusion'][key]):>9}"
                             f"   {_skill_cell(e['skill_vs_persistence'][key]):<28}"
                             f"{_skill_cell(e['skill_vs_diffusion'][key])}")
            c = e["change_cells"]
            lines.append(f"  {which:<6}{'change cells':<18} {c['cells']} cells: accuracy model "
                         f"{_cell(c['model']['accuracy'])}, persistence "
                         f"{_cell(c['persistence']['accuracy'])}; Brier skill vs persistence "
                         f"{_skill_cell(c['skill_vs_persistence']['brier'])}")
        ch = entry["changes"]
        lines.append(f"  recorded changes hit within ±3 months: {_cell(ch['hit_rate'])} "
                     f"(persistence {_cell(ch['persistence_hit_rate'])}, diffusion "
                     f"{_cell(ch['diffusion_hit_rate'])}); timing error {_cell(ch['timing_mae'], 1)} months")
        for key in ("alliance_agreement", "proxy_agreement"):
            if entry.get(key) is not None:
                lines.append(f"  {key.replace('_', ' ')}: {_cell(entry[key]['model'])}")
    k = scores["capital_fall"]
    if k.get("recorded"):
        median = k["median"] or f"not reached ({'censored' if k['censored'] else '—'})"
        lines.append(f"{k['territory']} falls to {k['faction']} (recorded {k['recorded']}): in "
                     f"{k['fell_share']:.0%} of replicates by the end, {k['near_share']:.0%} within "
                     f"±{k['near_months']} months; median month {median}")
    for total in scores.get("totals", []):
        bounds = bounds_text(total["low"], total["high"])
        lines.append(f"total: {total['faction']} holds {bounds} provinces at {total['date']}: "
                     f"{total['share']:.0%} of replicates (median {total['median']}, 10-90% "
                     f"{total['p10']}-{total['p90']}); the record holds {total['recorded']}")
    if scores.get("missing_windows"):
        lines.append("not scored (the run stops before them): " + ", ".join(scores["missing_windows"]))
    lines.append(f"diffusion rate fitted on the months before the comparison: {scores['diffusion_rate']}")
    return "\n".join(lines)
