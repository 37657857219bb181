"""The link preview image chat apps show for a shared link (Open Graph `og:image`).

Rendered by us with Pillow and served from our own origin: no third-party image service
ever learns which links are shared. Chat apps fetch PNG or JPEG (not SVG), at 1200x630.
The font is the one Pillow ships (scalable since 10.1), so no system font is needed."""

from __future__ import annotations

import io
import textwrap

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 72
BRAND = (90, 44, 160)
CARD = (255, 255, 255)
INK = (29, 29, 43)
MUTED = (91, 91, 107)


def _lines(text: str, *, width: int, limit: int) -> list[str]:
    lines = textwrap.wrap(text, width=width) or [""]
    if len(lines) > limit:
        lines = lines[:limit]
        lines[-1] = lines[-1].rstrip(" .,;:") + "…"
    return lines


def preview_png(*, heading: str, title: str, code: str | None) -> bytes:
    """A 1200x630 PNG: who shares (`heading`), the answer's title, and the code if any."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BRAND)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (MARGIN // 2, MARGIN // 2, WIDTH - MARGIN // 2, HEIGHT - MARGIN // 2),
        radius=36,
        fill=CARD,
    )
    small = ImageFont.load_default(size=38)
    large = ImageFont.load_default(size=64)
    y = MARGIN + 8
    draw.text((MARGIN + 16, y), heading, font=small, fill=MUTED)
    y += 76
    for line in _lines(title, width=30, limit=3):
        draw.text((MARGIN + 16, y), line, font=large, fill=INK)
        y += 80
    if code:
        box = (MARGIN + 16, HEIGHT - MARGIN - 120, WIDTH - MARGIN - 16, HEIGHT - MARGIN - 8)
        draw.rounded_rectangle(box, radius=20, outline=BRAND, width=5)
        draw.text(
            ((box[0] + box[2]) // 2, (box[1] + box[3]) // 2),
            code,
            font=large,
            fill=BRAND,
            anchor="mm",
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
