"""Scores of an ensemble against the record, beside two baselines, per window.

Map metrics are over province-months (the 34 provinces; sub-nodes count only as recorded
changes). For a forecast giving each faction a share of replicates (a probability) in
each province and month:

* ``accuracy``: share of province-months whose modal controller is the recorded one;
* ``mean_prob``: mean probability given to the recorded controller;
* ``brier``: mean over province-months of sum_f (p_f - 1[f recorded])^2 (0 best, 2 worst);
* ``hit_rate``: share of the window's recorded changes (any territory) for which the new
  holder holds it within ±3 months of the recorded month in at least half the
  replicates (a baseline: with probability >= 0.5); ``timing_mae``: mean absolute
  timing error in months of the simulated change nearest the recorded one (median over
  the replicates that make it);
* ``provinces_rmse``: RMSE over factions × months of the mean simulated provinces held
  against the recorded count;
* ``alliance_agreement``: share of pair-months whose simulated relation is the recorded
  one, averaged over replicates (only when alliances are endogenous).

Baselines (Makridakis-style reference forecasts): persistence freezes the recorded map at
the window's start; diffusion lets each province fall each month to an adjacent
expanding faction (one whose recorded holdings grew in the 12 months before the window;
any faction when there is no such history) at a rate proportional to its share of the
province's neighbours, the rate fitted on the calibration window by maximising
``mean_prob``. Skill = (model - baseline) / (1 - baseline) for scores where 1 is perfect,
(baseline - model) / baseline for errors where 0 is perfect (``brier``,
``provinces_rmse``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis.baselines import DIFFUSION_RATES, diffusion_forecast
from sim.analysis.metrics import (
    change_hits,
    map_metrics,
    provinces_rmse,
    skill,
    timing_error,
)
from sim.analysis.record import record_table, recorded_changes, relation_table, shares
from sim.core.world import build_world
from sim.data import Scenario, load
from sim.data.dates import format_month, parse_month
from sim.data.rundir import read_tables

HIGHER_IS_BETTER = {"accuracy": True, "mean_prob": True, "brier": False, "hit_rate": True,
                    "provinces_rmse": False}


class Scorer:
    """Scores an ensemble's control table against a scenario's record."""

    def __init__(self, scenario: Scenario, control: pd.DataFrame, alliances: pd.DataFrame,
                 alliance_mode: str):
        self.scenario = scenario
        d = scenario.drivers
        self.world = build_world(d)
        self.factions = d.faction_ids
        self.territories = d.territory_ids
        self.months = [format_month(m) for m in range(d.start, d.end + 1)]
        self.record = record_table(scenario)
        self.f_index = {f: i for i, f in enumerate(self.factions)}
        self.truth = self.record.apply(lambda col: col.map(self.f_index)).to_numpy()   # [M, T]
        self.control = control[control["date"].isin(self.months)]
        self.replicates = int(self.control["replicate"].nunique())
        self.prob = shares(self.control, self.factions, self.territories, self.months)
        self.province = self.world.is_province
        self.alliances = alliances
        self.alliance_mode = alliance_mode
        self.changes = recorded_changes(scenario)
        self._held_cache: dict[tuple[str, str], np.ndarray] = {}

    # -- helpers ------------------------------------------------------------------------

    def window_index(self, window) -> slice:
        start, end = format_month(window.start), format_month(window.end)
        return slice(self.months.index(start), self.months.index(end) + 1)

    def held_by(self, territory: str, faction: str) -> np.ndarray:
        """[R, M] 1 where replicate r has ``faction`` holding ``territory`` in month m."""
        key = (territory, faction)
        if key not in self._held_cache:
            rows = self.control[self.control["territory"] == territory]
            table = rows.pivot(index="replicate", columns="date", values="controller")
            self._held_cache[key] = (table[self.months].to_numpy() == faction).astype(float)
        return self._held_cache[key]

    def recorded_held(self) -> np.ndarray:
        """[M, F] provinces held per faction in the record."""
        truth = self.truth[:, self.province]
        return np.stack([(truth == f).sum(axis=1) for f in range(len(self.factions))], axis=1)

    # -- forecasts ----------------------------------------------------------------------

    def persistence(self, window) -> np.ndarray:
        w = self.window_index(window)
        start = max(w.start - 1, 0)
        frozen = np.zeros((len(self.territories), len(self.factions)))
        frozen[np.arange(len(self.territories)), self.truth[start]] = 1.0
        return np.broadcast_to(frozen, (w.stop - w.start, *frozen.shape)).copy()

    def expanding(self, window) -> np.ndarray:
        w = self.window_index(window)
        start = max(w.start - 1, 0)
        before = max(start - 12, 0)
        held = self.recorded_held_all()
        grew = held[start] > held[before]
        return grew if grew.any() else np.ones(len(self.factions), dtype=bool)

    def recorded_held_all(self) -> np.ndarray:
        """[M, F] territories (all kinds) held per faction in the record."""
        return np.stack([(self.truth == f).sum(axis=1) for f in range(len(self.factions))], axis=1)

    def diffusion(self, window, rate: float) -> np.ndarray:
        w = self.window_index(window)
        start = max(w.start - 1, 0)
        adjacency = self.world.adjacency.astype(float)
        forecast = diffusion_forecast(self.truth[start], adjacency, self.expanding(window),
                                      rate, w.stop - w.start + 1, len(self.factions))
        # month 0 of the forecast is the start map; the window begins one step later
        # unless the window starts at the scenario's first month
        return forecast[1:] if w.start > 0 else forecast[:-1]

    def fit_diffusion_rate(self) -> float:
        window = self.scenario.calibration
        w = self.window_index(window)
        best, best_score = 0.0, -np.inf
        for rate in DIFFUSION_RATES:
            score = map_metrics(self.diffusion(window, float(rate))[:, self.province],
                                self.truth[w][:, self.province])["mean_prob"]
            if score > best_score + 1e-12:
                best, best_score = float(rate), score
        return best

    # -- scores -------------------------------------------------------------------------

    def evaluate(self, prob: np.ndarray, window, model: bool) -> tuple[dict, list[dict]]:
        w = self.window_index(window)
        truth = self.truth[w]
        out = map_metrics(prob[:, self.province], truth[:, self.province])
        expected = prob[:, self.province].sum(axis=1)                          # [M, F]
        out["provinces_rmse"] = provinces_rmse(expected, self.recorded_held()[w])
        in_window = self.changes[self.changes["date"].map(parse_month).between(window.start, window.end)]
        details = []
        hits, errors = [], []
        t_index = {t: i for i, t in enumerate(self.territories)}
        for row in in_window.itertuples(index=False):
            rec = self.months.index(row.date)
            if model:
                held = self.held_by(row.territory, row.new)
                share = change_hits(held, rec)
                err = timing_error(held, rec)
            else:
                f, t = self.f_index[row.new], t_index[row.territory]
                series = np.zeros((1, len(self.months)))
                series[0, w] = prob[:, t, f]
                share = change_hits(series, rec)
                err = None
            hit = share >= 0.5
            hits.append(hit)
            if err is not None:
                errors.append(abs(err))
            details.append({"date": row.date, "territory": row.territory, "old": row.old,
                            "new": row.new, "confidence": row.confidence, "hit": bool(hit),
                            "share": round(share, 4),
                            "timing_error": None if err is None else round(err, 1)})
        out["changes"] = len(details)
        out["hit_rate"] = float(np.mean(hits)) if hits else None
        out["timing_mae"] = float(np.mean(errors)) if errors else None
        out["alliance_agreement"] = self.alliance_agreement(window) if model else None
        return out, details

    def alliance_agreement(self, window) -> float | None:
        if self.alliance_mode != "endogenous":
            return None
        w = self.window_index(window)
        months = self.months[w]
        recorded = pd.DataFrame([(format_month(c.date), c.a, c.b, c.relation)
                                 for c in self.scenario.drivers.alliances],
                                columns=["date", "a", "b", "relation"])
        rec = relation_table(recorded, self.factions, self.months,
                             self.scenario.drivers.default_relation)
        agree, total = 0, 0
        for _, group in self.alliances.groupby("replicate"):
            sim = relation_table(group, self.factions, self.months, "hostile")
            for pair, series in rec.items():
                s = sim[pair][w]
                r = series[w]
                agree += sum(x == y for x, y in zip(s, r, strict=True))
                total += len(months)
        return agree / total if total else None

    def capital_fall(self, capital: str | None = None) -> dict:
        """When the record's last new holder of the capital takes it, against the record.

        ``capital``: a territory id; default the scenario's ``capital``.
        """
        capital = capital or self.scenario.capital
        falls = self.changes[self.changes["territory"] == capital]
        if capital is None or falls.empty:
            return {"recorded": None, "territory": capital}
        last = falls.iloc[-1]
        held = self.held_by(capital, last["new"])
        firsts = [self.months[int(np.argmax(row))] for row in held if row.any()]
        counts = pd.Series(firsts, dtype=object).value_counts().sort_index()
        rec = parse_month(last["date"])
        errors = [parse_month(m) - rec for m in firsts]
        median = None
        if len(firsts) * 2 > self.replicates:
            # median month over all replicates, a run that never falls counting as latest
            ordered = sorted(firsts) + ["never"] * (self.replicates - len(firsts))
            median = ordered[(self.replicates - 1) // 2]
        return {"recorded": last["date"], "faction": last["new"], "territory": capital,
                "fell_share": len(firsts) / self.replicates,
                "months": {k: int(v) for k, v in counts.items()},
                "median": median,
                "median_error_months": float(np.median(errors)) if errors else None}

    def scores(self) -> dict:
        rate = self.fit_diffusion_rate()
        result = {"replicates": self.replicates, "diffusion_rate": rate, "changes": []}
        for name, window in (("calibration", self.scenario.calibration),
                             ("holdout", self.scenario.holdout)):
            w = self.window_index(window)
            model, details = self.evaluate(self.prob[w], window, model=True)
            persistence, _ = self.evaluate(self.persistence(window), window, model=False)
            diffusion, _ = self.evaluate(self.diffusion(window, rate), window, model=False)
            entry = {"window": str(window), "model": model, "persistence": persistence,
                     "diffusion": diffusion}
            for base_name, base in (("persistence", persistence), ("diffusion", diffusion)):
                entry[f"skill_vs_{base_name}"] = {
                    key: skill(model[key], base[key], higher)
                    for key, higher in HIGHER_IS_BETTER.items()}
            result[name] = entry
            result["changes"] += [dict(d, window=name) for d in details]
        result["capital_fall"] = self.capital_fall()
        return result


def alliance_mode(scenario: Scenario, parameters: dict) -> str:
    chosen = parameters.get("alliances", "scenario")
    return scenario.drivers.alliance_mode if chosen == "scenario" else chosen


def load_run_scenario(run_dir: Path, manifest: dict) -> Scenario:
    """The scenario a run directory was made from (path as recorded, or next to the run)."""
    recorded = Path(manifest["scenario"]["path"])
    for candidate in (recorded, run_dir.parent / recorded, run_dir / recorded):
        if (candidate / "scenario.yaml").is_file():
            scenario = load(candidate)
            break
    else:
        raise FileNotFoundError(f"{run_dir}/manifest.json: scenario folder {recorded} not found")
    if scenario.drivers.hash != manifest["scenario"]["drivers_hash"]:
        raise ValueError(f"{run_dir}/manifest.json: the scenario at {recorded} has changed since "
                         "the run (drivers hash differs); run again")
    return scenario


def score_directory(path: str | Path) -> dict:
    """Score a finished run directory and write ``scores.json``; return the scores."""
    path = Path(path)
    tables = read_tables(path)
    manifest = json.loads((path / "manifest.json").read_text())
    scenario = load_run_scenario(path, manifest)
    scorer = Scorer(scenario, tables["control"], tables["alliances"],
                    alliance_mode(scenario, manifest["parameters"]))
    result = scorer.scores()
    result["scenario"] = manifest["scenario"]
    result["parameters"] = manifest["parameters"]
    tmp = path / "scores.json.partial"
    tmp.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
    tmp.replace(path / "scores.json")
    return result


def format_table(scores: dict) -> str:
    """The scores as a readable text table."""
    def cell(x):
        return "—" if x is None else f"{x:.3f}"
    keys = ["accuracy", "mean_prob", "brier", "hit_rate", "timing_mae", "provinces_rmse",
            "alliance_agreement"]
    lines = []
    for name in ("calibration", "holdout"):
        entry = scores[name]
        lines.append(f"{name} {entry['window']}  ({entry['model']['changes']} recorded changes)")
        lines.append(f"  {'metric':<20}{'model':>9}{'persist.':>10}{'diffusion':>10}"
                     f"{'skill/p':>9}{'skill/d':>9}")
        for key in keys:
            lines.append(f"  {key:<20}{cell(entry['model'].get(key)):>9}"
                         f"{cell(entry['persistence'].get(key)):>10}"
                         f"{cell(entry['diffusion'].get(key)):>10}"
                         f"{cell(entry['skill_vs_persistence'].get(key)):>9}"
                         f"{cell(entry['skill_vs_diffusion'].get(key)):>9}")
    k = scores["capital_fall"]
    if k.get("recorded"):
        lines.append(f"{k['territory']} falls to {k['faction']} (recorded {k['recorded']}): in "
                     f"{k['fell_share']:.0%} of replicates; median {k['median'] or 'never'}; "
                     f"months {k['months']}")
    lines.append(f"diffusion rate fitted on the calibration window: {scores['diffusion_rate']}")
    return "\n".join(lines)
