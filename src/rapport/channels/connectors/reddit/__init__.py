"""Reddit: subreddit listings and search over the OAuth API."""

from rapport.channels.registry import register

from .provider import RedditProvider

provider = register(RedditProvider())
