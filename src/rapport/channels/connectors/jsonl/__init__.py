"""JSON Lines import: a file of posts in the documented shape, one a line."""

from rapport.channels.registry import register

from .provider import JsonlProvider

provider = register(JsonlProvider())
