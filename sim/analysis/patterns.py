"""Patterns of the record that are not cells of the map: the fall of the capital, the totals
the source states without places, and the agreement of endogenous alliances and backers'
proxy choices with the recorded ones.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from sim.analysis.comparison import NEAR
from sim.analysis.record import Record, relation_table
from sim.data import Scenario
from sim.data.dates import format_month, parse_month


def _first_takes(held: np.ndarray) -> np.ndarray:
    """[R] month index of the first take (held, and not the month before); -1 if none."""
    took = np.zeros(held.shape, dtype=bool)
    took[:, 1:] = (held[:, 1:] > 0) & (held[:, :-1] == 0)
    return np.where(took.any(axis=1), took.argmax(axis=1), -1)


def capital_fall(scenario: Scenario, record: Record, held: Callable[[int, int], np.ndarray],
                 replicates: int) -> dict:
    """When the record's last new holder of the capital first takes it in each replicate.

    A replicate in which it never does is *censored* at the run's end: it counts in the share
    that fell (as not fallen) and makes the median "not reached" when fewer than half fall,
    never a number one past the window.
    """
    capital = scenario.capital
    if capital is None or capital not in record.territories:
        return {"recorded": None, "territory": capital}
    t = record.territories.index(capital)
    rows = np.nonzero(record.change[:, t])[0]
    if rows.size == 0:
        return {"recorded": None, "territory": capital}
    row = int(rows[-1])
    code = int(record.holder[row, t])
    firsts = _first_takes(held(t, code))
    fell = firsts[firsts >= 0]
    months = pd.Series([record.months[i] for i in fell], dtype=object).value_counts().sort_index()
    ordered = np.sort(fell)
    median = record.months[int(ordered[(replicates - 1) // 2])] if fell.size * 2 > replicates else None
    names = record.names()
    return {"recorded": record.months[row], "territory": capital, "faction": names[row, t],
            "fell_share": float(fell.size / replicates),
            "near_share": float((np.abs(fell - row) <= NEAR).sum() / replicates),
            "near_months": NEAR,
            "months": {k: int(v) for k, v in months.items()},
            "median": median, "censored": median is None,
            "median_error_months": float(np.median(fell - row)) if fell.size else None}


def bounds_text(low: int | None, high: int | None) -> str:
    """A total's bounds in words: ``exactly 12``, ``11 to 13``, ``at least 18``, ``at most 4``."""
    if low is not None and low == high:
        return f"exactly {low}"
    if low is not None and high is not None:
        return f"{low} to {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def totals(scenario: Scenario, record: Record, codes: np.ndarray,
           origin: int | None = None) -> list[dict]:
    """Each ``totals:`` statement as a pattern: the share of replicates whose province count
    at its month lies within its bounds, their median and 10-90% range, and the count the
    record gives (known cells) beside the number of unknown provinces that month.

    ``codes``: [R, M, T] holder codes. A forecast scores only statements from its origin on.
    """
    out = []
    f_index = {f: i for i, f in enumerate(record.factions)}
    for total in scenario.totals:
        if origin is not None and total.date < origin:
            continue
        row = record.window(total.date, total.date).start
        if row >= codes.shape[1] or (codes[:, row] < 0).all():  # the run stops before it
            continue
        members = [f_index[f] for f in total.factions]
        held = np.isin(codes[:, row, :], members)[:, record.province].sum(axis=1)
        low = -np.inf if total.low is None else total.low
        high = np.inf if total.high is None else total.high
        known = record.known[row] & record.province
        out.append({"date": format_month(total.date), "faction": total.faction,
                    "low": total.low, "high": total.high,
                    "share": float(((held >= low) & (held <= high)).mean()),
                    "median": float(np.median(held)),
                    "p10": round(float(np.percentile(held, 10)), 2),
                    "p90": round(float(np.percentile(held, 90)), 2),
                    "recorded": int((np.isin(record.holder[row], members) & known).sum()),
                    "recorded_unknown": int((~record.known[row] & record.province).sum()),
                    "source": total.source})
    return out


def alliance_agreement(scenario: Scenario, alliances: pd.DataFrame, months: list[str],
                       rows: slice) -> dict:
    """Share of pair-months whose simulated relation is the recorded one (mean over
    replicates)."""
    d = scenario.drivers
    recorded = pd.DataFrame([(format_month(c.date), c.a, c.b, c.relation) for c in d.alliances],
                            columns=["date", "a", "b", "relation"])
    rec = relation_table(recorded, d.faction_ids, months, d.default_relation)
    agree = total = 0
    for _, group in alliances.groupby("replicate"):
        sim = relation_table(group, d.faction_ids, months, "hostile")
        for pair, series in rec.items():
            agree += sum(x == y for x, y in zip(sim[pair][rows], series[rows], strict=True))
            total += rows.stop - rows.start
    return {"model": agree / total if total else None, "pair_months": total}


def recorded_main_proxies(scenario: Scenario, months: list[str]) -> dict[str, list[str | None]]:
    """Per backer with several proxies: the proxy its recorded windows favour each month (the
    open window of greatest weight, among factions in the war), or None."""
    d = scenario.drivers
    out = {}
    for backer in d.backers:
        if len({p.faction for p in backer.proxies}) < 2:
            continue
        series = []
        for month in months:
            m = parse_month(month)
            open_ = [(p.weight, p.faction) for p in backer.proxies
                     if p.start <= m and (p.end is None or m <= p.end)
                     and (d.entry_month(p.faction) or d.start) <= m]
            best = max(open_, default=None)
            ties = [f for w, f in open_ if best and w == best[0]]
            series.append(best[1] if best and len(ties) == 1 else None)
        out[backer.id] = series
    return out


def proxy_agreement(scenario: Scenario, support: pd.DataFrame, months: list[str], rows: slice,
                    replicates: int) -> dict:
    """Share of backer-months (backers with several proxies, months where the record names one
    main proxy) in which the proxy a replicate's backer funds most is the recorded one."""
    recorded = recorded_main_proxies(scenario, months)
    if not recorded:
        return {"model": None, "backer_months": 0}
    window = set(months[rows])
    top = (support[support["date"].isin(window)]
           .sort_values(["replicate", "date", "backer", "support"], kind="stable")
           .groupby(["replicate", "date", "backer"])["faction"].last())
    agree = total = 0
    for backer, series in recorded.items():
        for month, main in zip(months[rows], series[rows], strict=True):
            if main is None:
                continue
            for r in range(replicates):
                total += 1
                agree += top.get((r, month, backer)) == main
    by_backer = {b: sum(s is not None for s in series[rows]) for b, series in recorded.items()}
    return {"model": agree / total if total else None, "backer_months": total // max(replicates, 1),
            "backers": by_backer}
