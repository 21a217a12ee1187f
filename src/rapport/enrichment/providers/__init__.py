"""The providers. Importing this package registers every one of them."""

from . import device, gravatar, location, social  # noqa: F401 - registration
from .base import Fact, Provider, ProviderError, RateLimit, Subject, provider_class

__all__ = ["Fact", "Provider", "ProviderError", "RateLimit", "Subject", "provider_class"]
