"""GraphQL documents kept by their SHA-256: persisted queries (shared by every tenant) and the documents
a tenant registered for its allow-listed API keys."""
