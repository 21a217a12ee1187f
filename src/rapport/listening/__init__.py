"""Listening: topics, mentions, alerts, influencers."""
