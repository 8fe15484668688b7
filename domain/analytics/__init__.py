"""Read-only reports over a tenant's orders, shipments and returns: one aggregate statement each."""
