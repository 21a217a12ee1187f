"""Settings modules: ``embedded`` (default, SQLite), ``production`` (env-driven), ``test``."""
