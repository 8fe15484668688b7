"""GraphQL documents kept by their SHA-256, per tenant: persisted queries (Automatic Persisted Queries)
and the documents a tenant registered for its allow-listed API keys."""
