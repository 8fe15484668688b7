"""Composition root: settings, the Starlette app, the CLI, the embedded Postgres."""
