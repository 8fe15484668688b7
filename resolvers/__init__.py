"""Thin glue between GraphQL arguments and domain use cases; dataloaders; the request context."""
