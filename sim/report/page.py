"""The comparison report of a scored run directory: PNG figures and one HTML page.

``write_report(DIR)`` reads the run directory (tables, ``manifest.json``, ``scores.json``
written by ``afsim score DIR``) and the scenario it was run from, draws the figures of
:mod:`sim.report.figures` into ``DIR/report/`` and writes ``DIR/report/index.html``: a page with no
scripts and no external addresses, readable straight from the disk. Numbers in the score
tables are copied from ``scores.json`` and never recomputed here; every such cell carries a
``data-key`` attribute (``holdout.model.accuracy``) naming where it came from.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from sim.analysis.metrics import WINDOW_SLACK
from sim.analysis.patterns import bounds_text
from sim.data.dates import format_month
from sim.data.params import Params
from sim.report.calibration import posterior_section
from sim.report.entries import FigureEntry, capital_figure, capital_name, render_figures
from sim.report.interactive import write_explorer_page
from sim.report.rundata import RunData, load_run
from sim.report.style import faction_name
from sim.report.timeline import tempo_figure
from sim.report.verdict import verdict_html

REPORT_DIR = "report"
WINDOW_TITLES = {"calibration": "Calibration window", "holdout": "Hold-out window",
                 "whole": "Whole run", "forecast": "Forecast window"}
COLUMNS = (("model", "model"), ("persistence", "persistence"), ("diffusion", "diffusion"),
           ("skill_vs_persistence", "skill vs persistence [90% interval]"),
           ("skill_vs_diffusion", "skill vs diffusion [90% interval]"))
# (key, what it measures, which way is better); definitions are those of sim.analysis.
METRICS = (
    ("accuracy", "share of province-months whose modal simulated holder is the recorded one",
     "higher"),
    ("mean_prob", "mean share of replicates giving a province-month its recorded holder",
     "higher"),
    ("brier", "Brier score of the replicate shares against the recorded holder (0 best, 2 worst)",
     "lower"),
)
CELLS = (("all", "known cells, weighted by confidence"), ("high", "high-confidence cells only"))


def format_value(value: Any, digits: int = 3) -> str:
    """How a value of ``scores.json`` is shown: ``digits`` decimals, integers as they are,
    null as —."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def distinct_digits(values: Iterable[Any], least: int = 3, most: int = 6) -> int:
    """Decimals enough that values which differ do not look equal (0.998 beside 0.998 with a
    skill between them): from ``least`` up to ``most``."""
    numbers = sorted({v for v in values if isinstance(v, float)})
    for digits in range(least, most + 1):
        shown = {f"{v:.{digits}f}" for v in numbers}
        if len(shown) == len(numbers):
            return digits
    return most


# --------------------------------------------------------------------------- HTML


def write_report(run_dir: str | Path, extra_sections: Iterable[tuple[str, str]] = (),
                 progress: Callable[[str], None] | None = None) -> Path:
    """Render the figures and ``index.html`` into ``run_dir/report``; return the page's path.

    ``extra_sections`` are ``(title, html)`` pairs placed before "How this was made"; their
    HTML is inserted as given. ``progress`` is told each stage as it starts.

    Raises:
        ScoresMissing: ``run_dir`` has no ``scores.json`` (run ``afsim score`` first).
    """
    say = progress or (lambda _: None)
    say("reading the run directory")
    run = load_run(run_dir)
    out = run.path / REPORT_DIR
    out.mkdir(exist_ok=True)
    say(f"drawing {len(run.scenario.map_months) or 'the'} maps and the charts")
    figures = [*render_figures(run, out), tempo_figure(run, out)]
    say("writing the page and the interactive one")
    explore = write_explorer_page(run, out)
    # first screen: the verdict in words, then the maps, simulated beside recorded
    maps = [f for f in figures if f.files and f.files[0][0].startswith("map_")]
    body = [
        verdict_html(run.scores, capital_name(run)),
        f'<p class="note">Every month of the run and every province\'s story: '
        f'<a href="{explore.name}">{explore.name}</a> (interactive, works offline).</p>',
        *(_figure_html(f) for f in maps),
        _intro_html(run),
        _scores_html(run.scores),
        _capital_html(run, capital_figure(run, out)),
        _totals_html(run.scores),
        *(_figure_html(f) for f in figures if f not in maps),
        *(_section(*calibration) for calibration in [posterior_section(run.scenario.posterior, out)]
          if calibration),
        *(_section(title, content) for title, content in extra_sections),
        _made_html(run),
    ]
    page = out / "index.html"
    page.write_text(_page(f"{run.scenario.title}: simulation against the record", body),
                    encoding="utf-8")
    return page


def _section(title: str, content: str, anchor: str = "") -> str:
    ident = f' id="{html.escape(anchor)}"' if anchor else ""
    return f"<section{ident}>\n<h2>{html.escape(title)}</h2>\n{content}\n</section>"


def _cell(value: Any, key: str, css: str = "num", digits: int = 3) -> str:
    return (f'<td class="{css}" data-key="{html.escape(key)}">'
            f'{html.escape(format_value(value, digits))}</td>')


def _overrides(run: RunData) -> list[tuple[str, Any]]:
    """Parameters of the run that differ from the registry defaults with the scenario's own
    settings applied: the ``--set`` values of the command."""
    base = Params.make(run.scenario.drivers.parameters).to_dict()
    return [(name, value) for name, value in run.manifest["parameters"].items()
            if base.get(name) != value]


def _listing(pairs: Iterable[tuple[str, Any]]) -> str:
    return ", ".join(f"{name} = {value:g}" if isinstance(value, float) else f"{name} = {value}"
                     for name, value in pairs)


def _parameter_summary(run: RunData) -> str:
    origin = run.manifest.get("parameter_origin") or {}
    post = origin.get("posterior")
    if post:
        given = origin.get("given") or {}
        return (f"drawn for each replicate from the scenario's posterior ({post.get('file')}, "
                f"{post.get('samples')} weighted samples of {len(post.get('parameters', []))} "
                "parameters" + (f", fitted on {post['fitted_on']}" if post.get("fitted_on") else "")
                + ")"
                + (f", with --set {_listing(given.items())}" if given else ""))
    own = dict(run.scenario.drivers.parameters)
    text = ("the registry defaults" + (" (--defaults)" if origin.get("defaults") else "")
            if not own else
            f"the registry defaults with the scenario's own {len(own)} "
            f"setting{'s' if len(own) > 1 else ''} ({_listing(own.items())})")
    overrides = _overrides(run)
    text += f", overridden by --set {_listing(overrides)}" if overrides else ", no --set"
    return text


def _intro_html(run: RunData) -> str:
    m, s = run.manifest, run.scenario
    seeds = m.get("seeds") or []
    seed_text = (f"root seed {m['root_seed']}" if m.get("root_seed") is not None
                 else f"seed{'s' if len(seeds) > 1 else ''} {', '.join(map(str, seeds[:5]))}")
    parts = [
        f"<p><strong>{html.escape(s.title)}</strong> "
        f"(scenario <code>{html.escape(s.name)}</code>, {format_month(s.start)} to "
        f"{format_month(s.end)}). {html.escape(s.description)}</p>",
        f"<p>This report compares <span data-key=\"replicates\">"
        f"{html.escape(format_value(run.scores.get('replicates')))}</span> replicates "
        f"({html.escape(seed_text)}) with the recorded control of every territory. Calibration "
        f"window {s.calibration}, hold-out window {s.holdout}: the parameters may be tuned on "
        f"the first, never on the second. Parameters: {html.escape(_parameter_summary(run))}; "
        f"alliances {html.escape(run.alliance_mode)}.</p>",
    ]
    return "<header>\n" + "\n".join(parts) + "\n</header>"


def _scores_html(scores: dict) -> str:
    tables = []
    for window, entry in (scores.get("windows") or {}).items():
        cells = entry.get("cells", {})
        heading = (f'<h3>{WINDOW_TITLES.get(window, window)} <span class="window" '
                   f'data-key="windows.{window}.window">{html.escape(format_value(entry.get("window")))}'
                   f'</span></h3><p class="note">Province-months: {cells.get("observed", 0)} observed, '
                   f'{cells.get("carried", 0)} carried forward, {cells.get("unknown", 0)} unknown (not '
                   f'scored); {cells.get("high_confidence", 0)} of high confidence.</p>')
        tables.append(heading + score_table(window, entry))
    kind = scores.get("kind", "free_run")
    start = html.escape(str(scores.get("baseline_start")))
    notes = (
        f"<p class=\"note\">{'Free run from the start map and the drivers alone' if kind == 'free_run' else 'Forecast: replicates conditioned on the record before the origin ' + html.escape(str(scores.get('origin'))) + ', then free'}. "
        f"Both baselines know what the model knew: persistence keeps the recorded map of {start} "
        "unchanged; diffusion lets provinces fall to neighbouring expanding factions at a rate "
        f"fitted on the months before the comparison (<span data-key=\"diffusion_rate\">"
        f"{html.escape(format_value(scores.get('diffusion_rate')))}</span> a month). Skill is "
        "(model − baseline) / (perfect − baseline): 1 is perfect, 0 no better than the "
        "baseline, negative worse; the interval is a paired bootstrap over provinces. Change "
        "cells are the province-months where the record's holder changes. — : not defined.</p>")
    return _section("Scores", "\n".join(tables) + notes, "scores")


def _skill_text(value: Any) -> tuple[str, str]:
    if not isinstance(value, dict) or value.get("value") is None:
        return "—", ""
    text = f"{value['value']:+.3f}"
    if value.get("low") is not None:
        text += f" [{value['low']:+.2f}, {value['high']:+.2f}]"
    css = ""
    if value.get("low") is not None and value["low"] > 0:
        css = " better"
    elif value.get("high") is not None and value["high"] < 0:
        css = " worse"
    return text, css


def score_table(window: str, entry: dict) -> str:
    head = "".join(f"<th>{html.escape(label)}</th>" for _, label in COLUMNS)
    rows = []
    for which, which_label in CELLS:
        block = entry.get(which) or {}
        for scope, values_of in (("", block), (" on change cells", block.get("change_cells") or {})):
            for key, meaning, better in METRICS:
                cells = []
                digits = distinct_digits((values_of.get(c) or {}).get(key) for c, _ in COLUMNS
                                         if not c.startswith("skill"))
                for column, _ in COLUMNS:
                    values = values_of.get(column) or {}
                    data_key = f"windows.{window}.{which}{'.change_cells' if scope else ''}.{column}.{key}"
                    if column.startswith("skill"):
                        text, css = _skill_text(values.get(key))
                        cells.append(f'<td class="num{css}" data-key="{data_key}">{text}</td>')
                    else:
                        cells.append(_cell(values.get(key), data_key, digits=digits))
                hint = f" ({better} is better)" if better else ""
                rows.append(f"<tr><th scope=\"row\"><code>{key}</code><br><small>"
                            f"{html.escape(which_label + scope)}</small></th>{''.join(cells)}"
                            f"<td class=\"meaning\">{html.escape(meaning + hint)}</td></tr>")
    ch = entry.get("changes") or {}
    rows.append(f"<tr><th scope=\"row\"><code>hit_rate</code></th>"
                f"{_cell(ch.get('hit_rate'), f'windows.{window}.changes.hit_rate')}"
                f"{_cell(ch.get('persistence_hit_rate'), f'windows.{window}.changes.persistence_hit_rate')}"
                f"{_cell(ch.get('diffusion_hit_rate'), f'windows.{window}.changes.diffusion_hit_rate')}"
                f"<td></td><td></td><td class=\"meaning\">share of the window's "
                f"{ch.get('changes', 0)} recorded changes whose new holder holds the territory "
                f"within ±{WINDOW_SLACK} months in at least half the replicates; timing error "
                f"{format_value(ch.get('timing_mae'))} months</td></tr>")
    rmse = entry.get("provinces_rmse") or {}
    rows.append("<tr><th scope=\"row\"><code>provinces_rmse</code></th>"
                + "".join(_cell(rmse.get(k), f"windows.{window}.provinces_rmse.{k}")
                          for k in ("model", "persistence", "diffusion",
                                    "skill_vs_persistence", "skill_vs_diffusion"))
                + "<td class=\"meaning\">RMSE of the mean simulated provinces per faction "
                  "against the record (lower is better)</td></tr>")
    for key in ("alliance_agreement", "proxy_agreement"):
        if entry.get(key):
            rows.append(f"<tr><th scope=\"row\"><code>{key}</code></th>"
                        f"{_cell(entry[key].get('model'), f'windows.{window}.{key}.model')}"
                        "<td></td><td></td><td></td><td></td><td class=\"meaning\">agreement "
                        "with the record (endogenous mode)</td></tr>")
    return (f"<table class=\"scores\">\n<thead><tr><th>metric</th>{head}<th>meaning</th></tr>"
            f"</thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>")


def _capital_html(run: RunData, figure: FigureEntry | None) -> str:
    scores = run.scores
    k = scores.get("capital_fall") or {}
    name = html.escape(capital_name(run))
    heading = f"The fall of {name}"
    if not k.get("recorded"):
        return _section(heading, f"<p>The record has no change of {name}'s holder.</p>",
                        "capital")
    who = html.escape(faction_name(k.get("faction", "")))
    rows = [
        ("recorded month", "capital_fall.recorded"),
        (f"share of replicates in which {who} takes {name} by the end", "capital_fall.fell_share"),
        (f"share in which it falls within ±{k.get('near_months', 2)} months of the record",
         "capital_fall.near_share"),
        ("median month over all replicates (— : censored, fewer than half fall)",
         "capital_fall.median"),
        ("median error in months where it falls (negative: early)",
         "capital_fall.median_error_months"),
    ]
    body = "".join(
        f"<tr><th scope=\"row\">{label}</th>{_cell(_lookup(scores, key), key)}</tr>"
        for label, key in rows)
    return _section(heading, (
        f"<p>The last recorded change of {name}'s holder, to {who}, against the first month "
        f"{who} holds {name} in each replicate.</p>\n<table class=\"capital\">{body}</table>\n"
        + (_figures_html(figure) if figure else "")), "capital")


def _totals_html(scores: dict) -> str:
    rows = []
    for i, total in enumerate(scores.get("totals") or []):
        bounds = bounds_text(total["low"], total["high"])
        who = " + ".join(faction_name(f) for f in total["faction"].split("+"))  # a coalition
        rows.append(
            f"<tr><td>{html.escape(total['date'])}</td><td>{html.escape(who)}"
            f"</td><td>{bounds}</td>{_cell(total['share'], f'totals.{i}.share')}"
            f"<td class=\"num\">{total['median']:g} ({total['p10']:g}–{total['p90']:g})</td>"
            f"<td class=\"num\">{total['recorded']} (+{total['recorded_unknown']} unknown)</td>"
            f"<td class=\"meaning\">{html.escape(total['source'])}</td></tr>")
    if not rows:
        return ""
    return _section("Totals the source states without places", (
        "<p>Statements that bound a faction's province count without naming provinces are "
        "scored as patterns: the share of replicates whose count lies within the bounds.</p>"
        "<table class=\"scores\"><thead><tr><th>month</th><th>faction</th><th>provinces</th>"
        "<th>share of replicates within</th><th>simulated median (10–90%)</th>"
        "<th>record (known cells)</th><th>source</th></tr></thead><tbody>"
        + "".join(rows) + "</tbody></table>"), "totals")


def _lookup(scores: dict, key: str) -> Any:
    value: Any = scores
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _figure_html(entry: FigureEntry) -> str:
    return _section(entry.heading, _figures_html(entry))


def _figures_html(entry: FigureEntry) -> str:
    figures = []
    for file, label in entry.files:
        alt = html.escape(f"{entry.heading}: {label}" if label else entry.heading)
        caption = f"<figcaption>{html.escape(label)}</figcaption>" if label else ""
        figures.append(f"<figure>\n<img src=\"{html.escape(file)}\" alt=\"{alt}\">\n"
                       f"{caption}\n</figure>")
    return f"<p class=\"caption\">{entry.caption}</p>\n" + "\n".join(figures)


def _commands(run: RunData) -> list[str]:
    m, s = run.manifest, run.scenario
    scenario = str(m["scenario"]["path"])
    directory = str(run.path)
    if m.get("command") == "ensemble":
        command = [f"afsim ensemble {scenario}", f"--replicates {m['replicates']}",
                   f"--seed {m['root_seed']}"]
    else:
        command = [f"afsim run {scenario}", f"--seed {m['seeds'][0]}"]
    command.append(f"--out {directory}")
    if m.get("end") and m["end"] != format_month(s.end):
        command.append(f"--end {m['end']}")
    command += [f"--set {name}={value}" for name, value in _overrides(run)]
    return [" ".join(command), f"afsim score {directory}", f"afsim report {directory}"]


def _made_html(run: RunData) -> str:
    m = run.manifest
    commands = html.escape("\n".join(_commands(run)))
    parameters = "".join(f"<tr><th scope=\"row\"><code>{html.escape(k)}</code></th>"
                         f"<td>{html.escape(str(v))}</td></tr>"
                         for k, v in sorted(m["parameters"].items()))
    return _section("How this was made", (
        f"<pre>{commands}</pre>\n"
        f"<p>afsim {html.escape(str(m.get('version', '?')))}, run started "
        f"{html.escape(str(m.get('started', '?')))}; scenario content hash "
        f"<code>{html.escape(m['scenario'].get('content_hash', '')[:16])}</code>, drivers hash "
        f"<code>{html.escape(m['scenario'].get('drivers_hash', '')[:16])}</code>. Figures drawn "
        "with matplotlib from the run directory's tables; province outlines: Made with Natural "
        "Earth. Free vector and raster map data @ naturalearthdata.com.</p>\n"
        f"<details><summary>All parameters of the run</summary>\n<table class=\"params\">"
        f"{parameters}</table></details>"), "made")


STYLE = """
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; max-width: 1280px;
       margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.7em; margin-bottom: 0.3em; }
h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
h3 .window { font-weight: normal; color: #555; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.92em; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 0.25em 0.7em; text-align: left; }
thead th { border-bottom: 2px solid #999; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.better { background: #e7eff8; }
td.worse { background: #fbece4; }
td.meaning { color: #555; font-size: 0.92em; }
figure { margin: 0.5em 0 1.5em; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.93em; font-weight: bold; }
p.caption { color: #333; max-width: 60em; }
pre { background: #f5f5f5; padding: 0.8em; overflow-x: auto; }
p.note { color: #444; font-size: 0.92em; max-width: 60em; }
"""


def _page(title: str, body: Sequence[str]) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(title)}</h1>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
