"""GraphQL types, inputs, enums, error types and the Schema object."""
