"""The ledger in git: revisions, history, the semantic diff and the pull-request comment."""
