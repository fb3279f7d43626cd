"""Print the behaviour figures of an ensemble: where fighting is, what the Taliban do, Kabul.

Not a test and not tuned against: a look at what emerges. Usage:
  .venv/bin/python tools/behaviour.py [--replicates 50] [--seed 1] [--defaults] [--set name=value ...]
Each run draws its parameters from the scenario's posterior by its seed, as ensembles do;
--defaults ignores it (registry defaults only); --set fixes a parameter on top. The figures
cover the hold-out too: for looking, never for choosing a model change (docs/model-log.md).
"""

import argparse
from collections import Counter
from pathlib import Path

import numpy as np

from sim.analysis.record import recorded_changes
from sim.core.streams import replicate_seeds
from sim.data import load
from sim.data.dates import format_month, parse_month
from sim.data.params import parse_assignments
from sim.experiments.parameters import ParameterChoice
from sim.model import AfsimModel

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicates", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--defaults", action="store_true")
    ap.add_argument("--set", action="append", default=[])
    args = ap.parse_args()
    scenario = load(ROOT / "scenarios" / "afghanistan_1992_1996")
    d = scenario.drivers
    choice = ParameterChoice.of(scenario, defaults=args.defaults,
                                overrides=parse_assignments(args.set))
    tids, fids = d.territory_ids, d.faction_ids
    kabul_area = [i for i, t in enumerate(tids) if t.startswith("AF-KAB")]
    taliban, kandahar, kabul = fids.index("taliban"), tids.index("AF-KAN"), tids.index("AF-KAB")
    jamiat = fids.index("jamiat")
    province = np.array([t.is_province for t in d.territories])
    changes = recorded_changes(scenario)
    kabul_fall, kandahar_month, t_9503, t_9609, gov_kabul, near_kabul, hits = [], [], [], [], [], [], []
    for seed in replicate_seeds(args.seed, args.replicates):
        m = AfsimModel(scenario, seed=seed, params=choice.for_seed(seed)).run()
        control = np.stack(m.history.control)                       # [M, T]
        months = m.history.months
        early = [b for month, b in m.history.battles if month <= parse_month("1994-12")]
        if early:
            near_kabul.append(np.mean([b.target in kabul_area for b in early]))
        took = np.nonzero(control[:, kabul] == taliban)[0]
        kabul_fall.append(format_month(months[took[0]]) if took.size else "never")
        took = np.nonzero(control[:, kandahar] == taliban)[0]
        kandahar_month.append(format_month(months[took[0]]) if took.size else "never")
        t_9503.append(int((control[months.index(parse_month("1995-03"))][province] == taliban).sum()))
        t_9609.append(int((control[-1][province] == taliban).sum()))
        gov_kabul.append(float((control[:, kabul] == jamiat).mean()))
        hit = 0
        for row in changes.itertuples():
            i = months.index(parse_month(row.date))
            col = control[max(i - 3, 0):i + 4, tids.index(row.territory)]
            hit += bool((col == fids.index(row.new)).any())
        hits.append(hit)
    print(f"parameters: {'registry defaults' if args.defaults else 'drawn from the posterior'} "
          f"{parse_assignments(args.set) or ''}; replicates {args.replicates}, root seed {args.seed}")
    print(f"share of 1992-94 battles fought in Kabul and its sub-nodes: median {np.median(near_kabul):.2f}")
    print(f"Taliban take Kandahar: {sorted(Counter(kandahar_month).items())}")
    print(f"Taliban provinces at 1995-03: median {np.median(t_9503):.0f}, 10-90% "
          f"{np.percentile(t_9503, 10):.0f}-{np.percentile(t_9503, 90):.0f} (record: 12 by 1995-01)")
    print(f"Taliban provinces at 1996-09: median {np.median(t_9609):.0f}, 10-90% "
          f"{np.percentile(t_9609, 10):.0f}-{np.percentile(t_9609, 90):.0f}")
    print(f"share of months Jamiat holds Kabul: median {np.median(gov_kabul):.2f}")
    print(f"month the Taliban take Kabul: {sorted(Counter(kabul_fall).items())}")
    print(f"recorded changes reproduced within ±3 months: median {np.median(hits):.0f} of {len(changes)}")


if __name__ == "__main__":
    main()
