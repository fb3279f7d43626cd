"""Global sensitivity of the model's outputs to its parameters, from a finished sweep.

Morris elementary effects (Morris 1991; mu* of Campolongo et al. 2007) for screening, or
Sobol' first-order and total indices (Sobol' 2001; Saltelli's estimator, Saltelli et al.
2010), computed with SALib on the replicate means of each point of a sweep made with the
``morris`` or ``sobol`` design (common random numbers: replicate r of every point has the
same seed, so the means differ by their parameters). Confidence intervals are SALib's
bootstrap 95% intervals. An output that does not vary over the design has no index
(reported as constant).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

DEFAULT_OUTPUTS = ("holdout_skill", "capital_fall_share", "focus_provinces_end")
LABELS = {"holdout_skill": "hold-out skill (accuracy vs persistence)",
          "capital_fall_month": "month the capital falls, where it does (months from the start)",
          "capital_fall_share": "share of replicates in which the capital falls",
          "holdout_brier": "hold-out Brier score",
          "focus_provinces_end": "provinces of the focus faction at the end",
          "calibration_loss": "calibration loss", "holdout_accuracy": "hold-out accuracy",
          "calibration_accuracy": "calibration accuracy", "holdout_mean_prob": "hold-out mean probability"}


def _load(sweep_dir: Path) -> tuple[dict, pd.DataFrame, pd.DataFrame]:
    meta_path = sweep_dir / "sweep.json"
    results = sweep_dir / "results.parquet"
    if not meta_path.is_file() or not results.is_file():
        raise FileNotFoundError(f"{sweep_dir}: not a finished sweep (no sweep.json or results.parquet)")
    meta = json.loads(meta_path.read_text())
    design = pd.read_parquet(sweep_dir / "design.parquet").sort_values("point")
    return meta, design, pd.read_parquet(results)


def analyse(sweep_dir: str | Path, outputs: tuple[str, ...] = DEFAULT_OUTPUTS,
            seed: int = 0) -> pd.DataFrame:
    """One row per (output, parameter) with the indices and their confidence intervals.

    Columns: output, parameter, method, then ``mu_star, mu_star_conf, sigma`` (Morris) or
    ``S1, S1_conf, ST, ST_conf`` (Sobol'). Runs that raised are left out of the point means;
    a point with no successful run makes the analysis refuse (the design would be broken).
    """
    from SALib.analyze import morris, sobol

    sweep_dir = Path(sweep_dir)
    meta, design, results = _load(sweep_dir)
    method = meta["spec"]["design"]
    if method not in ("morris", "sobol"):
        raise ValueError(f"{sweep_dir}: a {method!r} sweep has no sensitivity indices; "
                         "use design: morris or sobol")
    problem = meta["problem"]
    names = problem["names"]
    ok = results[results["error"].fillna("") == ""]
    unknown = [o for o in outputs if o not in results.columns]
    if unknown:
        available = [c for c in results.columns if c not in ("run", "point", "replicate", "seed",
                                                              "error", *names)]
        raise ValueError(f"{sweep_dir}: unknown output(s) {', '.join(map(repr, unknown))}; this "
                         f"sweep has {', '.join(available)}")
    means = ok.groupby("point")[list(outputs)].mean().reindex(design["point"])
    if means.isna().all(axis=1).any():
        missing = means.index[means.isna().all(axis=1)].tolist()[:5]
        raise ValueError(f"{sweep_dir}: points {missing} have no successful run; cannot analyse")
    x = design[names].to_numpy(dtype=float)
    rows = []
    for output in outputs:
        y = means[output].to_numpy(dtype=float)
        constant = not np.isfinite(y).all() or np.ptp(y) < 1e-12
        if method == "morris":
            res = None if constant else morris.analyze(problem, x, y, num_levels=meta["spec"].get("levels") or 4,
                                                       seed=seed, print_to_console=False)
            for i, name in enumerate(names):
                rows.append({"output": output, "parameter": name, "method": "morris",
                             "mu_star": _val(res, "mu_star", i), "mu_star_conf": _val(res, "mu_star_conf", i),
                             "sigma": _val(res, "sigma", i)})
        else:
            res = None if constant else sobol.analyze(problem, y, calc_second_order=False, seed=seed,
                                                      print_to_console=False)
            for i, name in enumerate(names):
                rows.append({"output": output, "parameter": name, "method": "sobol",
                             "S1": _val(res, "S1", i), "S1_conf": _val(res, "S1_conf", i),
                             "ST": _val(res, "ST", i), "ST_conf": _val(res, "ST_conf", i)})
    return pd.DataFrame(rows)


def _val(res, key: str, i: int) -> float:
    return float("nan") if res is None else float(np.asarray(res[key])[i])


def plot(table: pd.DataFrame, path: str | Path) -> Path:
    """Horizontal bars of mu* (Morris) or S1 and ST (Sobol') with their intervals, per output."""
    outputs = list(dict.fromkeys(table["output"]))
    method = table["method"].iloc[0]
    fig, axes = plt.subplots(1, len(outputs), figsize=(5.2 * len(outputs), 0.45 * table["parameter"].nunique() + 1.8),
                             sharey=True, squeeze=False)
    for ax, output in zip(axes[0], outputs, strict=True):
        part = table[table["output"] == output]
        y = np.arange(len(part))
        if method == "morris":
            ax.barh(y, part["mu_star"], xerr=part["mu_star_conf"], color="#0072B2", alpha=0.8,
                    error_kw={"elinewidth": 1, "capsize": 2})
            ax.set_xlabel("μ* (mean |elementary effect|)")
            ax.set_xlim(left=0)  # μ* is non-negative; a wide interval must not suggest otherwise
        else:
            ax.barh(y - 0.18, part["S1"], height=0.36, xerr=part["S1_conf"], color="#0072B2",
                    label="first order S1", error_kw={"elinewidth": 1, "capsize": 2})
            ax.barh(y + 0.18, part["ST"], height=0.36, xerr=part["ST_conf"], color="#E69F00",
                    label="total ST", error_kw={"elinewidth": 1, "capsize": 2})
            ax.set_xlabel("Sobol' index")
            ax.legend(loc="lower right", fontsize=8)
        if part[["mu_star"] if method == "morris" else ["S1"]].isna().all().all():
            ax.text(0.5, 0.5, "constant over the design:\nno index", transform=ax.transAxes,
                    ha="center", va="center", color="#666666")
            ax.set_xticks([])
        ax.set_yticks(y, part["parameter"])
        ax.invert_yaxis()
        ax.set_title(LABELS.get(output, output), fontsize=10)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(f"Sensitivity of the outputs to the parameters ({'Morris screening' if method == 'morris' else 'Sobol indices'}; bars: 95% bootstrap intervals)",
                 fontsize=11)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write(sweep_dir: str | Path, outputs: tuple[str, ...] = DEFAULT_OUTPUTS) -> pd.DataFrame:
    """Analyse a sweep; write ``sensitivity.csv``, ``sensitivity.json`` and ``sensitivity.png``."""
    sweep_dir = Path(sweep_dir)
    table = analyse(sweep_dir, outputs)
    table.to_csv(sweep_dir / "sensitivity.csv", index=False, float_format="%.5g")
    records = [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
               for r in table.to_dict(orient="records")]
    (sweep_dir / "sensitivity.json").write_text(json.dumps(records, indent=1) + "\n")
    plot(table, sweep_dir / "sensitivity.png")
    return table


def format_table(table: pd.DataFrame) -> str:
    cols = ["mu_star", "mu_star_conf", "sigma"] if table["method"].iloc[0] == "morris" else ["S1", "S1_conf", "ST", "ST_conf"]
    lines = []
    for output, part in table.groupby("output", sort=False):
        lines.append(f"{output}")
        lines.append(f"  {'parameter':<20}" + "".join(f"{c:>13}" for c in cols))
        for r in part.itertuples():
            lines.append(f"  {r.parameter:<20}" + "".join(
                f"{'—' if np.isnan(getattr(r, c)) else format(getattr(r, c), '.4g'):>13}" for c in cols))
    return "\n".join(lines)
