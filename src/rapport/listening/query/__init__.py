"""The topic query language and the matcher that runs every topic over every post.

``parse(text)`` gives a ``Query`` tree or a ``QuerySyntaxError`` with the position;
``Matcher`` holds all topics of all workspaces and answers ``match(PostText)`` with
the ids of the topics a post matches. docs/listening-query.md describes the language."""

from .matcher import Matcher
from .nodes import And, Field, Handle, Hashtag, Not, Or, Phrase, Prefix, Query, Term, Word, to_text
from .parser import MAX_CHARS, MAX_DEPTH, MAX_TERMS, QuerySyntaxError, parse, validate
from .post import PostText, PostTokens, analyse
from .text import fold

__all__ = [
    "MAX_CHARS", "MAX_DEPTH", "MAX_TERMS", "And", "Field", "Handle", "Hashtag", "Matcher",
    "Not", "Or", "Phrase", "PostText", "PostTokens", "Prefix", "Query", "QuerySyntaxError",
    "Term", "Word", "analyse", "fold", "parse", "to_text", "validate",
]  # fmt: skip
