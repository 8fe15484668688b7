"""Rate limits: leaky buckets of query cost per API key, kept in-process and shared through Postgres."""
