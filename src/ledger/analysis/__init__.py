"""What the records say: statuses, checks, quotes, cross-references, queries, reviews."""
