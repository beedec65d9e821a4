"""Writing into the ledger: new records, a new ledger, canonical form, safe writes."""
