"""Turning stored text into safe output: Markdown bodies and highlighted snippets."""

from __future__ import annotations

import html
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


# Highlight markers from the private-use area: they never occur in real text, so after
# escaping everything else they can safely become <mark> tags.
HIGHLIGHT_START = "\ue000"
HIGHLIGHT_STOP = "\ue001"

_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MARKDOWN_PUNCTUATION = re.compile(r"(^|\s)(#{1,6}|>|[-*+]|\d+\.)\s+|[*_`|]+")
_SPACE = re.compile(r"\s+")


def snippet_to_html(raw: str) -> str:
    """A passage of Markdown source with private-use markers around matched words → safe
    HTML whose only tag is <mark>."""
    text = _MARKDOWN_LINK.sub(r"\1", raw)
    text = _MARKDOWN_PUNCTUATION.sub(lambda m: m.group(1) or "", text)
    text = _SPACE.sub(" ", text).strip()
    escaped = html.escape(text, quote=False)
    return escaped.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>")
