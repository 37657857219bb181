"""Public links: the friend's landing page and the shop's sign-up page carrying the code."""

from __future__ import annotations

import io
from urllib.parse import urlencode

import segno
from django.conf import settings

from referrals.codes import format_code


def share_url(token: str) -> str:
    return f"{settings.PUBLIC_BASE_URL}/s/{token}"


def signup_url(*, code: str, share_token: str | None = None) -> str:
    """The call to action: the shop's sign-up page with the code (and the share) filled in."""
    params = {"code": format_code(code)}
    if share_token:
        params["share"] = share_token
    separator = "&" if "?" in settings.SIGNUP_URL else "?"
    return f"{settings.SIGNUP_URL}{separator}{urlencode(params)}"


QR_MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def qr_image(content: str, *, kind: str) -> bytes:
    """A QR code for `content` as SVG or PNG (error correction M, quiet zone of 4)."""
    qr = segno.make(content, error="m")
    buffer = io.BytesIO()
    if kind == "svg":
        qr.save(buffer, kind="svg", scale=8, border=4, title="QR code")
    else:
        qr.save(buffer, kind="png", scale=8, border=4)
    return buffer.getvalue()
