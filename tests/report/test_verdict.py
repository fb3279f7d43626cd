"""The report's first screen states the verdict from scores.json: the figures it quotes are the
scores', and "better" or "worse" is said only when the whole interval says so."""

import re

from sim.report.verdict import verdict_html


def scores(low: float, high: float, windows=("calibration", "holdout"), fell=0.3) -> dict:
    skill = {"value": (low + high) / 2, "low": low, "high": high}
    entry = {"window": "1995-07..1996-09",
             "all": {"model": {"mean_prob": 0.734}, "persistence": {"mean_prob": 0.612},
                     "skill_vs_persistence": {"brier": skill},
                     "skill_vs_diffusion": {"brier": {"value": -0.5, "low": -0.9, "high": -0.1}}},
             "changes": {"changes": 18, "hit_rate": 0.5, "persistence_hit_rate": 0.0}}
    return {"kind": "free_run", "replicates": 40, "baseline_start": "1992-04",
            "windows": {w: entry for w in windows},
            "capital_fall": {"recorded": "1996-09", "faction": "taliban", "fell_share": fell,
                             "median": None, "near_months": 2, "near_share": 0.1},
            "totals": [{"faction": "a+b", "date": "2001-08", "low": None, "high": 4,
                        "median": 6.0, "p10": 3.0, "p90": 9.0, "share": 0.25}]}


def hold_out_paragraph(text: str) -> str:
    return re.search(r"<p><strong>Hold-out.*?</p>", text, re.S).group(0)


def test_figures_are_the_scores_and_the_judgement_follows_the_interval():
    text = verdict_html(scores(0.05, 0.4), "Kabul")
    para = hold_out_paragraph(text)
    assert "0.73" in para and "0.61" in para and "+0.23 [+0.05, +0.40]" in para
    assert "better than nothing changes" in para and "worse than diffusion" in para
    assert "reproduces 9 within ±" in para
    assert "in 30% of replicates" in text and "recorded 1996-09" in text
    assert "at most 4" in text and "in 25% of replicates" in text
    assert text.index("Hold-out") < text.index("Calibration window")


def test_an_interval_across_zero_is_not_called_better():
    para = hold_out_paragraph(verdict_html(scores(-0.1, 0.4), "Kabul"))
    assert "not distinguishable from nothing changes" in para
    assert "better than nothing changes" not in para


def test_a_capital_never_taken_and_a_run_short_of_the_hold_out_are_said_so():
    text = verdict_html(scores(0.1, 0.2, windows=("calibration",), fell=0.0), "Kabul")
    assert "in none of the 40 replicates" in text
    assert "does not reach the hold-out" in text
