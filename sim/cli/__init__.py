"""The command line (layer 7): argument parsing over the Python API. Nothing imports it."""

from sim.cli.main import main

__all__ = ["main"]
