"""Maps of who holds what: province polygons from the committed GeoJSON, drawn with matplotlib.

The GeoJSON (``sim/data/maps/afghanistan_provinces.geojson``, see its README) holds the 34
provinces and the neighbouring countries, clipped to a box. It is read once per process
(:func:`load_map`); label positions are computed then too. Sub-nodes (territories with a
parent) have no polygon and are drawn as small circles at their coordinates.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from sim.data.schema import Territory
from sim.report.style import CONTESTED, faction_colour, shade

ATTRIBUTION = "Made with Natural Earth"
MARGIN = 0.3          # degrees of context around Afghanistan
NO_DATA = "#F2F2F2"
COUNTRY_FILL = "#E6E6E6"
BORDER = "#4D4D4D"
SHARE_FLOOR = 0.3     # a province nobody agrees on is still visibly its modal colour
# Below this share of replicates agreeing on the modal holder, a territory is also dotted:
# agreement then shows by a second channel, not by lightness alone (a pale colour can look
# like another faction's)
UNCERTAIN = 0.5
UNCERTAIN_HATCH = "..."
INSET_PAD = 0.5       # degrees around the enlarged province
INSET_AT = (0.69, 0.015, 0.30, 0.42)  # axes fraction: over Pakistan, where the map is empty

_HALO = [patheffects.withStroke(linewidth=2.2, foreground="white")]


@dataclass(frozen=True)
class Shape:
    """One feature: its outline as a compound path and where its name goes."""

    id: str
    name: str
    kind: str
    path: MplPath
    label_at: tuple[float, float]  # lon, lat


@dataclass(frozen=True)
class MapData:
    provinces: Mapping[str, Shape]
    countries: tuple[Shape, ...]
    extent: tuple[float, float, float, float]  # lon0, lon1, lat0, lat1 of the view
    attribution: str

    @property
    def aspect(self) -> float:
        """Data aspect that makes a degree of latitude and of longitude equally long here."""
        mid_lat = (self.extent[2] + self.extent[3]) / 2
        return 1.0 / float(np.cos(np.radians(mid_lat)))


@functools.lru_cache(maxsize=4)
def _load(path: str) -> MapData:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    raw = [(f["properties"], _compound_path(f["geometry"])) for f in data["features"]]
    province_paths = [(p, path_) for p, path_ in raw if p.get("kind") == "province"]
    vertices = np.concatenate([path_.vertices for _, path_ in province_paths])
    lon0, lat0 = vertices.min(axis=0) - MARGIN
    lon1, lat1 = vertices.max(axis=0) + MARGIN
    extent = (float(lon0), float(lon1), float(lat0), float(lat1))
    provinces = {
        p["id"]: Shape(p["id"], p["name"], "province", path_, _label_point(path_, extent))
        for p, path_ in province_paths
    }
    # Country names must not end up under the inset.
    hidden = _axes_to_lonlat(INSET_AT, extent)
    countries = tuple(
        Shape("", p["name"], "country", path_, _label_point(path_, extent, avoid=hidden))
        for p, path_ in raw if p.get("kind") == "country"
    )
    return MapData(provinces, countries, extent, str(data.get("attribution", ATTRIBUTION)))


def load_map(path: str | Path) -> MapData:
    """The scenario's map file, parsed once per process."""
    return _load(str(Path(path).resolve()))


def _compound_path(geometry: dict) -> MplPath:
    """All rings of a (Multi)Polygon as one path; holes keep their own orientation."""
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    elif geometry["type"] != "MultiPolygon":
        raise ValueError(f"unsupported geometry type {geometry['type']!r}")
    rings = [MplPath(np.asarray(ring, dtype=float), closed=True)
             for polygon in polygons for ring in polygon]
    return MplPath.make_compound_path(*rings)


def _axes_to_lonlat(box: tuple[float, float, float, float],
                    extent: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """An axes-fraction box ``(x, y, width, height)`` as ``(lon0, lon1, lat0, lat1)``."""
    x, y, w, h = box
    dx, dy = extent[1] - extent[0], extent[3] - extent[2]
    return (extent[0] + x * dx, extent[0] + (x + w) * dx,
            extent[2] + y * dy, extent[2] + (y + h) * dy)


def _label_point(path: MplPath, extent: tuple[float, float, float, float],
                 avoid: tuple[float, float, float, float] | None = None,
                 steps: int = 48) -> tuple[float, float]:
    """A point well inside the visible part of ``path``: the grid point farthest from its edges.

    A cheap pole of inaccessibility; centroids of concave or clipped shapes (Pakistan,
    Badakhshan) can fall outside them or off the view.
    """
    lon0, lon1 = max(path.vertices[:, 0].min(), extent[0]), min(path.vertices[:, 0].max(), extent[1])
    lat0, lat1 = max(path.vertices[:, 1].min(), extent[2]), min(path.vertices[:, 1].max(), extent[3])
    if lon0 >= lon1 or lat0 >= lat1:
        return float(path.vertices[:, 0].mean()), float(path.vertices[:, 1].mean())
    xs, ys = np.meshgrid(np.linspace(lon0, lon1, steps), np.linspace(lat0, lat1, steps))
    points = np.column_stack([xs.ravel(), ys.ravel()])
    inside = points[path.contains_points(points)]
    if len(inside) == 0:
        return float(path.vertices[:, 0].mean()), float(path.vertices[:, 1].mean())
    scale = np.cos(np.radians((lat0 + lat1) / 2))
    clearances = [
        _distance_to_outline(inside, path, scale),
        (inside[:, 0] - extent[0]) * scale, (extent[1] - inside[:, 0]) * scale,
        inside[:, 1] - extent[2], extent[3] - inside[:, 1],
    ]
    if avoid is not None:
        # Outside the box: distance to it; inside: negative, never chosen over a point outside.
        dx = np.maximum.reduce([avoid[0] - inside[:, 0], inside[:, 0] - avoid[1],
                                np.zeros(len(inside))]) * scale
        dy = np.maximum.reduce([avoid[2] - inside[:, 1], inside[:, 1] - avoid[3],
                                np.zeros(len(inside))])
        outside = ~((dx == 0) & (dy == 0))
        clearances.append(np.where(outside, np.hypot(dx, dy), -1.0))
    edge = np.minimum.reduce(clearances)
    best = inside[int(np.argmax(edge))]
    return float(best[0]), float(best[1])


def _distance_to_outline(points: np.ndarray, path: MplPath, scale: float) -> np.ndarray:
    """Distance (in degrees of latitude) from each point to the nearest outline segment."""
    # Ring by ring: consecutive vertices of different rings are not a segment.
    rings = [ring * [scale, 1.0] for ring in path.to_polygons(closed_only=True)]
    a = np.concatenate([ring[:-1] for ring in rings])
    b = np.concatenate([ring[1:] for ring in rings])
    p = points * [scale, 1.0]
    ab = b - a
    length2 = np.maximum((ab ** 2).sum(axis=1), 1e-12)
    t = np.clip(((p[:, None, :] - a[None]) * ab[None]).sum(axis=2) / length2, 0.0, 1.0)
    nearest = a[None] + t[..., None] * ab[None]
    return np.sqrt(((p[:, None, :] - nearest) ** 2).sum(axis=2)).min(axis=1)


def fill_colour(controller: str | None, share: float | None) -> tuple[float, float, float] | str:
    """A territory's fill: its holder's colour, paler as fewer replicates agree (``share``;
    None: full colour); "no data" grey without a holder."""
    if controller is None:
        return NO_DATA
    strength = 1.0 if share is None else SHARE_FLOOR + (1.0 - SHARE_FLOOR) * share
    return shade(faction_colour(controller), strength)


def draw_map(ax: Axes, controller_by_territory: Mapping[str, str],
             share_by_territory: Mapping[str, float] | None, title: str, *,
             map_data: MapData, territories: Iterable[Territory] = (),
             labels: bool = True, attribution: bool = True) -> None:
    """Draw one map of control on ``ax``.

    Provinces are filled with their controller's colour, lightened towards white as
    ``share_by_territory`` (0..1; ``None``: full colour) falls, mapped to 0.3..1.
    ``territories`` (the scenario's) place the sub-nodes, which have no polygon; without
    them only provinces are drawn. A territory missing from ``controller_by_territory``
    is drawn as "no data"; a ``contested`` one hatched. With ``labels``, the province
    holding the most sub-nodes is repeated enlarged in an inset, where it and its
    neighbours are named instead of on the main map.
    """
    m = map_data
    shares = share_by_territory or {}
    subnodes = [t for t in territories if not t.is_province]
    region = _inset_region(m, subnodes) if labels else None
    _draw_countries(ax, m, labels)
    _draw_provinces(ax, m, controller_by_territory, shares)
    _draw_subnodes(ax, subnodes, controller_by_territory, shares)
    if labels:
        _label_provinces(ax, m, lambda s: region is None or not _within(s.label_at, region))
        for t in subnodes:  # those in the inset are named there
            if region is None or not _within((t.lon, t.lat), region):
                ax.annotate(t.name, (t.lon, t.lat), xytext=(3, -3), textcoords="offset points",
                            fontsize=5.5, style="italic", ha="left", va="top",
                            path_effects=_HALO, zorder=6)
    _frame(ax, m.extent, m.aspect)
    if region is not None:
        _draw_inset(ax, m, region, controller_by_territory, shares, subnodes)
    if attribution:
        ax.text(0.005, 0.005, m.attribution.split(".")[0], transform=ax.transAxes,
                fontsize=6, color="#555555", ha="left", va="bottom", zorder=6)
    ax.set_title(title, fontsize=11)


def _within(point: tuple[float, float], box: tuple[float, float, float, float]) -> bool:
    return box[0] <= point[0] <= box[1] and box[2] <= point[1] <= box[3]


def _inset_region(m: MapData, subnodes: list[Territory]) -> tuple[float, float, float, float] | None:
    """The box around the province with the most sub-nodes (their circles crowd its name)."""
    counts: dict[str, int] = {}
    for t in subnodes:
        counts[t.parent] = counts.get(t.parent, 0) + 1
    crowded = [p for p, n in counts.items() if n >= 2 and p in m.provinces]
    if not crowded:
        return None
    busiest = max(crowded, key=lambda p: counts[p])
    (lon0, lat0), (lon1, lat1) = (m.provinces[busiest].path.vertices.min(axis=0) - INSET_PAD,
                                  m.provinces[busiest].path.vertices.max(axis=0) + INSET_PAD)
    return float(lon0), float(lon1), float(lat0), float(lat1)


def _draw_inset(ax: Axes, m: MapData, region: tuple[float, float, float, float],
                controllers: Mapping[str, str], shares: Mapping[str, float],
                subnodes: list[Territory]) -> None:
    inset = ax.inset_axes(_inset_box(m, region))
    _draw_countries(inset, m, labels=False)
    _draw_provinces(inset, m, controllers, shares)
    inside = [t for t in subnodes if _within((t.lon, t.lat), region)]
    _draw_subnodes(inset, inside, controllers, shares, size=60)
    _label_provinces(inset, m, lambda s: _within(s.label_at, region))
    _frame(inset, region, m.aspect)  # the limits first: names are placed in their final frame
    _place_labels(inset, inside)
    ax.indicate_inset_zoom(inset, edgecolor="#333333", alpha=0.8)


# Where a sub-node's name may go, in points from its circle, in order of preference: below
# right first (province names sit at their polygons' centres, above), then around it.
_LABEL_SPOTS = ((4, -4, "left", "top"), (4, 4, "left", "bottom"), (-4, -4, "right", "top"),
                (-4, 4, "right", "bottom"), (4, -13, "left", "top"), (-4, -13, "right", "top"),
                (4, 13, "left", "bottom"), (-4, 13, "right", "bottom"))


def _place_labels(ax: Axes, subnodes: list[Territory]) -> None:
    """Name each sub-node at the first spot where its name overlaps no name already placed
    and stays inside the axes; else at the first that overlaps none; else at the first spot:
    crowded sub-nodes stay readable."""
    fig = ax.figure
    if not hasattr(fig.canvas, "get_renderer"):
        FigureCanvasAgg(fig)
    renderer = fig.canvas.get_renderer()
    # equal-aspect maps (and an inset placed by a locator) settle their size only when drawn
    for axes in (*fig.axes, ax):
        locator = axes.get_axes_locator()
        axes.apply_aspect(locator(axes, renderer) if locator else None)
    frame = ax.get_window_extent(renderer)
    placed = []

    def free(box, inside: bool) -> bool:
        within = (box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0
                  and box.y1 <= frame.y1)
        return (within or not inside) and not any(box.overlaps(other) for other in placed)

    for t in sorted(subnodes, key=lambda s: (-s.lat, s.lon)):
        boxes = []
        for dx, dy, ha, va in _LABEL_SPOTS:
            label = ax.annotate(t.name, (t.lon, t.lat), xytext=(dx, dy),
                                textcoords="offset points", fontsize=6, style="italic", ha=ha,
                                va=va, path_effects=_HALO, zorder=6)
            boxes.append((label, label.get_window_extent(renderer)))
            label.remove()
        chosen = next((lb for lb in boxes if free(lb[1], True)), None) or next(
            (lb for lb in boxes if free(lb[1], False)), boxes[0])
        ax.add_artist(chosen[0])
        placed.append(chosen[1])


def _inset_box(m: MapData, region: tuple[float, float, float, float]) -> tuple[float, ...]:
    """The inset's axes-fraction box: in the lower right of ``INSET_AT``, shaped like ``region``.

    The main axes show ``m.extent`` at the map's aspect, so an axes fraction is a fixed
    share of a degree; the box keeps the region's proportions at the largest size that fits.
    """
    x, y, w, h = INSET_AT
    ext = m.extent
    region_w = (region[1] - region[0]) / (ext[1] - ext[0])
    region_h = (region[3] - region[2]) / (ext[3] - ext[2])
    scale = min(w / region_w, h / region_h)
    width, height = region_w * scale, region_h * scale
    return (x + w - width, y, width, height)


def _frame(ax: Axes, extent: tuple[float, float, float, float], aspect: float) -> None:
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect(aspect)
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_edgecolor("#999999")
        spine.set_linewidth(0.6)
    ax.set_facecolor("white")


def _label_provinces(ax: Axes, m: MapData, keep) -> None:
    for shape in m.provinces.values():
        if keep(shape):
            ax.text(*shape.label_at, shape.name, fontsize=6.5, ha="center", va="center",
                    path_effects=_HALO, zorder=5)


def _draw_countries(ax: Axes, m: MapData, labels: bool) -> None:
    patches = [PathPatch(c.path) for c in m.countries]
    ax.add_collection(PatchCollection(patches, facecolor=COUNTRY_FILL, edgecolor="#BBBBBB",
                                      linewidth=0.5, zorder=1))
    if labels:
        for c in m.countries:
            ax.text(*c.label_at, c.name, fontsize=7, color="#777777", style="italic",
                    ha="center", va="center", zorder=2)


def _draw_provinces(ax: Axes, m: MapData, controllers: Mapping[str, str],
                    shares: Mapping[str, float]) -> None:
    ids = list(m.provinces)
    fills = [fill_colour(controllers.get(t), shares.get(t)) for t in ids]
    patches = [PathPatch(m.provinces[t].path) for t in ids]
    ax.add_collection(PatchCollection(patches, facecolor=fills, edgecolor=BORDER,
                                      linewidth=0.4, zorder=3))
    uncertain = [PathPatch(m.provinces[t].path) for t in ids
                 if shares.get(t) is not None and shares[t] < UNCERTAIN
                 and controllers.get(t) not in (None, CONTESTED)]
    if uncertain:
        ax.add_collection(PatchCollection(uncertain, facecolor="none", edgecolor="#3a3a3a",
                                          hatch=UNCERTAIN_HATCH, linewidth=0, zorder=3.4))
    # A collection has one hatch for all its patches: contested ones go on top, hatched.
    for t in ids:
        if controllers.get(t) == CONTESTED:
            ax.add_patch(PathPatch(m.provinces[t].path, facecolor="white", edgecolor="#777777",
                                   hatch="////", linewidth=0.4, zorder=3.5))


def _draw_subnodes(ax: Axes, subnodes: list[Territory], controllers: Mapping[str, str],
                   shares: Mapping[str, float], size: float = 34) -> None:
    if not subnodes:
        return
    fills = [fill_colour(controllers.get(t.id), shares.get(t.id)) for t in subnodes]
    lon, lat = [t.lon for t in subnodes], [t.lat for t in subnodes]
    # A white ring under the black edge keeps a circle visible on a fill of its own colour.
    ax.scatter(lon, lat, s=size * 1.9, c="white", linewidths=0, zorder=4)
    ax.scatter(lon, lat, s=size, c=fills, edgecolors="black", linewidths=0.7, zorder=4)
