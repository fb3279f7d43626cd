"""afsim: an agent-based simulation of the Afghan civil war of 1992-96 on Mesa.

The package is layered; each layer imports only the layers above it in this list (a test
checks it)::

    data         scenario and spec files -> validated objects; parameter registry; run dirs
    core         world (static arrays), state (changing arrays), random streams
    mechanisms   one module per mechanism: pure functions over arrays
    model        the Mesa model wiring the mechanisms; holds drivers, never observations
    analysis     the record, metrics, baselines, scores (reads tables; never the model)
    experiments  run, ensemble, sweep, calibration, sensitivity on one shared executor
    report       figures, maps and the HTML page (reads tables; never the model)
    api          this namespace;  cli  the ``afsim`` command (nothing imports it)

Use::

    import sim
    sc = sim.load("scenarios/afghanistan_1992_1996")
    run = sim.Run(sc, seed=1, csf_exponent=2.0).run()      # run.control, run.factions, ...
    ens = sim.Ensemble(sc, replicates=50, seed=1).run(workers=2)
    ens.scores(); ens.save("runs/x"); ens.report()

``Run`` and ``Ensemble`` are imported on first use (Mesa and matplotlib are slow to import,
and the command line needs neither to validate a scenario).
"""

from sim._version import __version__
from sim.data import Drivers, Params, Scenario, ValidationError, load
from sim.data.params import describe as describe_params

_LAZY = {"Run": ("sim.experiments.run", "Run"),      # layer: experiments (needs the model)
         "Ensemble": ("sim.api", "Ensemble"),         # layer: api (needs the report)
         "Forecast": ("sim.experiments.forecast", "Forecast"),
         "compare": ("sim.api", "compare"),
         "with_changes": ("sim.data.overlay", "with_changes"),
         "what_if": ("sim.api", "what_if")}

__all__ = ["Drivers", "Ensemble", "Forecast", "Params", "Run", "Scenario", "ValidationError",
           "__version__", "compare", "describe_params", "load", "what_if", "with_changes"]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib
        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
