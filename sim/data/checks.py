"""Checks across files, run once every file has been read.
"""

from __future__ import annotations

from pathlib import Path

from sim.data.dates import format_month
from sim.data.problems import Problems
from sim.data.schema import (
    Event,
    Faction,
    Observation,
)


def check_entries(events: list[Event], factions: list[Faction], control: dict[str, str],
                   control_lines: dict[str, int], present: dict[str, Path],
                   problems: Problems) -> dict[str, int]:
    """Entering factions arrive with forces only: no territory, no starting fighters."""
    entries: dict[str, int] = {}
    events_file = present["events"].name if "events" in present else "events.csv"
    by_id = {fa.id: fa for fa in factions}
    for event in events:
        if event.kind != "faction_enters":
            continue
        if event.actor in entries:
            problems.add(events_file, event.line, f"{event.actor} enters twice")
            continue
        entries[event.actor] = event.date
        faction = by_id.get(event.actor)
        if faction is not None and (faction.fighters > 0 or faction.deployments):
            problems.add("factions.yaml", 0,
                         f"faction {faction.id} enters on {format_month(event.date)} "
                         f"(events.csv:{event.line}) but has fighters or deployments at the start")
    control_file = present["initial_control"].name if "initial_control" in present else ""
    for tid, who in control.items():
        if who in entries:
            problems.add(control_file, control_lines[tid],
                         f"{who} enters later ({events_file}) and may not be handed {tid}: "
                         "entering factions get forces, not provinces")
    return entries


def check_day_order(rows: list, file: str, problems: Problems) -> None:
    """Rows of one month apply in file order, so their days must not go backwards."""
    last: dict[int, tuple[int, int]] = {}
    for row in sorted(rows, key=lambda r: r.line):
        if row.day is None:
            continue
        if row.date in last and row.day < last[row.date][0]:
            problems.add(file, row.line, f"day {row.day} comes after day {last[row.date][0]} "
                                         f"(line {last[row.date][1]}) of the same month: rows of "
                                         "a month apply in file order, so list them by day")
        last[row.date] = (row.day, row.line)


def check_no_observation_drives(events: list[Event], observations: list[Observation],
                                 present: dict[str, Path], problems: Problems) -> None:
    """The honesty rule: a recorded change of control may never reappear as a driver."""
    recorded = {(o.date, o.territory, o.controller): o.line for o in observations}
    events_file = present["events"].name if "events" in present else "events.csv"
    obs_file = present["observations"].name if "observations" in present else "observations.csv"
    for event in events:
        key = (event.date, event.target, event.actor)
        if key in recorded:
            problems.add(events_file, event.line,
                         f"event restates the observation at {obs_file}:{recorded[key]} "
                         f"({event.actor} and {event.target} in {format_month(event.date)}): "
                         "observations never drive the model")


def check_start_month(observations: list[Observation], control: dict[str, str], start: int,
                      present: dict[str, Path], problems: Problems) -> None:
    """The start month is the initial map (the model steps from it), so a row of that month
    that gives another holder is a change no run can make: date it a month later, or start
    the scenario a month earlier."""
    obs_file = present["observations"].name if "observations" in present else "observations.csv"
    for obs in observations:
        if obs.date == start and obs.controller != control.get(obs.territory, obs.controller):
            problems.add(obs_file, obs.line,
                         f"{obs.territory} goes to {obs.controller} in the start month "
                         f"{format_month(start)}, but initial_control.csv has "
                         f"{control[obs.territory]}: the start month is the initial map (start "
                         "the scenario a month earlier, or date the change later)")
