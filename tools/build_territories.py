"""Write territories.csv and adjacency.csv of the 1992-96 scenario.

Provinces come from the map's 34 province outlines; two provinces are adjacent when
their outlines share an edge (the map is a gap-free coverage, so shared borders have
identical vertices). Sub-nodes and their links, populations, terrain, ethnic shares and
link kinds are general knowledge, marked `approx:` in the source column.

Run from the project root: python tools/build_territories.py
"""

import csv
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCEN = ROOT / "scenarios" / "afghanistan_1992_1996"
MAP = ROOT / "scenarios" / "maps" / "afghanistan_provinces.geojson"

# id: (name, capital, parent, lat, lon, population_1990, terrain,
#      pashtun, tajik, hazara, uzbek, other, borders, strategic_weight)
T = {
    "AF-BAL": ("Balkh", "Mazar-i-Sharif", "", 36.709, 67.110, 620_000, "plain", .20, .45, .10, .20, .05, "uzbekistan", 3),
    "AF-BAM": ("Bamyan", "Bamyan", "", 34.821, 67.827, 240_000, "mountain", .00, .15, .85, .00, .00, "", 1),
    "AF-BDG": ("Badghis", "Qala-i-Naw", "", 34.985, 63.129, 240_000, "hills", .55, .30, .00, .10, .05, "turkmenistan", 1),
    "AF-BDS": ("Badakhshan", "Fayzabad", "", 37.116, 70.580, 520_000, "mountain", .00, .90, .00, .05, .05, "tajikistan;pakistan;china", 1),
    "AF-BGL": ("Baghlan", "Pul-i-Khumri", "", 35.944, 68.715, 480_000, "hills", .20, .55, .15, .05, .05, "", 1),
    "AF-DAY": ("Daykundi", "Nili", "", 33.722, 66.130, 230_000, "mountain", .05, .00, .95, .00, .00, "", 1),
    "AF-FRA": ("Farah", "Farah", "", 32.375, 62.116, 240_000, "plain", .80, .20, .00, .00, .00, "iran", 1),
    "AF-FYB": ("Faryab", "Maymana", "", 35.921, 64.784, 520_000, "hills", .15, .15, .00, .60, .10, "turkmenistan", 1),
    "AF-GHA": ("Ghazni", "Ghazni", "", 33.549, 68.421, 620_000, "plain", .50, .05, .45, .00, .00, "", 1),
    "AF-GHO": ("Ghor", "Chaghcharan", "", 34.522, 65.252, 260_000, "mountain", .05, .85, .10, .00, .00, "", 1),
    "AF-HEL": ("Helmand", "Lashkar Gah", "", 31.593, 64.371, 560_000, "plain", .90, .00, .00, .00, .10, "pakistan", 1),
    "AF-HER": ("Herat", "Herat", "", 34.352, 62.204, 720_000, "plain", .20, .65, .10, .00, .05, "iran;turkmenistan", 3),
    "AF-JOW": ("Jowzjan", "Sheberghan", "", 36.668, 65.752, 290_000, "plain", .15, .10, .00, .45, .30, "turkmenistan", 1),
    "AF-KAB": ("Kabul", "Kabul", "", 34.528, 69.172, 1_350_000, "urban", .35, .50, .10, .00, .05, "", 10),
    "AF-KAN": ("Kandahar", "Kandahar", "", 31.613, 65.710, 480_000, "plain", .95, .00, .00, .00, .05, "pakistan", 3),
    "AF-KAP": ("Kapisa", "Mahmud-i-Raqi", "", 35.017, 69.335, 250_000, "hills", .35, .65, .00, .00, .00, "", 1),
    "AF-KDZ": ("Kunduz", "Kunduz", "", 36.728, 68.857, 520_000, "plain", .35, .25, .05, .30, .05, "tajikistan", 1.5),
    "AF-KHO": ("Khost", "Khost", "", 33.339, 69.920, 260_000, "hills", 1.00, .00, .00, .00, .00, "pakistan", 1),
    "AF-KNR": ("Kunar", "Asadabad", "", 34.873, 71.147, 220_000, "mountain", .90, .00, .00, .00, .10, "pakistan", 1),
    "AF-LAG": ("Laghman", "Mihtarlam", "", 34.670, 70.210, 230_000, "hills", .60, .30, .00, .00, .10, "", 1),
    "AF-LOG": ("Logar", "Pul-i-Alam", "", 33.995, 69.023, 200_000, "hills", .65, .35, .00, .00, .00, "", 1),
    "AF-NAN": ("Nangarhar", "Jalalabad", "", 34.430, 70.450, 700_000, "plain", .95, .05, .00, .00, .00, "pakistan", 2),
    "AF-NIM": ("Nimroz", "Zaranj", "", 30.960, 61.860, 90_000, "plain", .40, .00, .00, .00, .60, "iran;pakistan", 1),
    "AF-NUR": ("Nuristan", "Parun", "", 35.420, 70.920, 80_000, "mountain", .00, .00, .00, .00, 1.00, "pakistan", 1),
    "AF-PAN": ("Panjshir", "Bazarak", "", 35.313, 69.516, 80_000, "mountain", .00, 1.00, .00, .00, .00, "", 1),
    "AF-PAR": ("Parwan", "Charikar", "", 35.013, 69.171, 330_000, "hills", .15, .75, .10, .00, .00, "", 1.5),
    "AF-PIA": ("Paktia", "Gardez", "", 33.598, 69.227, 280_000, "hills", .95, .05, .00, .00, .00, "pakistan", 1),
    "AF-PKA": ("Paktika", "Sharana", "", 33.137, 68.787, 220_000, "hills", .95, .00, .00, .05, .00, "pakistan", 1),
    "AF-SAM": ("Samangan", "Aybak", "", 36.265, 68.016, 190_000, "hills", .05, .60, .15, .20, .00, "", 1),
    "AF-SAR": ("Sar-e Pol", "Sar-e Pol", "", 36.216, 65.933, 270_000, "hills", .10, .05, .20, .60, .05, "", 1),
    "AF-TAK": ("Takhar", "Taloqan", "", 36.736, 69.534, 480_000, "hills", .10, .60, .00, .30, .00, "tajikistan", 1),
    "AF-URU": ("Uruzgan", "Tarinkot", "", 32.627, 65.873, 180_000, "mountain", .85, .00, .15, .00, .00, "", 1),
    "AF-WAR": ("Wardak", "Maidan Shar", "", 34.396, 68.866, 280_000, "hills", .60, .05, .35, .00, .00, "", 1),
    "AF-ZAB": ("Zabul", "Qalat", "", 32.106, 66.908, 170_000, "hills", 1.00, .00, .00, .00, .00, "pakistan", 1),
    "AF-KAB.west": ("West Kabul", "Karte Seh", "AF-KAB", 34.500, 69.130, 350_000, "urban", .05, .25, .70, .00, .00, "", 2),
    "AF-KAB.charasiab": ("Charasiab", "Charasiab", "AF-KAB", 34.380, 69.170, 40_000, "hills", .80, .20, .00, .00, .00, "", 2),
    "AF-KAB.sarobi": ("Sarobi", "Sarobi", "AF-KAB", 34.590, 69.770, 40_000, "mountain", .90, .10, .00, .00, .00, "", 2),
    "AF-KAN.spin_boldak": ("Spin Boldak", "Spin Boldak", "AF-KAN", 31.005, 66.398, 40_000, "plain", 1.00, .00, .00, .00, .00, "pakistan", 1.5),
    "AF-HER.shindand": ("Shindand", "Shindand", "AF-HER", 33.304, 62.140, 100_000, "plain", .60, .40, .00, .00, .00, "", 1.5),
    "AF-GHO.saghar": ("Saghar", "Saghar", "AF-GHO", 33.870, 64.180, 30_000, "mountain", .20, .80, .00, .00, .00, "", 0.5),
    "AF-GHO.shahrak": ("Shahrak", "Shahrak", "AF-GHO", 34.100, 64.300, 40_000, "mountain", .00, 1.00, .00, .00, .00, "", 0.5),
}

SOURCE_PROVINCE = ("approx: capital coordinates, 1990 population (in-country, refugees excluded), terrain, "
                   "ethnic shares and borders from general knowledge; strategic weight a modelling choice")
SOURCE_SUBNODE = ("approx: sub-node the record names; coordinates, population and shares from general "
                  "knowledge; strategic weight a modelling choice")

# Province pairs joined by a main road or a pass; every other shared border is mountain.
ROADS = {
    ("AF-KAB", "AF-WAR"), ("AF-WAR", "AF-GHA"), ("AF-GHA", "AF-ZAB"), ("AF-ZAB", "AF-KAN"),
    ("AF-KAN", "AF-HEL"), ("AF-HEL", "AF-NIM"), ("AF-HEL", "AF-FRA"), ("AF-FRA", "AF-NIM"),
    ("AF-HER", "AF-BDG"), ("AF-BDG", "AF-FYB"), ("AF-FYB", "AF-JOW"), ("AF-JOW", "AF-BAL"),
    ("AF-JOW", "AF-SAR"), ("AF-BAL", "AF-SAM"), ("AF-SAM", "AF-BGL"), ("AF-BGL", "AF-KDZ"),
    ("AF-KDZ", "AF-TAK"), ("AF-TAK", "AF-BDS"), ("AF-KAB", "AF-PAR"), ("AF-PAR", "AF-KAP"),
    ("AF-KAB", "AF-KAP"), ("AF-KAB", "AF-LOG"), ("AF-LOG", "AF-PIA"), ("AF-PIA", "AF-KHO"),
    ("AF-GHA", "AF-PKA"), ("AF-GHA", "AF-PIA"), ("AF-NAN", "AF-LAG"), ("AF-NAN", "AF-KNR"),
    ("AF-KAN", "AF-URU"), ("AF-BAL", "AF-KDZ"), ("AF-PAR", "AF-PAN"), ("AF-KAP", "AF-PAN"),
    ("AF-KAB", "AF-NAN"), ("AF-LAG", "AF-KAP"),
}
PASSES = {("AF-PAR", "AF-BGL"), ("AF-PAR", "AF-BAM"), ("AF-WAR", "AF-BAM")}
SUBNODE_LINKS = [
    ("AF-KAB.west", "AF-KAB", "road"), ("AF-KAB.west", "AF-WAR", "road"),
    ("AF-KAB.west", "AF-KAB.charasiab", "road"), ("AF-KAB.charasiab", "AF-KAB", "road"),
    ("AF-KAB.charasiab", "AF-LOG", "road"), ("AF-KAB.sarobi", "AF-KAB", "road"),
    ("AF-KAB.sarobi", "AF-NAN", "road"), ("AF-KAB.sarobi", "AF-LAG", "road"),
    ("AF-KAB.sarobi", "AF-KAP", "mountain"), ("AF-KAN.spin_boldak", "AF-KAN", "road"),
    ("AF-KAN.spin_boldak", "AF-ZAB", "mountain"), ("AF-HER.shindand", "AF-HER", "road"),
    ("AF-HER.shindand", "AF-FRA", "road"), ("AF-GHO.shahrak", "AF-HER", "road"),
    ("AF-GHO.shahrak", "AF-GHO", "road"), ("AF-GHO.saghar", "AF-GHO.shahrak", "mountain"),
    ("AF-GHO.saghar", "AF-FRA", "mountain"), ("AF-GHO.saghar", "AF-HEL", "mountain"),
]


def _edges(geometry):
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    out = set()
    for poly in polys:
        for ring in poly:
            for p, q in zip(ring, ring[1:], strict=False):
                out.add(tuple(sorted((tuple(p), tuple(q)))))
    return out


def shared_borders():
    feats = [f for f in json.loads(MAP.read_text())["features"] if f["properties"]["kind"] == "province"]
    edges = {f["properties"]["id"]: _edges(f["geometry"]) for f in feats}
    ids = sorted(edges)
    return [(a, b) for i, a in enumerate(ids) for b in ids[i + 1:] if edges[a] & edges[b]]


def main():
    cols = ["id", "name", "capital", "parent", "lat", "lon", "population", "terrain", "pashtun", "tajik",
            "hazara", "uzbek", "other", "borders", "strategic_weight", "source"]
    with open(SCEN / "territories.csv", "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cols)
        for tid, row in T.items():
            shares = row[7:12]
            assert abs(sum(shares) - 1) < 1e-9, tid
            w.writerow([tid, *row[:7], *(f"{s:.2f}" for s in shares), row[12], row[13],
                        SOURCE_SUBNODE if row[2] else SOURCE_PROVINCE])
    pairs = shared_borders()
    with open(SCEN / "adjacency.csv", "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["a", "b", "kind", "source"])
        for a, b in pairs:
            kind = "road" if (a, b) in ROADS or (b, a) in ROADS else (
                "pass" if (a, b) in PASSES or (b, a) in PASSES else "mountain")
            w.writerow([a, b, kind, "approx: provinces share a border on the map; link kind from general knowledge"])
        for a, b, kind in SUBNODE_LINKS:
            w.writerow([a, b, kind, "approx: sub-node's roads and valleys from general knowledge"])
    known = {tuple(sorted(p)) for p in pairs}
    missing = [p for p in ROADS | PASSES if tuple(sorted(p)) not in known]
    print(f"{len(T)} territories, {len(pairs)} province borders, {len(SUBNODE_LINKS)} sub-node links")
    if missing:
        print("road/pass pairs without a shared border:", sorted(missing))


if __name__ == "__main__":
    main()
