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
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.record import record_table, recorded_changes, relation_table, shares
from sim.analysis.scores import WINDOW_SLACK, alliance_mode, load_run_scenario
from sim.data import Scenario
from sim.data.dates import format_month, parse_month
from sim.data.params import Params
from sim.data.rundir import read_tables
from sim.data.vocabulary import RELATION_NAMES
from sim.report import figures as plots
from sim.report import style
from sim.report.style import CONTESTED, faction_name

REPORT_DIR = "report"
MAP_COUNT = 7  # maps drawn when the scenario names no map_months
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


class ScoresMissing(FileNotFoundError):
    """The run directory has not been scored yet."""


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


# --------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class RunData:
    """A scored run directory, the scenario it came from, and what the figures share."""

    path: Path
    manifest: dict
    scores: dict
    scenario: Scenario
    tables: dict[str, pd.DataFrame]
    months: list[str]           # run months inside the scenario's window (the record's)
    record: pd.DataFrame        # months × territories: recorded holder
    shares: np.ndarray          # [M, T, F]: share of replicates in which f holds t

    @property
    def replicates(self) -> int:
        return int(self.manifest["replicates"])

    @property
    def factions(self) -> tuple[str, ...]:
        return self.scenario.drivers.faction_ids

    @property
    def territories(self) -> tuple[str, ...]:
        return self.scenario.drivers.territory_ids

    @property
    def windows(self) -> plots.Windows:
        return plots.Windows(self.months, format_month(self.scenario.holdout.start))

    @property
    def alliance_mode(self) -> str:
        return alliance_mode(self.scenario, self.manifest["parameters"])


def load_run(run_dir: str | Path) -> RunData:
    """Everything the report needs from ``run_dir``; refuses one without ``scores.json``."""
    path = Path(run_dir)
    tables = read_tables(path)
    scores_file = path / "scores.json"
    if not scores_file.is_file():
        raise ScoresMissing(f"{path}: no scores.json; run `afsim score {path}` first")
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    scores = json.loads(scores_file.read_text(encoding="utf-8"))
    scenario = load_run_scenario(path, manifest)
    style.register(scenario.drivers.factions)
    d = scenario.drivers
    # Beyond the scenario's end there is no record to compare with.
    months = sorted(m for m in tables["control"]["date"].unique()
                    if d.start <= parse_month(m) <= d.end)
    record = record_table(scenario).loc[months]
    return RunData(path, manifest, scores, scenario, tables, months, record,
                   shares(tables["control"], d.faction_ids, d.territory_ids, months))


# --------------------------------------------------------------------------- derived data


def modal_control(run: RunData, month: str) -> tuple[dict[str, str], dict[str, float]]:
    """Per territory: the holder in most replicates at ``month``, and its share."""
    s = run.shares[run.months.index(month)]                         # [T, F]
    best = s.argmax(axis=1)
    return ({t: run.factions[best[i]] for i, t in enumerate(run.territories)},
            {t: float(s[i, best[i]]) for i, t in enumerate(run.territories)})


def map_dates(months: Sequence[str], chosen: Sequence[str] = (),
              count: int = MAP_COUNT) -> list[str]:
    """The scenario's map months that the run covers, else ``count`` evenly spaced ones."""
    fixed = [m for m in chosen if m in months]
    if len(fixed) >= 2:
        return fixed
    picks = np.unique(np.linspace(0, len(months) - 1, count).round().astype(int))
    return [months[i] for i in picks]


def simulated_provinces(run: RunData) -> dict[str, np.ndarray]:
    """Per faction: [replicates, months] of provinces held."""
    table = run.tables["factions"]
    table = table[table["date"].isin(run.months)]
    return {f: table[table["faction"] == f].pivot(index="replicate", columns="date",
                                                  values="provinces")[run.months].to_numpy()
            for f in run.factions}


def recorded_provinces(run: RunData) -> dict[str, np.ndarray]:
    """Per faction: [months] of provinces held in the record."""
    provinces = [t.id for t in run.scenario.provinces]
    held = run.record[provinces]
    return {f: (held == f).sum(axis=1).to_numpy() for f in run.factions}


def agreement_table(run: RunData) -> pd.DataFrame:
    """Provinces (by name, sorted) × months: share of replicates holding as recorded."""
    f_index = {f: i for i, f in enumerate(run.factions)}
    rows = {}
    for t in sorted(run.scenario.provinces, key=lambda p: p.name):
        ti = run.territories.index(t.id)
        recorded = run.record[t.id].to_numpy()
        rows[t.name] = [run.shares[m, ti, f_index[r]] if r in f_index else np.nan
                        for m, r in enumerate(recorded)]
    return pd.DataFrame.from_dict(rows, orient="index", columns=run.months)


def province_change_cells(run: RunData) -> list[tuple[str, str]]:
    """(month, province name) of every recorded change of holder of a province."""
    names = {t.id: t.name for t in run.scenario.provinces}
    changes = recorded_changes(run.scenario)
    return [(c.date, names[c.territory]) for c in changes.itertuples() if c.territory in names]


def nearest_takes(held: np.ndarray, rec_index: int) -> np.ndarray:
    """Per replicate, the month (position) of the take nearest ``rec_index``; NaN if none.

    ``held`` is [R, M] 0/1. A take is a month the holder holds it and did not the month
    before, as in :func:`sim.analysis.scores.timing_error`, whose median this reproduces.
    """
    took = np.diff(held.astype(int), axis=1, prepend=held[:, :1].astype(int)) > 0
    out = np.full(held.shape[0], np.nan)
    for r, row in enumerate(took):
        months = np.nonzero(row)[0]
        if months.size:
            out[r] = months[np.argmin(np.abs(months - rec_index))]
    return out


def change_timings(run: RunData) -> list[plots.ChangeTiming]:
    """One row per scored recorded change (from ``scores.json``), in date order."""
    changes = run.scores.get("changes") or []
    if not changes:  # an older or partial scores.json: recompute the list, unscored
        changes = [dict(c._asdict(), hit=None, share=None)
                   for c in recorded_changes(run.scenario).itertuples(index=False)]
    control = run.tables["control"]
    control = control[control["date"].isin(run.months)]
    names = {t.id: t.name for t in run.scenario.drivers.territories}
    rows = []
    for c in changes:
        if c["date"] not in run.months:
            continue
        table = control[control["territory"] == c["territory"]].pivot(
            index="replicate", columns="date", values="controller")[run.months]
        held = (table.to_numpy() == c["new"]).astype(int)
        label = (f"{c['date']}  {names.get(c['territory'], c['territory'])}: "
                 f"{faction_name(c['old'])} → {faction_name(c['new'])}")
        takes = nearest_takes(held, run.months.index(c["date"]))
        # Without a take, a replicate either never gives it to `new` or gave it from the start.
        never = float((held.max(axis=1) == 0).mean())
        rows.append(plots.ChangeTiming(
            label, run.months.index(c["date"]), takes, never,
            float(np.isnan(takes).mean()) - never, c["new"], c.get("hit"), c.get("share")))
    return rows


def recorded_relations(run: RunData) -> dict[tuple[str, str], list[str]]:
    d = run.scenario.drivers
    changes = pd.DataFrame([(format_month(a.date), a.a, a.b, a.relation) for a in d.alliances],
                           columns=["date", "a", "b", "relation"])
    return relation_table(changes, d.faction_ids, run.months, d.default_relation)


def simulated_relations(run: RunData) -> dict[tuple[str, str], list[str]]:
    """Per pair and month, the relation in most replicates (ties: the more hostile)."""
    counts: dict[tuple[str, str], np.ndarray] = {}
    code = {r: i for i, r in enumerate(RELATION_NAMES)}
    for _, group in run.tables["alliances"].groupby("replicate"):
        table = relation_table(group, run.factions, run.months,
                               run.scenario.drivers.default_relation)
        for pair, series in table.items():
            tally = counts.setdefault(pair, np.zeros((len(run.months), len(RELATION_NAMES))))
            tally[np.arange(len(series)), [code[r] for r in series]] += 1
    return {pair: [RELATION_NAMES[i] for i in tally.argmax(axis=1)]
            for pair, tally in counts.items()}


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class FigureEntry:
    """A section of the page: a heading, how to read its figures, and the figures."""

    heading: str
    caption: str                          # HTML
    files: tuple[tuple[str, str], ...]    # (PNG file name, short label or "")


def render_figures(run: RunData, out: Path) -> list[FigureEntry]:
    """Draw every figure into ``out``; return the sections in page order."""
    maps = [_map_figures(run, out)] if run.scenario.map_file else []
    return [*maps, _provinces_figure(run, out), _agreement_figure(run, out),
            _changes_figure(run, out), _alliances_figure(run, out)]


MAP_CAPTION = (
    "Left of each pair: each territory in the colour of the faction holding it in the most "
    "replicates at the end of the month; the paler the colour, the fewer replicates agree on "
    "that holder (full colour: all of them). Right: the holder in the record. Provinces are "
    "filled; circles are sub-nodes, parts of a province that change hands on their own "
    "({subnodes}). The box around the province with most sub-nodes is enlarged at the lower "
    "right, where its neighbours are named."
)


def _map_figures(run: RunData, out: Path) -> FigureEntry:
    dates = map_dates(run.months, [format_month(m) for m in run.scenario.map_months])
    modal = {date: modal_control(run, date) for date in dates}
    shown = {f for date in dates for f in modal[date][0].values()}
    shown |= {run.record.at[date, t] for date in dates for t in run.territories}
    legend = [f for f in (*run.factions, CONTESTED) if f in shown]
    files = []
    for date in dates:
        file = f"map_{date}.png"
        controllers, share = modal[date]
        plots.control_map_pair(out / file, date, controllers, share,
                               run.record.loc[date].to_dict(), run.scenario.drivers.territories,
                               legend, run.replicates, run.scenario.map_file)
        files.append((file, f"End of {date}"))
    subnodes = ", ".join(tr.name for tr in run.scenario.drivers.territories if not tr.is_province)
    return FigureEntry("Who holds what: maps", MAP_CAPTION.format(subnodes=subnodes or "none"),
                       tuple(files))


def _single(file: str, heading: str, caption: str) -> FigureEntry:
    return FigureEntry(heading, caption, ((file, ""),))


def _provinces_figure(run: RunData, out: Path) -> FigureEntry:
    simulated, recorded = simulated_provinces(run), recorded_provinces(run)
    held = [f for f in run.factions if simulated[f].max() > 0 or recorded[f].max() > 0]
    file = "provinces.png"
    plots.provinces_over_time(out / file, run.windows, {f: simulated[f] for f in held},
                              {f: recorded[f] for f in held})
    return _single(file, "Provinces held per faction", (
        "For each faction that holds a province at some point, the number of the 34 provinces "
        "it holds each month: solid line, the median over replicates; band, 10–90% of "
        "replicates; dashed line, the record. Scales differ between panels. The dotted line "
        "separates the calibration window (left) from the hold-out window (right)."))


def _agreement_figure(run: RunData, out: Path) -> FigureEntry:
    file = "agreement.png"
    plots.agreement_heatmap(out / file, run.windows, agreement_table(run),
                            province_change_cells(run))
    return _single(file, "Agreement with the record, province by month", (
        "Each cell is the share of replicates in which the province's holder that month is the "
        "recorded one: bright yellow, all replicates agree with the record; dark blue, none "
        "does. Circles mark the months in which the record changes a province's holder; a "
        "dark stretch after a circle is a change the simulation misses or makes late, a dark "
        "stretch with no circle a change the simulation makes and the record does not."))


def _changes_figure(run: RunData, out: Path) -> FigureEntry:
    file = "changes.png"
    plots.change_timing(out / file, run.windows, change_timings(run), WINDOW_SLACK)
    return _single(file, "Recorded changes and their simulated timing", (
        "One row per recorded change of holder (provinces and sub-nodes), as scored in "
        "scores.json. Diamond: the recorded month, filled black for a hit (the new holder "
        f"holds the territory within ±{WINDOW_SLACK} months, the outlined box, in at least half the "
        "replicates), hollow orange for a miss. Bar: for the replicates in which the new holder "
        "takes the territory at all, the 10–90% range of the simulated take nearest the recorded "
        "month, in the new holder's colour; tick: its median. Right: the share of replicates "
        "in which the new holder holds it within the box (the hit share of scores.json), then "
        "the replicates in which the new holder never holds it and those in which it holds it "
        "from the first month (so there is no take to time)."))


def _alliances_figure(run: RunData, out: Path) -> FigureEntry:
    recorded, simulated = recorded_relations(run), simulated_relations(run)
    pairs = [p for p in recorded
             if any(r != "hostile" for r in (*recorded[p], *simulated.get(p, ())))]
    agree = np.mean([a == b for p in recorded for a, b in
                     zip(recorded[p], simulated.get(p, recorded[p]), strict=True)])
    if run.alliance_mode == "recorded":
        note = (f"alliances replayed from the record (mode: recorded), so simulated equals "
                f"recorded: {agree:.0%} of pair-months agree")
    else:
        note = (f"alliances decided by the model (mode: {run.alliance_mode}); the modal "
                f"relation over {run.replicates} replicates is the recorded one in {agree:.0%} "
                "of pair-months")
    file = "alliances.png"
    plots.alliance_timeline(out / file, run.windows, {p: recorded[p] for p in pairs},
                            {p: simulated.get(p, recorded[p]) for p in pairs}, note)
    return _single(file, "Alliances", (
        "For every pair of factions that is allied or neutral at some point, in the record or "
        "in the simulation, the relation month by month: upper bar (rec) the record, lower bar "
        "(sim) the relation in most replicates. Pairs hostile throughout are left out. "
        + html.escape(note[0].upper() + note[1:]) + "."))


def _capital_name(run: RunData) -> str:
    capital = run.scenario.capital
    names = {tr.id: tr.name for tr in run.scenario.drivers.territories}
    return names.get(capital, capital or "the capital")


def _capital_figure(run: RunData, out: Path) -> FigureEntry | None:
    fall = run.scores.get("capital_fall") or {}
    if not fall.get("recorded"):
        return None
    file = "capital.png"
    who = fall.get("faction", "")
    name = _capital_name(run)
    plots.capital_fall(out / file, run.windows, fall.get("months") or {}, run.replicates,
                       fall["recorded"], who, name)
    return _single(file, f"When {name} falls", (
        f"For each month, the share of replicates in which {html.escape(faction_name(who))} "
        f"first holds {html.escape(name)} that month; the vertical line is the recorded month. "
        f"Replicates in which it never takes {html.escape(name)} are not drawn."))


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
        _capital_html(run, _capital_figure(run, out)),
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
    name = html.escape(_capital_name(run))
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
