"""Mastodon: hashtag timelines and the streaming API of one instance."""

from rapport.channels.registry import register

from .provider import MastodonProvider

provider = register(MastodonProvider())
