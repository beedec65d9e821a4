"""Publishing the ledger: exports, the SQLite database, CSV, Markdown, the static site."""
