"""Core: tenancy, people and roles, audit log, API tokens, domain events."""
