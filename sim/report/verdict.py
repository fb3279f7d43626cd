"""The report's first screen: how the simulated war compares with the recorded one, in plain
words, from ``scores.json`` alone (every figure here is also in the tables below it)."""

from __future__ import annotations

import html

from sim.analysis.metrics import WINDOW_SLACK
from sim.analysis.patterns import bounds_text
from sim.report.style import faction_name


def _interval(skill: dict | None) -> str:
    if not skill or skill.get("value") is None:
        return "not defined"
    text = f"{skill['value']:+.2f}"
    if skill.get("low") is not None:
        text += f" [{skill['low']:+.2f}, {skill['high']:+.2f}]"
    return text


def _judgement(skill: dict | None, baseline: str) -> str:
    """Better or worse only when the whole interval says so."""
    if not skill or skill.get("low") is None:
        return f"cannot be told apart from {baseline}"
    if skill["low"] > 0:
        return f"better than {baseline}"
    if skill["high"] < 0:
        return f"worse than {baseline}"
    return f"not distinguishable from {baseline}"


def _window_sentence(name: str, entry: dict, kind: str, start: str, origin: str | None) -> str:
    every = entry.get("all") or {}
    model, persistence = every.get("model") or {}, every.get("persistence") or {}
    if model.get("mean_prob") is None:
        return ""
    skill = (every.get("skill_vs_persistence") or {}).get("brier")
    dskill = (every.get("skill_vs_diffusion") or {}).get("brier")
    what = ("the recorded map of the month before the origin" if kind == "forecast"
            else f"the recorded map of {start}")
    ch = entry.get("changes") or {}
    hits = ""
    if ch.get("changes"):
        hits = (f" Of its {ch['changes']} recorded changes of holder, the model reproduces "
                f"{round(ch['hit_rate'] * ch['changes'])} within ±{WINDOW_SLACK} months "
                f"(persistence {round(ch['persistence_hit_rate'] * ch['changes'])}).")
    return (
        f"<p><strong>{html.escape(name)} {html.escape(str(entry.get('window')))}</strong>"
        f"{' (never seen by calibration)' if name == 'Hold-out' else ''}: the model gives the "
        f"recorded holder of a territory a mean probability of <b>{model['mean_prob']:.2f}</b>, "
        f"against {persistence.get('mean_prob', float('nan')):.2f} for “nothing changes” "
        f"({html.escape(what)} kept). Brier skill {_interval(skill)} against it and "
        f"{_interval(dskill)} against diffusion: by the Brier score "
        f"{_judgement(skill, 'nothing changes')}, "
        f"{_judgement(dskill, 'diffusion')} (interval: paired bootstrap over provinces).{hits}</p>")


def _capital_sentence(scores: dict, capital: str) -> str:
    k = scores.get("capital_fall") or {}
    if not k.get("recorded"):
        return ""
    who = html.escape(faction_name(k.get("faction", "")))
    share = k.get("fell_share") or 0.0
    if share == 0:
        when = f"in none of the {scores.get('replicates')} replicates"
    else:
        median = k.get("median") or "censored: fewer than half do"
        when = (f"in {share:.0%} of replicates (median month {html.escape(str(median))}; within "
                f"±{k.get('near_months')} months of the record in {k.get('near_share', 0):.0%})")
    return (f"<p><strong>{html.escape(capital)}</strong>: {who} take it {when}; recorded "
            f"{html.escape(str(k['recorded']))}.</p>")


def _totals_sentence(scores: dict) -> str:
    items = []
    for t in scores.get("totals") or []:
        if t.get("median") is None:
            continue
        who = " + ".join(faction_name(f) for f in str(t["faction"]).split("+"))
        items.append(
            f"<li>{html.escape(who)}, {html.escape(str(t['date']))}: median "
            f"{t['median']:.0f} provinces (10–90% {t['p10']:.0f}–{t['p90']:.0f}) against the "
            f"source's {html.escape(bounds_text(t.get('low'), t.get('high')))}; within it in "
            f"{t['share']:.0%} of replicates</li>")
    if not items:
        return ""
    return ("<p>What the sources state in aggregate:</p>\n<ul>" + "".join(items) + "</ul>")


def verdict_html(scores: dict, capital: str) -> str:
    """The verdict section: one sentence per window (hold-out first), the capital, the totals."""
    kind = scores.get("kind", "free_run")
    windows = scores.get("windows") or {}
    sentences = [_window_sentence(label, windows[key], kind, str(scores.get("baseline_start")),
                                  scores.get("origin"))
                 for key, label in (("holdout", "Hold-out"), ("calibration", "Calibration window"))
                 if key in windows]
    missing = [label for key, label in (("holdout", "hold-out"),
                                        ("calibration", "calibration window"))
               if key not in windows]
    if missing:
        sentences.append(f"<p>This run does not reach the {' or the '.join(missing)}: "
                         "not scored there.</p>")
    run_kind = ("A forecast conditioned on the record before "
                f"{html.escape(str(scores.get('origin')))}, then free"
                if kind == "forecast" else "A free run from the start map and the drivers alone")
    body = (f"<p class=\"note\">{run_kind}, {scores.get('replicates')} replicates.</p>\n"
            + "\n".join(s for s in sentences if s) + _capital_sentence(scores, capital)
            + _totals_sentence(scores))
    return f"<section id=\"verdict\">\n<h2>Verdict</h2>\n{body}\n</section>"
