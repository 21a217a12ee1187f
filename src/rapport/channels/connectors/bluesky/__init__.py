"""Bluesky: new posts from Jetstream, the AT Protocol firehose as JSON."""

from rapport.channels.registry import register

from .provider import BlueskyProvider

provider = register(BlueskyProvider())
