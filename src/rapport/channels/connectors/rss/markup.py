"""Article and post HTML to the plain text a person reads. Feeds carry whatever HTML
their authors (or attackers posting comments on them) wrote, and webhook senders may
send markup too; nothing here trusts it. Tags are dropped (block ends become line
breaks), script-like elements lose their content, entities are decoded once, and only
http(s) link targets are kept as links. What comes out is text: rendered escaped, it is
inert, whatever it says."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Elements whose content is code, styling or embedded documents, never words.
_SILENT = frozenset(
    {"script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math"}
)
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "blockquote",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "dd",
        "dt",
    }
)
# C0/C1 controls except tab and newline, and the bidi overrides that can disguise text.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


class _TextAndLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._silent: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SILENT:
            self._silent.append(tag)
        elif self._silent:
            return
        elif tag == "br" or tag in _BLOCKS:
            self.parts.append("\n")
        elif tag == "a":
            href = (dict(attrs).get("href") or "").strip()
            if href.lower().startswith(("https://", "http://")):
                self.links.append(href)
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.parts.append(alt)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SILENT:
            return  # <svg/onload=...> opens nothing
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SILENT:
            if tag in self._silent:
                # Close up to the matching element; a stray end tag changes nothing.
                while self._silent and self._silent.pop() != tag:
                    pass
        elif not self._silent and tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._silent:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, tuple[str, ...]]:
    """The words a reader sees, and the web links among them (in order, once each)."""
    parser = _TextAndLinks()
    parser.feed(html)
    parser.close()
    return tidy("".join(parser.parts)), tuple(dict.fromkeys(parser.links))


def tidy(text: str) -> str:
    """Invisible and control characters out, runs of spaces to one, at most one blank
    line in a row, no space at either end."""
    text = _INVISIBLE.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
