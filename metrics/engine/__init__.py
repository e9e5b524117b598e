"""The engine: schema, database access, windows, indicator definitions and their SQL, comparison by phase."""
