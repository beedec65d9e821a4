"""ledger: an evidence ledger over plain-text YAML files."""

__version__ = "0.6.0"
"""The version, said once: pyproject.toml reads it from here, and so does `ledger --version`."""
