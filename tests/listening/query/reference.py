"""The slow, obvious evaluator the matcher is checked against: tokenise the post the
way the language says, walk the tree, compare strings. No index, no anchors, no term
ids, no caching."""

from __future__ import annotations

import re

from rapport.listening.query import (
    And,
    Field,
    Handle,
    Hashtag,
    Not,
    Or,
    Phrase,
    PostText,
    Prefix,
    Query,
    Word,
    fold,
)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text)


def _folded_words(parts: tuple[str, ...], diacritics: bool) -> list[str]:
    return [w for part in parts for w in _words(fold(part, diacritics=diacritics))]


def _handle_names(handle: str) -> set[str]:
    handle = handle.lstrip("@").rstrip(".-")
    return {handle, handle.split("@")[0]} if handle else set()


def _post_handles(text: str) -> set[str]:
    names: set[str] = set()
    for m in re.finditer(r"@(\w[\w.\-]*(?:@\w[\w\-]*(?:\.[\w\-]+)+)?)", text):
        if m.start() > 0 and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_@"):
            continue
        names |= _handle_names(m.group(1))
    return names


def _post_hashtags(text: str) -> set[str]:
    return {
        m.group(1)
        for m in re.finditer(r"#(\w+)", text)
        if m.start() == 0 or not (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_#&")
    }


def _contains(post: list[str], phrase: list[str], prefix: bool) -> bool:
    if not phrase:
        return False
    n = len(phrase)
    for i in range(len(post) - n + 1):
        window = post[i : i + n]
        if window[:-1] == phrase[:-1] and (
            window[-1].startswith(phrase[-1]) if prefix else window[-1] == phrase[-1]
        ):
            return True
    return False


def evaluate(query: Query, post: PostText, *, diacritics: bool = False) -> bool:
    text = fold(post.text, diacritics=diacritics)
    if isinstance(query, Not):
        return not evaluate(query.operand, post, diacritics=diacritics)
    if isinstance(query, And):
        return all(evaluate(o, post, diacritics=diacritics) for o in query.operands)
    if isinstance(query, Or):
        return any(evaluate(o, post, diacritics=diacritics) for o in query.operands)
    if isinstance(query, Word):
        return _contains(_words(text), _folded_words((query.text,), diacritics), False)
    if isinstance(query, Prefix):
        return _contains(_words(text), _folded_words((query.text,), diacritics), True)
    if isinstance(query, Phrase):
        return _contains(_words(text), _folded_words(query.words, diacritics), query.prefix)
    if isinstance(query, Hashtag):
        return fold(query.tag, diacritics=diacritics) in _post_hashtags(text)
    if isinstance(query, Handle):
        wanted = fold(query.handle, diacritics=diacritics).rstrip(".-")
        return wanted in _post_handles(text)
    assert isinstance(query, Field)
    value = fold(query.value)
    if query.name == "lang":
        lang = fold(post.lang).replace("_", "-")
        return value in (lang, lang.split("-")[0])
    if query.name == "source":
        return value == fold(post.source)
    return bool(post.author) and value in _handle_names(fold(post.author))
