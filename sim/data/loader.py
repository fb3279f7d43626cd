"""Scenario loading: every file read and validated before anything runs.

``load(folder)`` returns an immutable :class:`~sim.data.schema.Scenario` or raises
:class:`~sim.data.problems.ValidationError` listing every problem as ``file:line: message``;
nothing is half-loaded. The format is documented in ``docs/scenario-format.md``.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import Any

from sim.data import params as params_registry
from sim.data.checks import (
    check_day_order,
    check_entries,
    check_no_observation_drives,
    check_start_month,
)
from sim.data.fields import Fields, SourceChecker, read_text
from sim.data.problems import Problems
from sim.data.read_actors import read_backers, read_factions
from sim.data.read_geography import read_adjacency, read_territories
from sim.data.read_record_extras import read_patterns, read_posterior
from sim.data.read_timeline import (
    read_alliances,
    read_control,
    read_events,
    read_observations,
    read_totals,
)
from sim.data.schema import (
    Drivers,
    Scenario,
    Window,
)
from sim.data.vocabulary import ALLIANCE_MODES, BACKER_MODES, ID, RELATIONS
from sim.data.yamlio import line_of, load_yaml

PACKAGED_MAPS = Path(__file__).resolve().parent / "maps"  # maps shipped with afsim

FILE_KEYS = (
    "territories", "adjacency", "factions", "backers", "initial_control",
    "events", "observations", "alliances",
)


NO_FILE = "none"  # `observations: none`: a scenario without a record runs, cannot be scored


def load(path: str | Path) -> Scenario:
    """Read and validate the scenario folder ``path`` (or an overlay file: a base scenario
    and its changes, :mod:`sim.data.overlay`).

    Raises:
        ValidationError: every problem found, as ``file:line: message``.
    """
    folder = Path(path)
    if folder.is_file() and folder.suffix in (".yaml", ".yml"):
        from sim.data.overlay import load_overlay
        return load_overlay(folder)
    problems = Problems()
    if not folder.is_dir():
        problems.add(str(folder), 0, "scenario folder not found")
        problems.raise_if_any()
    yaml_path = folder / "scenario.yaml"
    if not yaml_path.is_file():
        problems.add("scenario.yaml", 0, "file is missing")
        problems.raise_if_any()
    sources = SourceChecker(folder / "sources")
    meta, meta_lines = load_yaml(read_text(yaml_path, problems), "scenario.yaml", problems)
    if not isinstance(meta, dict):
        if not problems:
            problems.add("scenario.yaml", 1, "expected a mapping of keys")
        problems.raise_if_any()
    head = _read_meta(meta, meta_lines, folder, problems)
    files = head["files"]
    present = {}
    for key in FILE_KEYS:
        if files.get(key) == NO_FILE:
            continue
        if key in files and (folder / files[key]).is_file():
            present[key] = folder / files[key]
        elif key in files:
            problems.add("scenario.yaml", line_of(meta_lines, ("files", key)),
                         f"{key} file {files[key]!r} is missing"
                         + (" (write `observations: none` for a scenario without a record)"
                            if key == "observations" else ""))
    start, end = head["start"], head["end"]

    groups = head["ethnic_groups"]
    territories, territory_lines = read_territories(present.get("territories"), groups, sources,
                                                    problems)
    tids = {t.id for t in territories}
    links = read_adjacency(present.get("adjacency"), tids, territories, territory_lines,
                            files.get("territories", "territories.csv"), sources, problems)
    factions = read_factions(present.get("factions"), tids, groups, sources, problems)
    fids = {f.id for f in factions}
    backers = read_backers(present.get("backers"), fids, start, end, sources, problems)
    bids = {b.id for b in backers}
    if fids & bids:
        problems.add(files.get("backers", "backers.yaml"), 1,
                     f"ids used for both a faction and a backer: {', '.join(sorted(fids & bids))}")
    control, control_lines, control_confidence = read_control(
        present.get("initial_control"), tids, fids, sources, problems)
    events = read_events(present.get("events"), tids, fids, bids, start, end, sources, problems)
    entries = check_entries(events, factions, control, control_lines, present, problems)
    observations = read_observations(
        present.get("observations"), tids, fids, start, end, entries, sources, problems)
    alliances = read_alliances(
        present.get("alliances"), fids, start, end, entries, sources, problems)
    for key, rows in (("events", events), ("observations", observations), ("alliances", alliances)):
        if key in present:
            check_day_order(rows, present[key].name, problems)
    check_no_observation_drives(events, observations, present, problems)
    check_start_month(observations, control, start, present, problems)
    totals = read_totals(meta, meta_lines, fids, start, end, sources, problems)
    patterns = read_patterns(meta, meta_lines, tids, start, end, sources, problems)
    _check_focus(head, meta_lines, tids, fids, problems)
    problems.raise_if_any()

    drivers = Drivers(
        start=start, end=end, ethnic_groups=groups,
        alliance_mode=head["alliances"], backer_mode=head["backers"], default_relation=head["default_relation"],
        territories=tuple(territories), links=tuple(links), factions=tuple(factions),
        backers=tuple(backers), initial_control=MappingProxyType(control),
        events=tuple(sorted(events, key=lambda e: (e.date, e.line))),
        alliances=tuple(sorted(alliances, key=lambda a: (a.date, a.line))),
        parameters=MappingProxyType(dict(head["parameters"])),
    )
    return Scenario(
        path=folder, name=head["name"], title=head["title"], description=head["description"],
        calibration=head["calibration"], holdout=head["holdout"], drivers=drivers,
        observations=tuple(sorted(observations, key=lambda o: (o.date, o.line))),
        totals=tuple(totals), map_file=head["map"], patterns=tuple(patterns),
        posterior=head["posterior"],
        parameter_set=head["parameter_set"],
        files=MappingProxyType(dict(files)),
        initial_confidence=MappingProxyType(control_confidence),
        capital=head["capital"], focus_faction=head["focus_faction"],
        map_months=head["map_months"],
    )


def _read_meta(meta: dict, lines: dict, folder: Path, problems: Problems) -> dict:
    f = Fields("scenario.yaml", problems)
    allowed = {"name", "title", "description", "start", "end", "calibration", "holdout",
               "alliances", "default_relation", "files", "parameters", "totals", "map",
               "parameter_set", "ethnic_groups", "capital", "focus_faction", "map_months",
               "backers", "patterns", "posterior"}
    for key in meta:
        if key not in allowed:
            f.error(line_of(lines, (key,)), f"unknown key {key!r}; allowed: {', '.join(sorted(allowed))}")
    out: dict[str, Any] = {}
    out["name"] = f.text(line_of(lines, ("name",)), meta.get("name"), "name")
    out["title"] = f.text(line_of(lines, ("title",)), meta.get("title"), "title", required=False) or out["name"]
    out["description"] = f.text(line_of(lines, ("description",)), meta.get("description"),
                                "description", required=False)
    start = f.month(line_of(lines, ("start",)), meta.get("start"), "start")
    end = f.month(line_of(lines, ("end",)), meta.get("end"), "end")
    if start is not None and end is not None and end < start:
        f.error(line_of(lines, ("end",)), "end is before start")
    out["start"], out["end"] = start or 0, end or 0
    for key in ("calibration", "holdout"):
        value = meta.get(key)
        line = line_of(lines, (key,))
        if not isinstance(value, dict):
            f.error(line, f"{key} must be a mapping with start and end")
            out[key] = Window(0, 0)
            continue
        ws = f.month(line_of(lines, (key, "start")), value.get("start"), f"{key} start")
        we = f.month(line_of(lines, (key, "end")), value.get("end"), f"{key} end")
        if ws is not None and we is not None:
            if we < ws:
                f.error(line, f"{key} ends before it starts")
            if start is not None and end is not None and not (start <= ws and we <= end):
                f.error(line, f"{key} window is outside the scenario window")
        out[key] = Window(ws or 0, we or 0)
    if out["calibration"].end >= out["holdout"].start > 0:
        f.error(line_of(lines, ("holdout",)), "hold-out window overlaps the calibration window")
    out["ethnic_groups"] = _ethnic_groups(f, meta.get("ethnic_groups"), line_of(lines, ("ethnic_groups",)))
    for key in ("capital", "focus_faction"):
        value = meta.get(key)
        if value is not None and not isinstance(value, str):
            f.error(line_of(lines, (key,)), f"{key} must be an id, got {value!r}")
            value = None
        out[key] = value
    out["map_months"] = _map_months(f, meta.get("map_months"), lines, start, end)
    out["alliances"] = f.choice(line_of(lines, ("alliances",)), str(meta.get("alliances", "")),
                                "alliances", ALLIANCE_MODES) or "recorded"
    out["backers"] = "recorded"  # optional: who decides whom backers fund
    if "backers" in meta:
        out["backers"] = f.choice(line_of(lines, ("backers",)), str(meta["backers"]), "backers",
                                  BACKER_MODES) or "recorded"
    out["default_relation"] = f.choice(line_of(lines, ("default_relation",)),
                                       str(meta.get("default_relation", "")),
                                       "default_relation", RELATIONS) or "hostile"
    files = meta.get("files")
    if not isinstance(files, dict):
        f.error(line_of(lines, ("files",)), "files must map " + ", ".join(FILE_KEYS) + " to file names")
        files = {}
    for key in FILE_KEYS:
        if key not in files:
            f.error(line_of(lines, ("files",)), f"files: {key} is not named"
                    + (" (write `observations: none` for a scenario without a record)"
                       if key == "observations" else ""))
        elif files[key] == NO_FILE and key != "observations":
            f.error(line_of(lines, ("files", key)), f"files: {key} is required (only "
                    "observations may be none)")
    for key, name in files.items():
        if key not in FILE_KEYS:
            f.error(line_of(lines, ("files", key)), f"files: unknown key {key!r}")
        elif not isinstance(name, str) or "/" in name or name.startswith("."):
            f.error(line_of(lines, ("files", key)), f"files: {key} must be a file name in the folder")
    out["files"] = {k: v for k, v in files.items() if k in FILE_KEYS and isinstance(v, str)}
    overrides = meta.get("parameters") or {}
    if not isinstance(overrides, dict):
        f.error(line_of(lines, ("parameters",)), "parameters must be a mapping of name: value")
        overrides = {}
    for name, value in overrides.items():
        _, problem = params_registry.check_value(name, value)
        if problem:
            f.error(line_of(lines, ("parameters", name)), problem)
    out["parameter_set"] = None
    set_name = meta.get("parameter_set")
    if set_name is not None:
        set_path = _in_folder(folder, set_name)
        if set_path is None:
            f.error(line_of(lines, ("parameter_set",)), f"parameter set {set_name!r} not found "
                    "(a file name in the scenario folder)")
        else:
            out["parameter_set"] = set_path
            overrides = {**_read_parameter_set(set_path, problems), **overrides}
    out["parameters"] = overrides
    out["posterior"] = None
    if meta.get("posterior") is not None:
        post_path = _in_folder(folder, meta.get("posterior"))
        if post_path is None:
            f.error(line_of(lines, ("posterior",)), f"posterior {meta.get('posterior')!r} not "
                    "found (a file name in the scenario folder)")
        else:
            out["posterior"] = read_posterior(post_path, problems)
    map_name = meta.get("map")
    out["map"] = None
    if map_name is not None:
        out["map"] = _in_folder(folder, map_name) or _in_folder(PACKAGED_MAPS, map_name)
        if out["map"] is None:
            f.error(line_of(lines, ("map",)), f"map file {map_name!r} not found (a file name in "
                    f"the scenario folder or one of the maps shipped with afsim: "
                    f"{', '.join(sorted(p.name for p in PACKAGED_MAPS.glob('*.geojson')))})")
        else:
            problem = _map_problem(out["map"])
            if problem:
                f.error(line_of(lines, ("map",)), f"map file {map_name!r}: {problem}")
                out["map"] = None
    return out


MAX_MAP_BYTES = 50_000_000


def _map_problem(path: Path) -> str | None:
    """Why ``path`` is not a map the report can draw (a GeoJSON FeatureCollection whose
    features carry an ``id``), or None; checked now rather than when a report is drawn."""
    import json
    try:
        if path.stat().st_size > MAX_MAP_BYTES:
            return f"larger than {MAX_MAP_BYTES // 1_000_000} MB"
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        return f"not GeoJSON ({type(exc).__name__})"
    features = data.get("features") if isinstance(data, dict) else None
    if (not isinstance(data, dict) or data.get("type") != "FeatureCollection"
            or not isinstance(features, list) or not features):
        return "not a GeoJSON FeatureCollection with features"
    if not any(isinstance(ft, dict) and isinstance(ft.get("properties"), dict)
               and ft["properties"].get("id") for ft in features):
        return "no feature has an id in its properties"
    return None


def _in_folder(folder: Path, name: object) -> Path | None:
    """``folder/name`` if ``name`` is a plain file name of a file there, else None: a
    scenario refers only to its own files, so a copied folder still loads."""
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    try:
        path = folder / name
        return path if path.is_file() else None
    except (OSError, ValueError):  # e.g. a NUL byte in the name
        return None


def _read_parameter_set(path: Path, problems: Problems) -> dict:
    """The ``parameters:`` mapping of a parameter-set file (e.g. a calibration result)."""
    data, lines = load_yaml(read_text(path, problems), path.name, problems)
    values = data.get("parameters") if isinstance(data, dict) else None
    if not isinstance(values, dict):
        problems.add(path.name, 1, "expected a top-level mapping 'parameters:' of name: value")
        return {}
    for name, value in values.items():
        _, problem = params_registry.check_value(name, value)
        if problem:
            problems.add(path.name, line_of(lines, ("parameters", name)), problem)
    return dict(values)


def _ethnic_groups(f: Fields, value: Any, line: int) -> tuple[str, ...]:
    """The scenario's ethnic groups: one share column each in territories.csv."""
    if (not isinstance(value, list) or not value
            or not all(isinstance(g, str) and ID.match(g) for g in value)):
        f.error(line, "ethnic_groups must be a non-empty list of lowercase ids (one share column "
                      f"of territories.csv each), got {value!r}")
        return ()
    if len(set(value)) != len(value):
        f.error(line, "ethnic_groups: a group is listed twice")
    return tuple(value)


def _map_months(f: Fields, value: Any, lines: dict, start: int | None,
                end: int | None) -> tuple[int, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        f.error(line_of(lines, ("map_months",)), "map_months must be a list of months YYYY-MM")
        return ()
    months = []
    for i, item in enumerate(value):
        month = f.month(line_of(lines, ("map_months", i)), item, "map_months")
        if month is not None and start is not None and end is not None and not start <= month <= end:
            f.error(line_of(lines, ("map_months", i)), f"map month {item} is outside the scenario window")
        elif month is not None:
            months.append(month)
    return tuple(months)


def _check_focus(head: dict, lines: dict, tids: set[str], fids: set[str],
                 problems: Problems) -> None:
    """``capital`` must be a territory and ``focus_faction`` a faction of this scenario."""
    if head["capital"] is not None and head["capital"] not in tids:
        problems.add("scenario.yaml", line_of(lines, ("capital",)),
                     f"capital {head['capital']!r} is not a territory of territories.csv")
    if head["focus_faction"] is not None and head["focus_faction"] not in fids:
        problems.add("scenario.yaml", line_of(lines, ("focus_faction",)),
                     f"focus_faction {head['focus_faction']!r} is not a faction of factions.yaml")
