"""Optional sections of the report: default against calibrated parameters, sensitivity.

Each function returns ``(title, html)`` for :func:`sim.report.page.write_report`'s
``extra_sections``; images are copied into the report folder so the page stays
self-contained.
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

import pandas as pd

from sim.data.params import Params

HOLDOUT_ROWS = (("accuracy", "accuracy of the modal controller"),
                ("mean_prob", "mean probability of the recorded controller"),
                ("brier", "Brier score (lower is better)"),
                ("hit_rate", "recorded changes reproduced (±3 months)"),
                ("provinces_rmse", "provinces per faction, RMSE"))


def _fmt(value) -> str:
    return "—" if value is None else f"{value:.3f}"


def _label(run_dir: Path) -> str:
    manifest = json.loads((run_dir / "manifest.json").read_text())
    params = manifest["parameters"]
    defaults = Params.make().to_dict()
    changed = {k: v for k, v in params.items() if defaults.get(k) != v}
    return "registry defaults" if not changed else f"scenario set ({len(changed)} values differ from defaults)"


def comparison_section(run_dir: str | Path, other_dir: str | Path) -> tuple[str, str]:
    """Hold-out scores of two scored run directories side by side (e.g. default vs calibrated)."""
    runs = [Path(run_dir), Path(other_dir)]
    scores = []
    for d in runs:
        path = d / "scores.json"
        if not path.is_file():
            raise FileNotFoundError(f"{d}: no scores.json; run `afsim score {d}` first")
        scores.append(json.loads(path.read_text()))
    head = "".join(f"<th>{html.escape(_label(d))}<br><small>{html.escape(str(d))}</small></th>" for d in runs)
    rows = []
    holds = [s["windows"].get("holdout") or {} for s in scores]
    for key, label in HOLDOUT_ROWS:
        cells = "".join(f'<td data-key="compare.{i}.windows.holdout.all.model.{key}">'
                        f'{_fmt((h.get("all") or {}).get("model", {}).get(key))}</td>'
                        for i, h in enumerate(holds))
        rows.append(f"<tr><th>{html.escape(label)}</th>{cells}</tr>")
    for base in ("persistence", "diffusion"):
        cells = "".join(f'<td>{_fmt(((h.get("all") or {}).get(f"skill_vs_{base}") or {}).get("accuracy", {}).get("value"))}</td>'
                        for h in holds)
        rows.append(f"<tr><th>skill of accuracy vs {base}</th>{cells}</tr>")
    cals = [s["windows"].get("calibration") or {} for s in scores]
    cells = "".join(f'<td>{_fmt((c.get("all") or {}).get("model", {}).get("mean_prob"))}</td>' for c in cals)
    rows.append(f"<tr><th>calibration window: mean probability (what calibration fits)</th>{cells}</tr>")
    fall = scores[0].get("capital_fall") or {}
    cells = "".join(f'<td>{s["capital_fall"].get("fell_share", 0):.0%}</td>' for s in scores)
    rows.append(f"<tr><th>replicates where {html.escape(str(fall.get('territory')))} falls to "
                f"{html.escape(str(fall.get('faction')))}</th>{cells}</tr>")
    body = (f"<p>Hold-out window ({html.escape(str(holds[0].get('window')))}) scores of the model "
            "with two parameter sets, same scenario and root seed. The calibrated set was fitted on "
            "the calibration window only (provenance in <code>calibration/</code>).</p>"
            f"<table class=\"scores\"><tr><th></th>{head}</tr>{''.join(rows)}</table>")
    return "Default against calibrated parameters", body


def sensitivity_section(sweep_dir: str | Path, report_dir: str | Path) -> tuple[str, str]:
    """The sensitivity table and plot of an analysed sweep (``afsim sensitivity``)."""
    sweep_dir, report_dir = Path(sweep_dir), Path(report_dir)
    table_path = sweep_dir / "sensitivity.csv"
    if not table_path.is_file():
        raise FileNotFoundError(f"{sweep_dir}: no sensitivity.csv; run `afsim sensitivity {sweep_dir}` first")
    table = pd.read_csv(table_path)
    report_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sweep_dir / "sensitivity.png", report_dir / "sensitivity.png")
    meta = json.loads((sweep_dir / "sweep.json").read_text())
    spec = meta["spec"]
    cols = ["mu_star", "mu_star_conf", "sigma"] if table["method"].iloc[0] == "morris" else ["S1", "S1_conf", "ST", "ST_conf"]
    parts = []
    for output, part in table.groupby("output", sort=False):
        rows = "".join("<tr><th>" + html.escape(r["parameter"]) + "</th>" + "".join(
            f"<td>{'—' if pd.isna(r[c]) else format(r[c], '.3g')}</td>" for c in cols) + "</tr>"
            for _, r in part.iterrows())
        parts.append(f"<h3>{html.escape(output)}</h3><table class=\"scores\"><tr><th>parameter</th>"
                     + "".join(f"<th>{c}</th>" for c in cols) + f"</tr>{rows}</table>")
    n_runs = spec["replicates"] * len(pd.read_parquet(sweep_dir / "design.parquet"))
    body = (f"<p>{'Morris elementary effects' if spec['design'] == 'morris' else 'Sobol indices'} "
            f"from a sweep of {n_runs} runs ({spec['replicates']} replicates per point, seed "
            f"{spec['seed']}; <code>{html.escape(str(sweep_dir))}</code>), computed with SALib on the "
            "replicate means of each point; intervals are 95% bootstrap intervals.</p>"
            "<figure><img src=\"sensitivity.png\" alt=\"sensitivity indices\"><figcaption>Longer "
            "bars: the output moves more with that parameter over its range. An output constant over "
            "the design has no index.</figcaption></figure>" + "".join(parts))
    return "Sensitivity of the outputs to the parameters", body


FEW_LINEAGES = 5  # a forecast from this few of the particles drawn at the start is "a few runs"


def _filter_paragraph(manifest_path: Path, particles: int) -> str:
    """What the filter kept: its effective sample size at the origin and how many of the
    particles drawn at the start the forecast descends from (a forecast of one lineage is one
    trajectory, whatever the number of replicates)."""
    if not manifest_path.is_file():
        return ""
    summary = json.loads(manifest_path.read_text()).get("filter") or {}
    if not summary.get("months"):
        return ""
    month, ess = summary["months"][-1], summary["ess"][-1]
    text = (f"<p>The filter weighed the particles on the record's rows of {len(summary['months'])}"
            f" months; in its last, {html.escape(month)}, the effective sample size was "
            f"{ess:g} of {particles}")
    ancestors = summary.get("ancestors")
    if ancestors:
        text += (f", and the particles descended from {ancestors[-1]} of the {particles} drawn "
                 "at the start")
        if ancestors[-1] <= FEW_LINEAGES:
            text += (f". <strong>The forecast is {'one trajectory' if ancestors[-1] == 1 else 'a few trajectories'}"
                     "</strong> with the noise of its later months: its bands do not measure the "
                     "model's uncertainty")
    return text + ".</p>"


def forecast_section(forecast_dir: str | Path, horizons_dir: str | Path | None = None) -> tuple[str, str]:
    """The scores of a forecast from an origin (and skill by horizon), beside its baselines."""
    from sim.report.page import score_table
    path = Path(forecast_dir) / "scores.json"
    if not path.is_file():
        raise FileNotFoundError(f"{forecast_dir}: no scores.json; run `afsim score {forecast_dir}` first")
    scores = json.loads(path.read_text())
    if scores.get("kind") != "forecast":
        raise ValueError(f"{forecast_dir}: not a forecast (made by `afsim forecast`)")
    parts = [f"<p>Replicates conditioned on the record before {html.escape(scores['origin'])} by "
             "a particle filter, then free, against persistence and diffusion started from the "
             f"recorded map of {html.escape(scores['baseline_start'])}: both sides know the same "
             f"record ({scores['replicates']} particles).</p>"]
    parts.append(_filter_paragraph(Path(forecast_dir) / "manifest.json", scores["replicates"]))
    shown: dict[str, str] = {}   # period -> the window already tabled for it
    for window, entry in scores["windows"].items():
        same = shown.get(entry["window"])
        if same is not None:  # e.g. the forecast window is the hold-out: one table, not two
            parts.append(f"<p>The {html.escape(window)} window is the same months as the "
                         f"{html.escape(same)} window: its table is the one above.</p>")
            continue
        shown[entry["window"]] = window
        parts.append(f"<h3>{html.escape(window)} {html.escape(entry['window'])}</h3>"
                     + score_table(window, entry).replace('data-key="windows.', 'data-key="forecast.windows.'))
    if horizons_dir is not None:
        data = json.loads((Path(horizons_dir) / "horizons.json").read_text())
        rows = "".join(
            f"<tr><td class=\"num\">{h['horizon']}</td><td class=\"num\">{h['origins']}</td>"
            f"<td class=\"num\">{_fmt(h['model']['accuracy'])}</td>"
            f"<td class=\"num\">{_fmt(h['persistence']['accuracy'])}</td>"
            f"<td class=\"num\">{_fmt(h['skill_vs_persistence']['accuracy'])}</td>"
            f"<td class=\"num\">{_fmt(h['skill_vs_persistence']['brier'])}</td>"
            f"<td class=\"num\">{_fmt(h['skill_vs_diffusion']['brier'])}</td></tr>"
            for h in data["horizons"])
        parts.append(
            f"<h3>Skill by horizon, origins {html.escape(data['origins'][0])}.."
            f"{html.escape(data['origins'][1])}</h3><p>A forecast from every month of the "
            "hold-out, each conditioned on the record before its origin; horizon 1 is the "
            "origin month.</p><table class=\"scores\"><thead><tr><th>horizon (months)</th>"
            "<th>origins</th><th>accuracy</th><th>persistence</th><th>accuracy skill vs "
            "persistence</th><th>Brier skill vs persistence</th><th>Brier skill vs diffusion"
            f"</th></tr></thead><tbody>{rows}</tbody></table>")
    return f"Forecast from {scores['origin']}", "\n".join(parts)
