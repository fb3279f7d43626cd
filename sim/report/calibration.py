"""The report's calibration section: the posterior marginals against their priors' ranges,
saying plainly where a parameter piles up against a range limit."""

from __future__ import annotations

import html
from pathlib import Path

import matplotlib
import numpy as np
import yaml
from matplotlib.figure import Figure

from sim.data.schema import Posterior

LIMIT_COLOUR = "#D55E00"
SPREAD_SHARE = 0.25  # an effective sample size under a quarter of the population is "a few sets"


def posterior_figure(path: Path, posterior: Posterior, marginals: dict) -> Path:
    """One small histogram per parameter (weighted), over its prior range, the median marked;
    a parameter that piles up at a range end is titled in orange."""
    names = posterior.names
    values = np.asarray(posterior.values)
    weights = np.asarray(posterior.weights)
    cols = 4
    rows = -(-len(names) // cols)
    with matplotlib.rc_context({"font.size": 9, "axes.spines.top": False,
                                "axes.spines.right": False}):
        fig = Figure(figsize=(3.1 * cols, 2.1 * rows))
        axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
        for ax, (i, name) in zip(axes, enumerate(names), strict=False):
            m = marginals.get(name, {})
            low, high = m.get("range", [values[:, i].min(), values[:, i].max()])
            ax.hist(values[:, i], bins=np.linspace(low, high, 21), weights=weights,
                    color="#0072B2", alpha=0.8)
            ax.axvline(m.get("median", np.median(values[:, i])), color="#222222", linewidth=1.2)
            ax.set_xlim(low, high)
            ax.set_yticks([])
            flag = m.get("limit")
            ax.set_title(name + (f"  (piles up: {flag} end)" if flag else ""), fontsize=9,
                         color=LIMIT_COLOUR if flag else "#222222")
        for ax in axes[len(names):]:
            ax.set_visible(False)
        fig.suptitle("Posterior of the calibrated parameters (weighted; x: the prior's range; "
                     "line: median)", fontsize=10)
        fig.tight_layout()
        fig.savefig(path, dpi=110, facecolor="white")
    return path


def posterior_section(posterior: Posterior | None, out: Path) -> tuple[str, str] | None:
    """(title, html) of the calibration section, or None without a posterior."""
    if posterior is None or posterior.path is None:
        return None
    record = yaml.safe_load(posterior.path.read_text()) or {}
    prov = record.get("provenance") or {}
    marginals = prov.get("marginals") or {}
    posterior_figure(out / "posterior.png", posterior, marginals)
    rows = []
    for name in posterior.names:
        m = marginals.get(name, {})
        flag = m.get("limit")
        rows.append(
            f"<tr><td><code>{html.escape(name)}</code></td>"
            f"<td class=\"num\">{m.get('median', float('nan')):.4g}</td>"
            f"<td class=\"num\">{m.get('p5', float('nan')):.4g} – {m.get('p95', float('nan')):.4g}</td>"
            f"<td class=\"num\">{' – '.join(f'{x:g}' for x in m.get('range', []))}</td>"
            f"<td>{'<strong>piles up at the ' + flag + ' end of its range</strong>' if flag else ''}</td></tr>")
    flagged = [n for n in posterior.names if (marginals.get(n) or {}).get("limit")]
    verdict = (f"{len(flagged)} of {len(posterior.names)} parameters pile up against a range limit "
               f"({', '.join(flagged)}): the fit wants values the plausible range excludes, a sign "
               "that a mechanism or a range is wrong, not a finding." if flagged else
               "No parameter piles up against a range limit.")
    k = prov.get("runs_per_particle", 1)
    particles = prov.get("simulations", "?")
    population = prov.get("population", "?")
    ess = prov.get("effective_sample_size")
    distances = prov.get("final_distances") or {}
    fit = ", ".join(f"{name} {value:.3f}" for name, value in distances.items())
    body = (
        f"<p>Every run draws its parameters from this posterior, fitted by ABC-SMC on the "
        f"calibration window {html.escape(str(prov.get('fitted_on', '')))} only "
        f"({particles} parameter sets tried, each on {k} run{'s' if k != 1 else ''}; "
        f"{prov.get('generations', '?')} generations of {population}). "
        f"{html.escape(str(prov.get('method', '')))}. "
        + (f"Effective sample size {ess:g} of {population}: "
           + ("the weight is spread over many parameter sets. "
              if isinstance(population, int) and ess >= SPREAD_SHARE * population
              else "<strong>the weight sits on a few parameter sets</strong>, so the bands "
                   "understate the parameters' uncertainty. ")
           if isinstance(ess, int | float) else "")
        + (f"Distances of the accepted runs to the patterns (0: reproduced): {html.escape(fit)}. "
           if fit else "")
        + f"{html.escape(verdict)}</p>"
        "<table class=\"scores\"><thead><tr><th>parameter</th><th>median</th><th>90% interval"
        "</th><th>prior range</th><th></th></tr></thead><tbody>" + "".join(rows)
        + "</tbody></table>"
        "<figure><img src=\"posterior.png\" alt=\"posterior marginals\"></figure>")
    return "Calibration: the posterior", body
