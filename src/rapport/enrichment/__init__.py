"""Enrichment: what providers tell us about a contact, each value with its provenance."""
