"""One package per network: its client, its parser and its provider."""
