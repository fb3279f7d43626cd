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
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sim.analysis.metrics import WINDOW_SLACK
from sim.data.dates import format_month
from sim.data.params import Params
from sim.report.entries import FigureEntry, capital_figure, capital_name, render_figures
from sim.report.rundata import RunData, load_run
from sim.report.style import faction_name

REPORT_DIR = "report"
WINDOWS = (("calibration", "Calibration window"), ("holdout", "Hold-out window"))
COLUMNS = (("model", "model"), ("persistence", "persistence"), ("diffusion", "diffusion"),
           ("skill_vs_persistence", "skill vs persistence"),
           ("skill_vs_diffusion", "skill vs diffusion"))
# (key, what it measures, which way is better); definitions are those of sim.analysis.scores.
METRICS = (
    ("accuracy", "share of province-months whose modal simulated holder is the recorded one",
     "higher"),
    ("mean_prob", "mean share of replicates giving a province-month its recorded holder",
     "higher"),
    ("brier", "Brier score of the replicate shares against the recorded holder (0 best, 2 worst)",
     "lower"),
    ("hit_rate", f"share of recorded changes whose new holder holds the territory within "
                 f"±{WINDOW_SLACK} months in at least half the replicates", "higher"),
    ("timing_mae", "mean absolute months between a recorded change and the nearest simulated "
                   "one (median over replicates)", "lower"),
    ("changes", "recorded changes of holder in the window", ""),
    ("provinces_rmse", "RMSE of the mean simulated provinces per faction against the record",
     "lower"),
    ("alliance_agreement", "agreement of the simulated relations between factions with the "
                           "recorded ones, over pair-months (only when alliances are "
                           "endogenous)", "higher"),
)


def format_value(value: Any) -> str:
    """How a value of ``scores.json`` is shown: 3 decimals, integers as they are, null as —."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


# --------------------------------------------------------------------------- HTML


def write_report(run_dir: str | Path, extra_sections: Iterable[tuple[str, str]] = ()) -> Path:
    """Render the figures and ``index.html`` into ``run_dir/report``; return the page's path.

    ``extra_sections`` are ``(title, html)`` pairs placed before "How this was made"; their
    HTML is inserted as given.

    Raises:
        ScoresMissing: ``run_dir`` has no ``scores.json`` (run ``afsim score`` first).
    """
    run = load_run(run_dir)
    out = run.path / REPORT_DIR
    out.mkdir(exist_ok=True)
    figures = render_figures(run, out)
    body = [
        _intro_html(run),
        _scores_html(run.scores),
        _capital_html(run, capital_figure(run, out)),
        *(_figure_html(f) for f in figures),
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


def _cell(value: Any, key: str, css: str = "num") -> str:
    return f'<td class="{css}" data-key="{html.escape(key)}">{html.escape(format_value(value))}</td>'


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
    own = dict(run.scenario.drivers.parameters)
    text = ("the registry defaults" if not own else
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
    for window, title in WINDOWS:
        entry = scores.get(window) or {}
        heading = (f'<h3>{title} <span class="window" data-key="{window}.window">'
                   f'{html.escape(format_value(entry.get("window")))}</span></h3>')
        tables.append(heading + _score_table(window, entry))
    notes = (
        "<p class=\"note\">Persistence keeps the recorded map of the month before the window "
        "unchanged; diffusion lets provinces fall to neighbouring expanding factions at a rate "
        f"fitted on the calibration window (<span data-key=\"diffusion_rate\">"
        f"{html.escape(format_value(scores.get('diffusion_rate')))}</span> a month). Skill is "
        "(model − baseline) / (perfect − baseline): 1 is perfect, 0 no better than the "
        "baseline, negative worse. — : not defined (no change to time, alliances not "
        "simulated, or a perfect baseline).</p>")
    return _section("Scores", "\n".join(tables) + notes, "scores")


def _score_table(window: str, entry: dict) -> str:
    head = "".join(f"<th>{html.escape(label)}</th>" for _, label in COLUMNS)
    rows = []
    for key, meaning, better in METRICS:
        cells = []
        for column, _ in COLUMNS:
            values = entry.get(column) or {}
            if key not in values:
                cells.append('<td class="num empty"></td>')
                continue
            css = "num"
            if column.startswith("skill") and values[key]:
                css += " better" if values[key] > 0 else " worse"
            cells.append(_cell(values[key], f"{window}.{column}.{key}", css))
        hint = f" ({better} is better)" if better else ""
        rows.append(f"<tr><th scope=\"row\"><code>{key}</code></th>{''.join(cells)}"
                    f"<td class=\"meaning\">{html.escape(meaning + hint)}</td></tr>")
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
        (f"share of replicates in which {who} takes {name}", "capital_fall.fell_share"),
        ("median month over all replicates (— : not in at least half)", "capital_fall.median"),
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
