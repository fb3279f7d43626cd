"""Parameter sweeps: a design of parameter points, replicates of each, summary outputs.

A sweep is described by a YAML spec (``afsim sweep SPEC --out DIR``)::

    scenario: ../scenarios/afghanistan_1992_1996   # relative to the spec's folder, or cwd
    design: latin            # grid | latin | sobol | morris
    samples: 16              # latin: points; sobol: Saltelli base N (a power of 2);
                             # morris: trajectories (not used by grid)
    levels: 4                # morris only (even, default 4)
    replicates: 2            # runs per point
    seed: 1992               # root seed: design and replicate seeds
    end: "1994-12"           # optional last month (default: the scenario's end)
    parameters:              # registry names; ranges inside the registry's plausible range
      csf_exponent: [1.0, 3.0]
      defection_rate: {values: [0.1, 0.3]}    # grid only
    fixed: {urban_defence: 1.5}               # optional, applied to every point
    outputs: [calibration_loss, holdout_accuracy]   # default: all of sim.analysis.evaluate.OUTPUTS

Every problem in a spec is reported as ``file:line: message`` (:class:`ValidationError`).

Design: SALib's seeded samplers (``latin``, ``sobol`` with ``calc_second_order=False``, so
``N * (D + 2)`` points, and ``morris``, ``N * (D + 1)`` points), or the product of the listed
values for ``grid`` (first parameter slowest). Points are clipped to their ranges (SALib's
scaling can overshoot ``high`` by one ulp).

Runs: one task per (point, replicate). Replicate ``r`` of every point has the seed
``replicate_seeds(seed, replicates)[r]`` (common random numbers across points), and the seed
is an argument of the task, so a row depends only on its point, its seed and the code. A task
returns one row: ``run`` (``point * replicates + replicate``), ``point``, ``replicate``,
``seed``, one column per parameter, one float column per output (NaN when not computed, e.g.
the hold-out outputs of a sweep that ends before the hold-out), and ``error`` (empty, or
``"Type: message"`` when the run raised: the sweep goes on). A sweep whose ``end`` falls
inside the calibration window scores ``calibration_*`` over the calibration months it
simulates (short sweeps for tests and quick looks); ``sweep.json`` records those months.

Execution: local processes (``--workers K``, default all cores; ``--workers 1`` runs in
process), forked, with an initializer that loads the scenario and builds the
:class:`~sim.analysis.evaluate.Evaluator` once per worker; on Linux the parent builds it just before
forking, so the workers share it (the initializer finds it), and freezes its objects with
``gc.freeze`` so that the workers' garbage collections do not copy the parent's memory.
Or a dask.distributed scheduler (``--scheduler tcp://HOST:PORT``): workers load the
scenario from its path themselves, once per worker process, and check its content hash.
At most a few tasks per worker are in flight. A worker's memory stays flat: each finished
model is released from Mesa 3.3's class-level ``Agent._ids`` (which otherwise keeps every
model alive) and cyclic garbage is collected every ``COLLECT_EVERY`` runs. Rows are
written as they arrive, in batches (``--batch`` rows, or whatever arrived in
``FLUSH_SECONDS``), to ``DIR/parts/part-XXXXX.parquet``, each under a temporary name then
renamed, so a killed sweep never leaves half a part; at the end every part is combined,
sorted by run, into ``DIR/results.parquet`` (written atomically; the parts are kept).

Output directory: ``design.parquet`` (point + one column per parameter), ``sweep.json`` (the
spec, its hash, the SALib problem, the seeds, the scenario's content hash, the versions),
``parts/``, ``results.parquet``. ``--resume`` reads the parts present and runs only the
missing runs, with the saved design: the final table is identical to an uninterrupted
sweep's. It refuses a spec (anything but the scenario's path) or a scenario content that
differs from ``sweep.json``. A run that raised counts as done. A non-empty directory is
refused without ``--resume`` or ``--force``; a lock file keeps two sweeps out of one
directory.

Test hooks (environment variables read inside each task; not for normal use):

* ``AFSIM_SWEEP_FAIL_POINT=<n>``: every run of point ``n`` raises ``RuntimeError``;
* ``AFSIM_SWEEP_DELAY=<seconds>``: each task sleeps this long first (to interrupt a sweep
  part-way in a test).
"""

from sim.experiments.sweep.design import make_design
from sim.experiments.sweep.runner import read_results, run_sweep
from sim.experiments.sweep.spec import DESIGNS, SweepSpec, load_spec
from sim.experiments.sweep.store import BATCH
from sim.experiments.sweep.task import DELAY_ENV, FAIL_POINT_ENV

__all__ = ["BATCH", "DELAY_ENV", "DESIGNS", "FAIL_POINT_ENV", "SweepSpec", "load_spec",
           "make_design", "read_results", "run_sweep"]
