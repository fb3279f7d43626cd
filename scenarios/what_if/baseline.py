"""The baseline: the 1992-96 war as the scenario records it, 100 replicates, scored and
reported (``runs/what_if/baseline/report/index.html``). The other scripts of this folder each
run one counterfactual beside it, replicate by replicate on the same seeds.

Run from the repository: ``python scenarios/what_if/baseline.py``.
"""

import sim

if __name__ == "__main__":
    ens = sim.Ensemble("scenarios/afghanistan_1992_1996", replicates=100, seed=1)
    ens.run(workers=2, out="runs/what_if/baseline", force=True, progress=True)
    print(f"wrote {ens.report()}")
