"""RSS and Atom feeds: any news site, blog or review site that publishes one."""

from rapport.channels.registry import register

from .provider import RssProvider

provider = register(RssProvider())
