"""Tracking: where a shop's and an app's events come from (sources and their write keys)."""
