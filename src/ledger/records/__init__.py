"""Records and loading them: the schema, reading record files, finding the ledger, the load."""
