"""A generic JSON webhook: any system that can POST JSON sends posts in the documented
shape, or in its own shape through a field mapping. The web app mounts the endpoint,
checks ``signature.verify`` on the raw body and calls ``parse_webhook``."""

from rapport.channels.registry import register

from .parse import WebhookError, parse_webhook
from .provider import WebhookProvider
from .shape import FieldMapping, PostError

provider = register(WebhookProvider())

__all__ = ["FieldMapping", "PostError", "WebhookError", "parse_webhook", "provider"]
