"""Paired comparison of named runs of the same replicates (common random numbers).

Replicate *i* of every run shares its seed, and each mechanism draws its random numbers in a
fixed shape every month, so the difference between two runs in one replicate is the effect of
what differs between them, not of luck. For each run against the first: the focus faction's
provinces at the end (per-replicate difference, its mean with a 90% bootstrap interval over
replicates), the share of replicates in which the capital falls (the paired difference of the
indicator; the month only where it falls: censored otherwise), provinces per faction over
time, each territory's holder shares at the end, and the hold-out scores where the runs were
scored.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sim.data import Scenario

DRAWS = 2000


def _interval(values: np.ndarray, seed: int = 0) -> tuple[float, float, float]:
    """Mean and 90% bootstrap interval of the mean of paired differences."""
    if values.size == 0:
        return float("nan"), float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, values.size, (DRAWS, values.size))].mean(axis=1)
    return float(values.mean()), float(np.quantile(means, 0.05)), float(np.quantile(means, 0.95))


def _first_fall(control: pd.DataFrame, capital: str, faction: str, months: list[str]
                ) -> pd.Series:
    """Per replicate: the index of the first month ``faction`` takes ``capital`` (-1: never)."""
    c = control[control["territory"] == capital].pivot(index="replicate", columns="date",
                                                      values="controller")[months]
    held = (c.to_numpy() == faction)
    took = np.zeros(held.shape, dtype=bool)
    took[:, 1:] = held[:, 1:] & ~held[:, :-1]
    return pd.Series(np.where(took.any(axis=1), took.argmax(axis=1), -1), index=c.index)


def compare_runs(runs: list[tuple[str, dict, dict, dict | None]], scenario: Scenario) -> dict:
    """``runs``: (name, tables, manifest, scores or None), the first being the reference.

    Raises:
        ValueError: runs of different replicates or months cannot be paired.
    """
    first_seeds = runs[0][2]["seeds"]
    for name, _, manifest, _ in runs[1:]:
        if manifest["seeds"] != first_seeds:
            raise ValueError(f"{name}: its replicates' seeds differ from {runs[0][0]}'s: paired "
                             "differences need the same root seed and number of replicates")
    months = sorted(runs[0][1]["control"]["date"].unique())
    focus, capital = scenario.focus_faction, scenario.capital
    result = {"runs": [], "focus_faction": focus, "capital": capital, "months": months,
              "replicates": len(first_seeds)}
    reference = None
    for name, tables, manifest, scores in runs:
        f = tables["factions"]
        provinces = f.pivot_table(index=["date"], columns="faction", values="provinces",
                                  aggfunc=list)
        bands = {fac: {"mean": [float(np.mean(v)) for v in provinces[fac]],
                       "p10": [float(np.percentile(v, 10)) for v in provinces[fac]],
                       "p90": [float(np.percentile(v, 90)) for v in provinces[fac]]}
                 for fac in provinces.columns}
        last = f[f["date"] == months[-1]]
        focus_end = (last[last["faction"] == focus].set_index("replicate")["provinces"]
                     if focus else pd.Series(dtype=float))
        falls = (_first_fall(tables["control"], capital, focus, months)
                 if capital and focus else pd.Series(dtype=int))
        end = tables["control"][tables["control"]["date"] == months[-1]]
        holders = (end.groupby(["territory", "controller"]).size()
                   / max(end["replicate"].nunique(), 1)).round(4)
        entry = {"name": name, "title": manifest["scenario"].get("title") or name,
                 "focus_end": {"mean": float(focus_end.mean()) if len(focus_end) else None},
                 "capital_fall_share": float((falls >= 0).mean()) if len(falls) else None,
                 "capital_fall_months": {months[i]: int(n) for i, n in
                                         falls[falls >= 0].value_counts().sort_index().items()},
                 "provinces": bands,
                 "holders_end": {t: dict(g.droplevel(0).items())
                                 for t, g in holders.groupby(level=0)},
                 "scores": _headline(scores)}
        if reference is None:
            reference = (focus_end, falls)
        else:
            diff = (focus_end - reference[0]).dropna().to_numpy(dtype=float)
            mean, low, high = _interval(diff)
            entry["focus_end"] |= {"difference": mean, "low": low, "high": high,
                                   "share_more": float((diff > 0).mean()),
                                   "share_fewer": float((diff < 0).mean())}
            if len(falls):
                fell = (falls >= 0).astype(float) - (reference[1] >= 0).astype(float)
                mean, low, high = _interval(fell.dropna().to_numpy())
                entry["capital_fall_difference"] = {"difference": mean, "low": low, "high": high}
        result["runs"].append(entry)
    return result


def _headline(scores: dict | None) -> dict | None:
    if not scores:
        return None
    hold = (scores.get("windows") or {}).get("holdout")
    if not hold:
        return None
    a = hold["all"]
    return {"window": hold["window"], "accuracy": a["model"]["accuracy"],
            "brier": a["model"]["brier"],
            "brier_skill_vs_persistence": a["skill_vs_persistence"]["brier"]["value"],
            "hit_rate": hold["changes"]["hit_rate"]}


def compare_directories(dirs: list[str | Path], names: list[str] | None = None) -> dict:
    """:func:`compare_runs` of run directories (the first is the reference); names default to
    each run's scenario name."""
    import json

    from sim.analysis.scores import load_run_scenario
    from sim.data.rundir import read_manifest, read_tables
    runs = []
    scenario = None
    for i, d in enumerate(dirs):
        d = Path(d)
        manifest = read_manifest(d)
        tables = read_tables(d)
        scores_file = d / "scores.json"
        scores = json.loads(scores_file.read_text()) if scores_file.is_file() else None
        if scenario is None:
            scenario = load_run_scenario(d, manifest)
        name = names[i] if names else manifest["scenario"]["name"]
        runs.append((name, tables, manifest, scores))
    if len({name for name, *_ in runs}) < len(runs):
        runs = [(f"{name} ({Path(d).name})", *rest) for (name, *rest), d in zip(runs, dirs, strict=True)]
    return compare_runs(runs, scenario)


def summary_lines(result: dict) -> list[str]:
    """One line per run of a comparison: the focus faction's provinces at the end with the
    paired difference from the reference, and the share of replicates in which the capital
    falls (what `afsim compare` and `sim.what_if` print)."""
    lines = []
    for run in result["runs"]:
        fe = run["focus_end"]
        diff = ("" if "difference" not in fe else
                f"; paired difference {fe['difference']:+.2f} [{fe['low']:+.2f}, {fe['high']:+.2f}]")
        lines.append(f"{run['title']}: {result['focus_faction']} provinces at the end "
                     f"{fe['mean']:.1f}{diff}; {result['capital']} falls in "
                     f"{run['capital_fall_share']:.0%} of replicates")
    return lines
