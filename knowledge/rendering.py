"""Turning stored text into safe output: Markdown bodies, and the plain text of a search
highlight."""

from __future__ import annotations

import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

# What a body may contain after rendering; everything else is stripped by nh3.
_ALLOWED_TAGS = {
    "a",
    "blockquote",
    "br",
    "code",
    "em",
    "h2",
    "h3",
    "h4",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # Raw HTML in the source is escaped, not passed through; nh3 then enforces the allow-list.
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def markdown_to_html(source: str) -> str:
    """Markdown → sanitised HTML (no scripts, no raw HTML, links get rel=noopener)."""
    if not source.strip():
        return ""
    rendered = _markdown().render(source)
    return nh3.clean(
        rendered,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
    ).strip()


_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_PUNCTUATION = re.compile(r"(^|\s)(#{1,6}|>|[-*+]|\d+\.)\s+|[*_`|]+")
_SPACE = re.compile(r"\s+")


def markdown_to_plain(source: str) -> str:
    """Markdown source → its words as plain text on one line (links keep their text;
    emphasis, headings, list and quote markers and table bars go): what a search highlight
    is cut from. Not HTML: the caller escapes it."""
    text = _MARKDOWN_LINK.sub(r"\1", source)
    text = _MARKDOWN_PUNCTUATION.sub(lambda m: m.group(1) or "", text)
    return _SPACE.sub(" ", text).strip()
