"""Helpers of the tracking benches: servers in subprocesses, wrk scripts, the ORM
baseline view."""
