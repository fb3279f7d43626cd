"""afsim: an agent-based simulation of the Afghan civil war of 1992-96 on Mesa.

The public path, the same one the command line takes::

    from sim import load
    scenario = load("scenarios/afghanistan_1992_1996")
"""

from sim.data import Scenario, load

__version__ = "0.1.0"

__all__ = ["Scenario", "load", "__version__"]
