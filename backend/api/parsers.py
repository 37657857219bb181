"""The one JSON parser of the API, with a nesting limit.

Python's JSON decoder recurses once per nesting level: `[[[[…]]]]` a thousand levels
deep (2 KB) raises RecursionError, which DRF does not expect, so every JSON endpoint
(unauthenticated ones, and throttles that read the body first) answered 500. No request
body of this API nests deeper than a few levels (a sign-up batch: body → items → item →
customer), so anything deeper than `MAX_JSON_DEPTH` is refused as a parse error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_JSON_DEPTH = 32

_TOO_DEEP = f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels."


def json_depth_exceeds(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether arrays and objects in `value` nest deeper than `limit` (iterative: a deep
    value must not exhaust the stack here either)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, Mapping) else node
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


class JSONParser(parsers.JSONParser):
    """DRF's parser, refusing bodies nested deeper than MAX_JSON_DEPTH (400 parse_error)."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_TOO_DEEP) from None
        if isinstance(data, dict | list) and json_depth_exceeds(data):
            raise ParseError(_TOO_DEEP)
        return data
