"""The package version: a literal that nothing in the package imports back from ``__init__``."""

__version__ = "0.1.0"
