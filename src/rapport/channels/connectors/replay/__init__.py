"""Demo replay: a recorded multilingual stream about a coffee brand and its competitors,
played back as if live."""

from rapport.channels.registry import register

from .provider import ReplayProvider

provider = register(ReplayProvider())
