"""A post as the matcher reads it: its text folded and cut into words, hashtags and
handles once, whatever number of topics look at it."""

from __future__ import annotations

from dataclasses import dataclass

from .text import fold, handle_keys, handles, hashtags, words

FOLDED, CASED = 0, 1  # diacritics folded away / significant (only case folded)


@dataclass(frozen=True, slots=True)
class PostText:
    """What a topic can ask about a post: its text and three fields."""

    text: str
    lang: str = ""
    source: str = ""
    author: str = ""


class PostTokens:
    """The post folded both ways (the case-only way computed on first use, since most
    topics ignore diacritics), plus its field keys (also on first use)."""

    __slots__ = ("_cased", "_fields", "_folded", "_sets", "post", "text")

    def __init__(self, post: PostText) -> None:
        self.post = post
        folded = self.text = fold(post.text)  # case and diacritics folded
        self._folded = (words(folded), hashtags(folded), handles(folded))
        self._cased: tuple[list[str], list[str], list[str]] | None = None
        self._fields: list[tuple[str, str]] | None = None
        self._sets: list[frozenset[str] | None] | None = None

    def tokens(self, mode: int) -> tuple[list[str], list[str], list[str]]:
        """(words, hashtags, handles) folded the ``mode`` way."""
        if mode == FOLDED:
            return self._folded
        if self._cased is None:
            folded = fold(self.post.text, diacritics=True)
            self._cased = (words(folded), hashtags(folded), handles(folded))
        return self._cased

    def words(self, mode: int = FOLDED) -> list[str]:
        return self.tokens(mode)[0]

    def word_set(self, mode: int) -> frozenset[str]:
        if self._sets is None:
            self._sets = [None, None]
        found = self._sets[mode]
        if found is None:
            found = self._sets[mode] = frozenset(self.tokens(mode)[0])
        return found

    @property
    def fields(self) -> list[tuple[str, str]]:
        if self._fields is None:
            self._fields = field_keys(self.post)
        return self._fields


def field_keys(post: PostText) -> list[tuple[str, str]]:
    """("lang", "pt-br") and ("lang", "pt") for a Brazilian post, ("source", …), and
    one ("author", …) per name the author's handle answers to."""
    keys: list[tuple[str, str]] = []
    if post.lang:
        lang = fold(post.lang).replace("_", "-")
        keys.append(("lang", lang))
        if "-" in lang:
            keys.append(("lang", lang.split("-", 1)[0]))
    if post.source:
        keys.append(("source", fold(post.source)))
    if post.author:
        keys.extend(("author", key) for key in handle_keys(fold(post.author)))
    return keys


def analyse(post: PostText | PostTokens) -> PostTokens:
    return post if isinstance(post, PostTokens) else PostTokens(post)
