"""X (Twitter): API v2 recent search and filtered stream."""

from rapport.channels.registry import register

from .provider import XProvider

provider = register(XProvider())
