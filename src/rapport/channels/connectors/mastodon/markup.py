"""Status HTML to plain text. Mastodon sanitises ``content`` on the server it came
from, but a listener reads statuses federated from any server, so nothing here trusts
the markup: tags become line breaks or nothing, script-like elements lose their
content, and only http(s) link targets are kept."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose content is code or styling, never words someone wrote.
_SILENT = frozenset({"script", "style", "template", "noscript", "iframe", "object"})
_BREAKS = frozenset({"br"})
_BLOCKS = frozenset({"p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _TextAndLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._silent_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SILENT:
            self._silent_depth += 1
        elif tag in _BREAKS:
            self.parts.append("\n")
        elif tag == "a":
            attributes = dict(attrs)
            classes = (attributes.get("class") or "").split()
            href = (attributes.get("href") or "").strip()
            # Mentions and hashtags are links too; the status lists them on their own.
            if "mention" not in classes and href.lower().startswith(("https://", "http://")):
                self.links.append(href)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SILENT:
            self._silent_depth = max(0, self._silent_depth - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._silent_depth:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, tuple[str, ...]]:
    """The words a reader sees, and the web links among them."""
    parser = _TextAndLinks()
    parser.feed(html)
    parser.close()
    text = _CONTROL.sub("", "".join(parser.parts))
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text, tuple(dict.fromkeys(parser.links))
