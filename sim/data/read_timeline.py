"""Readers of what happens over time: initial control, events, observations, alliances, totals.
"""

from __future__ import annotations

from pathlib import Path

from sim.data.dates import format_month
from sim.data.fields import Fields, Row, SourceChecker, read_csv
from sim.data.problems import Problems
from sim.data.schema import (
    AllianceChange,
    Event,
    Observation,
    Total,
)
from sim.data.vocabulary import (
    CONFIDENCES,
    CONTESTED,
    EVENT_KINDS,
    MAXIMA,
    RELATIONS,
    UNKNOWN,
)
from sim.data.yamlio import line_of

CONTROL_COLUMNS = ("territory", "controller", "confidence", "source")


EVENT_COLUMNS = (
    "date", "day", "kind", "actor", "target", "fighters", "resources", "months", "note", "source",
)


OBSERVATION_COLUMNS = ("date", "day", "territory", "controller", "confidence", "note", "source")


ALLIANCE_COLUMNS = ("date", "day", "a", "b", "relation", "confidence", "note", "source")


def read_control(path: Path | None, tids: set[str], fids: set[str], sources: SourceChecker,
                  problems: Problems) -> tuple[dict[str, str], dict[str, int], dict[str, str]]:
    """Initial controller of every territory, the line of each row, and its confidence."""
    if path is None:
        return {}, {}, {}
    rows = read_csv(path, CONTROL_COLUMNS, problems)
    if rows is None:
        return {}, {}, {}
    f = Fields(path.name, problems)
    control: dict[str, str] = {}
    first: dict[str, int] = {}
    confidence: dict[str, str] = {}
    for row in rows:
        tid, who = row["territory"], row["controller"]
        if tid not in tids:
            f.error(row.line, f"unknown territory {tid!r}")
            continue
        if who not in fids and who != CONTESTED:
            f.error(row.line, f"unknown controller {who!r}")
        problem = sources.problem(row["source"])
        if problem:
            f.error(row.line, problem)
        if tid in first:
            f.error(row.line, f"{tid} has a second initial controller (first on line {first[tid]})")
            continue
        first[tid] = row.line
        control[tid] = who
        confidence[tid] = f.choice(row.line, row["confidence"], "confidence", CONFIDENCES) or "high"
    for tid in sorted(tids - set(control)):
        f.error(1, f"{tid} has no initial controller")
    return control, first, confidence


def read_events(path: Path | None, tids: set[str], fids: set[str], bids: set[str], start: int,
                 end: int, sources: SourceChecker, problems: Problems) -> list[Event]:
    if path is None:
        return []
    rows = read_csv(path, EVENT_COLUMNS, problems)
    if rows is None:
        return []
    f = Fields(path.name, problems)
    events: list[Event] = []
    seen: dict[tuple, int] = {}
    for row in rows:
        line = row.line
        date = dated(f, row, start, end)
        day = f.day(line, row["day"])
        kind = f.choice(line, row["kind"], "event kind", EVENT_KINDS)
        problem = sources.problem(row["source"])
        if problem:
            f.error(line, problem)
        if not kind:
            continue
        actor_type, target_type, numbers = EVENT_KINDS[kind]
        actor, target = row["actor"], row["target"]
        _check_ref(f, line, actor, actor_type, "actor", tids, fids, bids)
        _check_ref(f, line, target, target_type, "target", tids, fids, bids)
        if actor and actor == target:
            f.error(line, f"{kind}: actor and target are both {actor!r}")
        values = {}
        for column in ("fighters", "resources", "months"):
            required = column in numbers
            value = f.number(line, row[column], f"{kind}: {column}", required=required,
                             high=MAXIMA[column])
            if column == "months" and value is not None and (value != int(value) or value < 1):
                f.error(line, f"{kind}: months must be a whole number of at least 1, got {row[column]!r}")
                value = None
            values[column] = value
        key = (row["date"], row["day"], kind, actor, target)
        if key in seen:
            f.error(line, f"duplicate event (same as line {seen[key]})")
            continue
        seen[key] = line
        if date is None:
            continue
        events.append(Event(
            date=date, day=day, kind=kind, actor=actor, target=target,
            fighters=values["fighters"], resources=values["resources"],
            months=int(values["months"]) if values["months"] is not None else None,
            note=row["note"], source=row["source"], line=line,
        ))
    return events


def _check_ref(f: Fields, line: int, value: str, kind: str, what: str,
               tids: set[str], fids: set[str], bids: set[str]) -> None:
    optional = kind.endswith("?")
    kind = kind.rstrip("?")
    if not value:
        if not optional and kind != "none":
            f.error(line, f"{what} is missing")
        return
    if kind == "none":
        f.error(line, f"{what} must be empty for this kind of event, got {value!r}")
    elif kind == "faction" and value not in fids:
        f.error(line, f"unknown faction {value!r} as {what}")
    elif kind == "backer" and value not in bids:
        f.error(line, f"unknown backer {value!r} as {what}")
    elif kind == "territory" and value not in tids:
        f.error(line, f"unknown territory {value!r} as {what}")
    elif kind == "faction_or_all" and value not in fids and value != "all":
        f.error(line, f"unknown faction {value!r} as {what} (a faction id or 'all')")
    elif kind == "any" and value not in fids | bids | tids | {"all"}:
        f.error(line, f"unknown id {value!r} as {what}")


def dated(f: Fields, row: Row, start: int, end: int) -> int | None:
    date = f.month(row.line, row["date"], "date")
    if date is not None and not start <= date <= end:
        f.error(row.line, f"date {format_month(date)} is outside the scenario window "
                          f"{format_month(start)}..{format_month(end)}")
        return None
    return date


def read_observations(path: Path | None, tids: set[str], fids: set[str], start: int, end: int,
                       entries: dict[str, int], sources: SourceChecker,
                       problems: Problems) -> list[Observation]:
    if path is None:
        return []
    rows = read_csv(path, OBSERVATION_COLUMNS, problems)
    if rows is None:
        return []
    f = Fields(path.name, problems)
    result: list[Observation] = []
    seen: dict[tuple, int] = {}
    for row in rows:
        line = row.line
        date = dated(f, row, start, end)
        day = f.day(line, row["day"])
        tid, who = row["territory"], row["controller"]
        if tid not in tids:
            f.error(line, f"unknown territory {tid!r}")
        if who not in fids and who not in (CONTESTED, UNKNOWN):
            f.error(line, f"unknown controller {who!r}")
        confidence = f.choice(line, row["confidence"], "confidence", CONFIDENCES)
        problem = sources.problem(row["source"])
        if problem:
            f.error(line, problem)
        if date is not None and who in entries and date < entries[who]:
            f.error(line, f"{who} takes {tid} on {format_month(date)}, before it enters "
                          f"({format_month(entries[who])})")
        key = (row["date"], row["day"], tid, who)
        if key in seen:
            f.error(line, f"duplicate observation (same as line {seen[key]})")
            continue
        seen[key] = line
        if date is None or tid not in tids or not confidence:
            continue
        result.append(Observation(date, day, tid, who, confidence, row["note"], row["source"], line))
    return result


def read_alliances(path: Path | None, fids: set[str], start: int, end: int,
                    entries: dict[str, int], sources: SourceChecker,
                    problems: Problems) -> list[AllianceChange]:
    if path is None:
        return []
    rows = read_csv(path, ALLIANCE_COLUMNS, problems)
    if rows is None:
        return []
    f = Fields(path.name, problems)
    result: list[AllianceChange] = []
    seen: dict[tuple, int] = {}
    for row in rows:
        line = row.line
        date = dated(f, row, start, end)
        day = f.day(line, row["day"])
        a, b = row["a"], row["b"]
        for side in (a, b):
            if side not in fids:
                f.error(line, f"unknown faction {side!r}")
        if a == b and a:
            f.error(line, f"a faction cannot ally with itself ({a})")
        relation = f.choice(line, row["relation"], "relation", RELATIONS)
        confidence = f.choice(line, row["confidence"], "confidence", CONFIDENCES)
        problem = sources.problem(row["source"])
        if problem:
            f.error(line, problem)
        for side in (a, b):
            if date is not None and side in entries and date < entries[side]:
                f.error(line, f"{side} has a relation on {format_month(date)}, before it "
                              f"enters ({format_month(entries[side])})")
        key = (row["date"], row["day"], frozenset((a, b)))
        if key in seen:
            f.error(line, f"duplicate alliance row for {a}-{b} on this date (line {seen[key]})")
            continue
        seen[key] = line
        if date is None or a not in fids or b not in fids or a == b or not relation:
            continue
        result.append(AllianceChange(date, day, a, b, relation, confidence or "high",
                                     row["note"], row["source"], line))
    return result


TOTAL_KEYS = ("date", "faction", "provinces", "min", "max", "source", "note")


def read_totals(meta: dict, lines: dict, fids: set[str], start: int, end: int,
                sources: SourceChecker, problems: Problems) -> list[Total]:
    """``totals:`` of scenario.yaml: province counts the source states without places, as an
    exact count (``provinces``) or bounds (``min`` and/or ``max``)."""
    raw = meta.get("totals") or []
    f = Fields("scenario.yaml", problems)
    if not isinstance(raw, list):
        f.error(line_of(lines, ("totals",)), "totals must be a list")
        return []
    result = []
    for i, item in enumerate(raw):
        line = line_of(lines, ("totals", i))
        if not isinstance(item, dict):
            f.error(line, "a total must be a mapping with date, faction, provinces (or min/max), "
                          "source")
            continue
        for key in item:
            if key not in TOTAL_KEYS:
                f.error(line_of(lines, ("totals", i, key)),
                        f"totals: unknown key {key!r}; allowed: {', '.join(TOTAL_KEYS)}")
        date = f.month(line, item.get("date"), "totals: date")
        if date is not None and not start <= date <= end:
            f.error(line, "totals: date outside the scenario window")
        # one faction, or a list: the members of a coalition, counted together
        named = item.get("faction")
        factions = tuple(str(x) for x in (named if isinstance(named, list) else [named or ""]))
        unknown = [x for x in factions if x not in fids]
        if unknown or not factions:
            f.error(line, f"totals: unknown faction {', '.join(map(repr, unknown or ['']))}")
        elif len(set(factions)) < len(factions):
            f.error(line, "totals: a faction is listed twice")
        bounds = {}
        for key in ("provinces", "min", "max"):
            if item.get(key) is not None:
                value = f.number(line_of(lines, ("totals", i, key)), item.get(key), f"totals: {key}",
                                 high=MAXIMA["provinces"])
                if value is not None and value != int(value):
                    f.error(line, f"totals: {key} must be a whole number of provinces")
                bounds[key] = None if value is None else int(value)
        if "provinces" in bounds and ("min" in bounds or "max" in bounds):
            f.error(line, "totals: give either provinces (an exact count) or min/max (bounds)")
        elif not bounds:
            f.error(line, "totals: give provinces (an exact count) or min and/or max (bounds)")
        low = bounds.get("provinces", bounds.get("min"))
        high = bounds.get("provinces", bounds.get("max"))
        if low is not None and high is not None and low > high:
            f.error(line, f"totals: min {low} is above max {high}")
        problem = sources.problem(str(item.get("source") or ""))
        if problem:
            f.error(line, f"totals: {problem}")
        if (date is not None and factions and not unknown and len(set(factions)) == len(factions)
                and (low is not None or high is not None)):
            result.append(Total(date, factions, low, high, str(item.get("source")),
                                str(item.get("note") or ""), line))
    return result
