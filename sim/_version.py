"""The package version, in one place (imported by the manifest writers)."""

__version__ = "0.1.0"
