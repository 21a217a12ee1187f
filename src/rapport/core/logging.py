"""A log filter that keeps secrets out of every log line."""

from __future__ import annotations

import logging
import re

_SECRET = re.compile(
    r"(rpt_[A-Za-z0-9_\-]{8,}|(?i:(?:password|secret|token|authorization)"
    r"[\"']?\s*[:=]\s*[\"']?)[^\s\"',&]+)"
)


def redact(text: str) -> str:
    def hide(match: re.Match[str]) -> str:
        value = match.group(0)
        if value.startswith("rpt_"):
            return "rpt_[redacted]"
        key = re.split(r"[:=]", value, maxsplit=1)[0]
        return f"{key}=[redacted]"

    return _SECRET.sub(hide, text)


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg = cleaned
            record.args = None
        return True
