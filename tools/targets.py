"""Print the figures the issues set as targets, from finished run directories.

Not a test and never read by calibration: the yardsticks quoted in docs/model-log.md and the
closing notes, computed the same way every time. Places and factions are named here, never in
sim/. Usage (after `make demo`, which writes every directory below):

  .venv/bin/python tools/targets.py [--runs runs]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.data.rundir import read_tables


def first_take(control: pd.DataFrame, territory: str, holders: set[str],
               after: str | None = None) -> pd.Series:
    """Per replicate, the first month (after ``after``) ``territory`` is held by one of
    ``holders``; NaN where it never is."""
    c = control[control["territory"] == territory]
    if after is not None:
        c = c[c["date"] > after]
    hit = c[c["controller"].isin(holders)]
    firsts = hit.groupby("replicate")["date"].min()
    return firsts.reindex(sorted(control["replicate"].unique()))


def share_between(firsts: pd.Series, lo: str, hi: str) -> float:
    return float(((firsts >= lo) & (firsts <= hi)).mean())


def provinces_at(control: pd.DataFrame, month: str, holders: set[str],
                 provinces: set[str]) -> pd.Series:
    c = control[(control["date"] == month) & control["territory"].isin(provinces)]
    return c[c["controller"].isin(holders)].groupby("replicate").size().reindex(
        sorted(control["replicate"].unique()), fill_value=0)


def changes_hands_between(control: pd.DataFrame, territory: str, lo: str, hi: str) -> pd.Series:
    """Per replicate: does ``territory``'s holder change in a month of ``lo..hi``?"""
    c = control[control["territory"] == territory].sort_values(["replicate", "date"])
    changed = c["controller"] != c.groupby("replicate")["controller"].shift()
    first = c.groupby("replicate").cumcount() == 0
    inside = (c["date"] >= lo) & (c["date"] <= hi)
    return (changed & ~first & inside).groupby(c["replicate"]).any()


def recorded_count(scenario: Path, month: str, faction: str) -> tuple[int, int]:
    """Provinces the record gives ``faction`` at ``month``, and provinces unknown then."""
    from sim.analysis.record import build_record
    from sim.data import load
    from sim.data.dates import parse_month
    sc = load(scenario)
    record = build_record(sc)
    i = parse_month(month) - sc.drivers.start
    f = record.factions.index(faction)
    province = record.province
    return (int(((record.holder[i] == f) & province).sum()),
            int((~record.known[i] & province).sum()))


def skill(scores: dict, window: str, baseline: str = "persistence") -> str:
    entry = scores["windows"].get(window)
    if entry is None:
        return "—"
    s = entry["all"][f"skill_vs_{baseline}"]["brier"]
    return f"{s['value']:+.3f} [{s['low']:+.2f}, {s['high']:+.2f}]"


def hit_rate(scores: dict, window: str) -> str:
    entry = scores["windows"].get(window)
    return "—" if entry is None else f"{entry['changes']['hit_rate']:.2f}"


def provinces_of(run: Path) -> set[str]:
    return {t for t in read_tables(run)["control"]["territory"].unique() if "." not in t}


def war_1992_96(runs: Path) -> None:
    demo, forecast = runs / "demo", runs / "forecast"
    if not (demo / "scores.json").is_file():
        print(f"1992-96: {demo} not scored; run make demo")
        return
    c = read_tables(demo)["control"]
    free = json.loads((demo / "scores.json").read_text())
    print(f"1992-96 free run ({demo}, {c['replicate'].nunique()} replicates)")
    print(f"  hold-out Brier skill vs persistence {skill(free, 'holdout')} (target >= 0.3); "
          f"vs diffusion {skill(free, 'holdout', 'diffusion')}; changes hit {hit_rate(free, 'holdout')}")
    kabul = first_take(c, "AF-KAB", {"taliban"})
    herat = first_take(c, "AF-HER", {"taliban"})
    print(f"  Kabul first taken by the Taliban in 1996-07..1996-11: {share_between(kabul, '1996-07', '1996-11'):.0%} "
          f"(target >= 40%); ever by 1996-09: {float(kabul.notna().mean()):.0%}")
    print(f"  Herat first taken by the Taliban in 1995-07..1995-11: {share_between(herat, '1995-07', '1995-11'):.0%} "
          f"(target >= 40%)")
    n = provinces_at(c, "1995-01", {"taliban"}, provinces_of(demo))
    known, unknown = recorded_count(Path(json.loads((demo / "manifest.json").read_text())
                                         ["scenario"]["path"]), "1995-01", "taliban")
    print(f"  Taliban provinces at 1995-01 in 9..15: {float(((n >= 9) & (n <= 15)).mean()):.0%} "
          f"(target >= 50%; median {n.median():g}; the record has {known} then, and "
          f"{unknown} provinces of unplaced holder)")
    n2 = provinces_at(c, "1995-02", {"taliban"}, provinces_of(demo))
    print(f"  Taliban provinces at 1995-02 in 11..13 (the scenario's reading of '12 by January "
          f"1995', once Wardak and Charasiab fall in February): "
          f"{float(((n2 >= 11) & (n2 <= 13)).mean()):.0%} (median {n2.median():g})")
    if (forecast / "scores.json").is_file():
        fs = json.loads((forecast / "scores.json").read_text())
        print(f"1992-96 forecast from {fs['origin']}: Brier skill vs persistence "
              f"{skill(fs, 'forecast')} (target >= 0.2, interval above 0); changes hit "
              f"{hit_rate(fs, 'forecast')} (target >= 0.5)")


def scored(run: Path, what: str) -> tuple[pd.DataFrame, dict] | None:
    """The control table and scores of a scored run directory, or None (and a line saying so)."""
    if not (run / "scores.json").is_file():
        print(f"{what}: {run} not scored; run make demo")
        return None
    return read_tables(run)["control"], json.loads((run / "scores.json").read_text())


def war_1996_2001(runs: Path) -> None:
    run = runs / "united_front"
    found = scored(run, "1996-2001")
    if found is None:
        return
    c, s = found
    front = {"jamiat", "junbish", "wahdat", "ismaili"}
    n = provinces_at(c, "2001-08", front, provinces_of(run))
    print(f"1996-2001 free run ({run}, {c['replicate'].nunique()} replicates, 1992-96 posterior)")
    print(f"  hold-out Brier skill vs persistence {skill(s, 'holdout')}, vs diffusion "
          f"{skill(s, 'holdout', 'diffusion')}; changes hit {hit_rate(s, 'holdout')}")
    print(f"  United Front under 10% of the 34 provinces (<= 3) at 2001-08: {float((n <= 3).mean()):.0%} "
          f"(target >= 50%); <= 4 (the record's 4 capitals): {float((n <= 4).mean()):.0%}; "
          f"median {n.median():g}")
    longer = runs / "demo-to-2001" / "scores-united_front_1996_2001.json"
    if longer.is_file():
        ls = json.loads(longer.read_text())
        print(f"  1992-96 run on to 2001-08, against this record: hold-out Brier skill vs "
              f"persistence {skill(ls, 'holdout')}, vs diffusion {skill(ls, 'holdout', 'diffusion')}; "
              f"whole {skill(ls, 'whole')}")


def war_2021_22(runs: Path) -> None:
    run = runs / "resistance"
    found = scored(run, "2021-22")
    if found is None:
        return
    c, s = found
    print(f"2021-22 free run ({run}, {c['replicate'].nunique()} replicates, 1992-96 posterior)")
    print(f"  calibration-window Brier skill vs persistence {skill(s, 'calibration')}; hold-out "
          f"{skill(s, 'holdout')}; changes hit {hit_rate(s, 'calibration')} / {hit_rate(s, 'holdout')}")
    panjshir = first_take(c, "AF-PAN", {"taliban"})
    print(f"  Panjshir not taken by the Taliban before 2021-09: {float((panjshir.isna() | (panjshir >= '2021-09')).mean()):.0%} "
          f"(target >= 50%); taken in 2021-09: {share_between(panjshir, '2021-09', '2021-09'):.0%}")
    districts = ["AF-BGL.andarab", "AF-BGL.pol_e_hesar", "AF-BGL.deh_salah"]
    each = pd.concat([changes_hands_between(c, t, "2021-08", "2021-09") for t in districts], axis=1)
    print("  Baghlan districts change hands in 2021-08..2021-09: "
          + ", ".join(f"{t.split('.')[1]} {float(each[i].mean()):.0%}" for i, t in enumerate(districts))
          + f"; all three {float(each.all(axis=1).mean()):.0%} (target >= 50%)")
    kabul = first_take(c, "AF-KAB", {"taliban"})
    n = provinces_at(c, "2021-08", {"taliban"}, provinces_of(run))
    print(f"  Kabul taken by 2021-08: {float((kabul <= '2021-08').mean()):.0%}; Taliban provinces at "
          f"2021-08 median {n.median():g} (record 33)")
    forecast = runs / "resistance-forecast" / "scores.json"
    if forecast.is_file():
        fs = json.loads(forecast.read_text())
        print(f"  forecast from {fs['origin']}: Brier skill vs persistence {skill(fs, 'forecast')}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=Path, default=Path("runs"))
    args = ap.parse_args()
    np.seterr(all="ignore")
    war_1992_96(args.runs)
    war_1996_2001(args.runs)
    war_2021_22(args.runs)


if __name__ == "__main__":
    main()
