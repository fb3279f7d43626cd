"""Readers of the actors: ``factions.yaml`` and ``backers.yaml``.
"""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType

from sim.data.dates import format_month
from sim.data.fields import Fields, SourceChecker, read_text
from sim.data.problems import Problems
from sim.data.schema import (
    Backer,
    Faction,
    ProxyWindow,
)
from sim.data.vocabulary import (
    COLOUR,
    CONTESTED,
    ID,
    MAXIMA,
    POSTURES,
)
from sim.data.yamlio import line_of, load_yaml

_FACTION_KEYS = {
    "name", "leader", "ethnic_base", "sect", "fighters", "resources", "heavy_weapons",
    "air_power", "cohesion", "posture", "home", "deployments", "source", "colour", "short_name",
}


def read_factions(path: Path | None, tids: set[str], groups: tuple[str, ...], sources: SourceChecker,
                   problems: Problems) -> list[Faction]:
    if path is None:
        return []
    before = len(problems)
    data, lines = load_yaml(read_text(path, problems), path.name, problems)
    f = Fields(path.name, problems)
    if data is None and len(problems) > before:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("factions"), dict):
        f.error(1, "expected a top-level mapping 'factions:' of faction ids")
        return []
    result = []
    for fid, spec in data["factions"].items():
        line = line_of(lines, ("factions", fid))
        if fid == CONTESTED or not isinstance(fid, str) or not ID.match(fid):
            f.error(line, f"faction id {fid!r} must be lowercase [a-z0-9_] and not {CONTESTED!r}")
            continue
        if not isinstance(spec, dict):
            f.error(line, f"faction {fid}: expected a mapping of its properties")
            continue
        for key in spec:
            if key not in _FACTION_KEYS:
                f.error(line_of(lines, ("factions", fid, key)),
                        f"faction {fid}: unknown key {key!r}; allowed: {', '.join(sorted(_FACTION_KEYS))}")

        def at(key, _fid=fid):
            return line_of(lines, ("factions", _fid, key))

        def num(key, high=None, _spec=spec, _fid=fid):
            high = MAXIMA.get(key, high) if high is None else high
            return f.number(at(key), _spec.get(key), f"faction {_fid}: {key}", high=high) or 0.0

        ethnic = f.choice(at("ethnic_base"), str(spec.get("ethnic_base", "")),
                          f"faction {fid}: ethnic_base", groups)
        posture = f.choice(at("posture"), str(spec.get("posture", "")),
                           f"faction {fid}: posture", POSTURES)
        sect = f.text(at("sect"), spec.get("sect"), f"faction {fid}: sect")
        home = spec.get("home") or []
        if not isinstance(home, list):
            f.error(at("home"), f"faction {fid}: home must be a list of territory ids")
            home = []
        for tid in home:
            if not isinstance(tid, str) or tid not in tids:
                f.error(at("home"), f"faction {fid}: unknown home territory {tid!r}")
        deployments = spec.get("deployments") or {}
        if not isinstance(deployments, dict):
            f.error(at("deployments"), f"faction {fid}: deployments must map territory ids to fighters")
            deployments = {}
        placed = {}
        for tid, n in deployments.items():
            dline = line_of(lines, ("factions", fid, "deployments", tid))
            if tid not in tids:
                f.error(dline, f"faction {fid}: unknown territory {tid!r} in deployments")
                continue
            value = f.number(dline, n, f"faction {fid}: deployment in {tid}",
                             high=MAXIMA["fighters"])
            if value is not None:
                placed[tid] = value
        fighters = num("fighters")
        if sum(placed.values()) > fighters:
            f.error(at("deployments"), f"faction {fid}: deployments ({sum(placed.values()):g}) "
                                       f"exceed its fighters ({fighters:g})")
        problem = sources.problem(str(spec.get("source") or ""))
        if problem:
            f.error(at("source") if "source" in spec else line, f"faction {fid}: {problem}")
        colour = spec.get("colour")
        if colour is not None and not (isinstance(colour, str) and COLOUR.match(colour)):
            f.error(at("colour"), f"faction {fid}: colour must be #RRGGBB, got {colour!r}")
            colour = None
        short_name = spec.get("short_name")
        if short_name is not None and not isinstance(short_name, str):
            f.error(at("short_name"), f"faction {fid}: short_name must be text")
            short_name = None
        result.append(Faction(
            id=fid, name=f.text(at("name"), spec.get("name"), f"faction {fid}: name"),
            leader=str(spec.get("leader") or ""), ethnic_base=ethnic, sect=sect,
            fighters=fighters, resources=num("resources"),
            heavy_weapons=num("heavy_weapons", 1.0), air_power=num("air_power", 1.0),
            cohesion=num("cohesion", 1.0), posture=posture or "active",
            home=tuple(h for h in home if isinstance(h, str) and h in tids),
            deployments=MappingProxyType(placed), source=str(spec.get("source") or ""),
            colour=colour or "", short_name=short_name or "",
        ))
    if not result:
        f.error(1, "no factions defined")
    return result


_BACKER_KEYS = {"name", "budget", "proxies", "source"}


_PROXY_KEYS = {"faction", "from", "to", "weight", "fighters_per_month", "source"}


def read_backers(path: Path | None, fids: set[str], start: int, end: int,
                  sources: SourceChecker, problems: Problems) -> list[Backer]:
    if path is None:
        return []
    before = len(problems)
    data, lines = load_yaml(read_text(path, problems), path.name, problems)
    f = Fields(path.name, problems)
    if data is None and len(problems) > before:
        return []
    if not isinstance(data, dict) or not isinstance(data.get("backers"), dict):
        f.error(1, "expected a top-level mapping 'backers:' of backer ids")
        return []
    result = []
    for bid, spec in data["backers"].items():
        line = line_of(lines, ("backers", bid))
        if not isinstance(bid, str) or not ID.match(bid):
            f.error(line, f"backer id {bid!r} must be lowercase [a-z0-9_]")
            continue
        if not isinstance(spec, dict):
            f.error(line, f"backer {bid}: expected a mapping")
            continue
        for key in spec:
            if key not in _BACKER_KEYS:
                f.error(line_of(lines, ("backers", bid, key)), f"backer {bid}: unknown key {key!r}")
        budget = f.number(line_of(lines, ("backers", bid, "budget")), spec.get("budget"),
                          f"backer {bid}: budget", high=MAXIMA["budget"]) or 0.0
        problem = sources.problem(str(spec.get("source") or ""))
        if problem:
            f.error(line, f"backer {bid}: {problem}")
        proxies = []
        raw = spec.get("proxies") or []
        if not isinstance(raw, list):
            f.error(line, f"backer {bid}: proxies must be a list")
            raw = []
        for i, proxy in enumerate(raw):
            pline = line_of(lines, ("backers", bid, "proxies", i))
            if not isinstance(proxy, dict):
                f.error(pline, f"backer {bid}: proxy must be a mapping")
                continue
            for key in proxy:
                if key not in _PROXY_KEYS:
                    f.error(pline, f"backer {bid}: unknown proxy key {key!r}")
            fid = str(proxy.get("faction") or "")
            if fid not in fids:
                f.error(pline, f"backer {bid}: unknown faction {fid!r}")
            p_from = f.month(pline, proxy.get("from"), f"backer {bid}: proxy 'from'")
            p_to = f.month(pline, proxy.get("to"), f"backer {bid}: proxy 'to'", required=False)
            for m, what in ((p_from, "from"), (p_to, "to")):
                if m is not None and not start <= m <= end:
                    f.error(pline, f"backer {bid}: proxy '{what}' {format_month(m)} is outside "
                                   f"the window {format_month(start)}..{format_month(end)}")
            if p_from is not None and p_to is not None and p_to < p_from:
                f.error(pline, f"backer {bid}: proxy 'to' is before 'from'")
            weight = f.number(pline, proxy.get("weight"), f"backer {bid}: proxy weight",
                              high=MAXIMA["weight"],
                              required=False, default=1.0)
            volunteers = f.number(pline, proxy.get("fighters_per_month"),
                                  f"backer {bid}: fighters_per_month", required=False,
                                  default=0.0, high=MAXIMA["fighters_per_month"])
            problem = sources.problem(str(proxy.get("source") or ""))
            if problem:
                f.error(pline, f"backer {bid}: proxy {fid}: {problem}")
            if fid in fids and p_from is not None:
                proxies.append(ProxyWindow(fid, p_from, p_to, weight or 0.0, volunteers or 0.0,
                                           str(proxy.get("source"))))
        result.append(Backer(bid, str(spec.get("name") or bid), budget, tuple(proxies),
                             str(spec.get("source") or "")))
    return result
