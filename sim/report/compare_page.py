"""The comparison report of named runs (``afsim compare``): overlaid figures titled by the runs'
names and a table of paired differences against the first run."""

from __future__ import annotations

import html
import json
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from sim.report.style import faction_name

RUN_COLOURS = ("#222222", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
STYLE = {"font.size": 10, "axes.spines.top": False, "axes.spines.right": False}


def _provinces_figure(result: dict, path: Path) -> None:
    months = result["months"]
    focus = result["focus_faction"]
    x = np.arange(len(months))
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(11, 4.2))
        ax = fig.subplots()
        for run, colour in zip(result["runs"], RUN_COLOURS, strict=False):
            band = run["provinces"].get(focus)
            if band is None:
                continue
            ax.fill_between(x, band["p10"], band["p90"], color=colour, alpha=0.15, linewidth=0)
            ax.plot(x, band["mean"], color=colour, linewidth=2, label=run["title"])
        ticks = [i for i, m in enumerate(months) if m.endswith("-01")]
        ax.set_xticks(ticks, [months[i][:4] for i in ticks])
        ax.set_ylabel(f"provinces held by {faction_name(focus)}")
        ax.set_title(f"{faction_name(focus)}'s provinces: mean and 10-90% of replicates", fontsize=11)
        ax.legend(loc="upper left", frameon=False)
        ax.grid(axis="y", alpha=0.3)
        fig.tight_layout()
        fig.savefig(path, dpi=110, facecolor="white")


def _fall_figure(result: dict, path: Path) -> None:
    months = result["months"]
    runs = result["runs"]
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(11, 3.6))
        ax = fig.subplots()
        width = 0.8 / max(len(runs), 1)
        for k, (run, colour) in enumerate(zip(runs, RUN_COLOURS, strict=False)):
            counts = run["capital_fall_months"]
            xs = [months.index(m) + (k - len(runs) / 2) * width for m in counts]
            ax.bar(xs, [c / result["replicates"] for c in counts.values()], width=width,
                   color=colour, label=f"{run['title']}: falls in "
                                       f"{(run['capital_fall_share'] or 0):.0%}")
        ticks = [i for i, m in enumerate(months) if m.endswith("-01")]
        ax.set_xticks(ticks, [months[i][:4] for i in ticks])
        ax.set_ylabel("share of replicates")
        ax.set_title(f"When {result['capital']} first falls to {faction_name(result['focus_faction'])} "
                     "(replicates in which it never falls are censored: not drawn)", fontsize=11)
        ax.legend(loc="upper left", frameon=False)
        fig.tight_layout()
        fig.savefig(path, dpi=110, facecolor="white")


def _num(x, digits: int = 2) -> str:
    return "—" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.{digits}f}"


def write_comparison(result: dict, out: str | Path) -> Path:
    """Write ``compare.json`` and ``index.html`` (with its figures) into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.json").write_text(json.dumps(result, indent=1) + "\n")
    _provinces_figure(result, out / "provinces.png")
    _fall_figure(result, out / "capital_fall.png")
    focus = html.escape(faction_name(result["focus_faction"] or ""))
    rows = []
    for run in result["runs"]:
        fe = run["focus_end"]
        diff = ("reference" if "difference" not in fe else
                f"{fe['difference']:+.2f} [{fe['low']:+.2f}, {fe['high']:+.2f}]; more in "
                f"{fe['share_more']:.0%}, fewer in {fe['share_fewer']:.0%} of replicates")
        cf = run.get("capital_fall_difference")
        cdiff = ("reference" if cf is None else
                 f"{cf['difference']:+.2f} [{cf['low']:+.2f}, {cf['high']:+.2f}]")
        s = run.get("scores") or {}
        rows.append(f"<tr><th>{html.escape(run['title'])}</th><td class=\"num\">{_num(fe['mean'], 1)}</td>"
                    f"<td>{html.escape(diff)}</td><td class=\"num\">{_num(run['capital_fall_share'])}</td>"
                    f"<td>{html.escape(cdiff)}</td><td class=\"num\">{_num(s.get('brier_skill_vs_persistence'))}</td>"
                    f"<td class=\"num\">{_num(s.get('hit_rate'))}</td></tr>")
    names = " vs ".join(html.escape(r["title"]) for r in result["runs"])
    page = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{names}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:1.5em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border-bottom:1px solid #ddd;padding:.35em .6em;text-align:left}}
td.num{{text-align:right;font-variant-numeric:tabular-nums}}img{{max-width:100%}}.note{{color:#555}}</style>
</head><body><h1>{names}</h1>
<p>{result['replicates']} replicates of each run with the same seeds: replicate <i>i</i> of every run
shares its random numbers, so a difference within a replicate is the effect of what differs between the
runs. Differences are against the first run, with 90% bootstrap intervals over replicates.</p>
<table><thead><tr><th>run</th><th>{focus}: provinces at the end (mean)</th><th>paired difference</th>
<th>{html.escape(str(result['capital']))} falls (share)</th><th>paired difference</th>
<th>hold-out Brier skill vs persistence</th><th>recorded changes hit</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<figure><img src="provinces.png" alt="provinces over time"></figure>
<figure><img src="capital_fall.png" alt="when the capital falls"></figure>
<p class="note">Numbers in compare.json; hold-out scores only where the runs were scored (afsim score).</p>
</body></html>"""
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
