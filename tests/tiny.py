"""A tiny hand-made scenario for tests whose answers are worked out by hand.

Three territories in a line, AF-AAA - AF-BBB - AF-CCC, two factions (red, blue), six
months 2000-01..2000-06 (calibration ..2000-03, hold-out 2000-04..). Red holds AF-AAA,
blue AF-BBB and AF-CCC; the record has red taking AF-BBB in 2000-02 and AF-CCC in 2000-05.
"""

from pathlib import Path

APPROX = "approx: test data"

FILES = {
    "scenario.yaml": """\
name: tiny
title: Tiny
description: three territories in a line
start: "2000-01"
end: "2000-06"
calibration: {start: "2000-01", end: "2000-03"}
holdout: {start: "2000-04", end: "2000-06"}
alliances: recorded
default_relation: hostile
ethnic_groups: [pashtun, tajik, hazara, uzbek, other]
files:
  territories: territories.csv
  adjacency: adjacency.csv
  factions: factions.yaml
  backers: backers.yaml
  initial_control: initial_control.csv
  events: events.csv
  observations: observations.csv
  alliances: alliances.csv
parameters: {}
""",
    "territories.csv": f"""\
id,name,capital,parent,lat,lon,population,terrain,pashtun,tajik,hazara,uzbek,other,borders,strategic_weight,source
AF-AAA,Aaa,Aaa,,34.0,65.0,100000,plain,1.0,0,0,0,0,,1,{APPROX}
AF-BBB,Bbb,Bbb,,34.0,66.0,100000,plain,0,1.0,0,0,0,,1,{APPROX}
AF-CCC,Ccc,Ccc,,34.0,67.0,100000,plain,0,1.0,0,0,0,,1,{APPROX}
""",
    "adjacency.csv": f"""\
a,b,kind,source
AF-AAA,AF-BBB,road,{APPROX}
AF-BBB,AF-CCC,road,{APPROX}
""",
    "factions.yaml": f"""\
factions:
  red:
    name: Red
    leader: R
    ethnic_base: pashtun
    sect: sunni
    fighters: 5000
    resources: 100
    heavy_weapons: 0.5
    air_power: 0
    cohesion: 0.5
    posture: active
    home: [AF-AAA]
    source: "{APPROX}"
  blue:
    name: Blue
    leader: B
    ethnic_base: tajik
    sect: sunni
    fighters: 2000
    resources: 100
    heavy_weapons: 0.5
    air_power: 0
    cohesion: 0.5
    posture: active
    home: [AF-CCC]
    source: "{APPROX}"
""",
    "backers.yaml": "backers: {}\n",
    "initial_control.csv": f"""\
territory,controller,confidence,source
AF-AAA,red,high,{APPROX}
AF-BBB,blue,high,{APPROX}
AF-CCC,blue,high,{APPROX}
""",
    "events.csv": "date,day,kind,actor,target,fighters,resources,months,note,source\n",
    "observations.csv": f"""\
date,day,territory,controller,confidence,note,source
2000-02,,AF-BBB,red,high,,{APPROX}
2000-05,,AF-CCC,red,high,,{APPROX}
""",
    "alliances.csv": "date,day,a,b,relation,confidence,note,source\n",
}


def write_tiny(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sources").mkdir(exist_ok=True)
    for name, text in FILES.items():
        (folder / name).write_text(text)
    return folder
