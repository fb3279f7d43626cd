"""Layer 1, data: scenario files and spec files read and validated into immutable objects,
the parameter registry, and run directories. Imports nothing else of ``sim``."""

from sim.data.loader import load
from sim.data.params import Params
from sim.data.problems import Problem, ValidationError
from sim.data.schema import Drivers, Scenario

__all__ = ["Drivers", "Params", "Problem", "Scenario", "ValidationError", "load"]
