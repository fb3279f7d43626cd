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
