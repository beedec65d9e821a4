"""What is kept between runs in .ledger-cache/: the cache, its key, answers, the query database."""
