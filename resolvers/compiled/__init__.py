"""The read compiler: read-only operations answered by one SQL statement (planner.py, mappings.py)."""
