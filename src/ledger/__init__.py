"""ledger: an evidence ledger over plain-text YAML files."""

__version__ = "0.1.0"
