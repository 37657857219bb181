"""The landing page's 'did this help?' form without a cookie.

Django's CSRF protection needs a cookie, which a friend with cookies off never sends back,
and the friend has no session to protect anyway: what must not happen is another site
posting feedback through the friend's browser. So each rendered page carries a token
signed with the server's secret and bound to the share and to the visitor's daily hash
(network address, see `visitor_from_request`): another site can neither forge it nor
read it from our page (same-origin policy), and one fetched by the attacker's own machine
names another visitor. The hash changes at midnight, so a page kept open past it gets the
"expired" answer, whatever MAX_AGE_SECONDS allows. Browsers that say where a post comes
from (`Sec-Fetch-Site`, `Origin`) are refused outright when it is another site."""

from __future__ import annotations

from django.core import signing
from django.http import HttpRequest

from referrals.services.shares import Visitor

SALT = "referrals.landing-feedback"
MAX_AGE_SECONDS = 24 * 60 * 60
_ALLOWED_FETCH_SITES = ("same-origin", "none")


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def _bound_value(*, share_token: str, visitor: Visitor) -> str:
    return f"{share_token}|{visitor.visitor_hash}"


def feedback_token_issue(*, share_token: str, visitor: Visitor) -> str:
    """`timestamp:signature` only: the bound value is rebuilt from the request on return."""
    value = _bound_value(share_token=share_token, visitor=visitor)
    return _signer().sign(value)[len(value) + 1 :]


def feedback_token_valid(*, token: str, share_token: str, visitor: Visitor) -> bool:
    value = _bound_value(share_token=share_token, visitor=visitor)
    try:
        _signer().unsign(f"{value}:{token}", max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:  # includes SignatureExpired
        return False
    return True


def posted_from_our_page(request: HttpRequest) -> bool:
    """False when the browser says the post comes from another site. Old browsers send
    neither header; the signed token still holds for them."""
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE")
    if fetch_site is not None and fetch_site not in _ALLOWED_FETCH_SITES:
        return False
    origin = request.META.get("HTTP_ORIGIN")
    # `null` is what browsers send under our `Referrer-Policy: no-referrer`.
    if origin is not None and origin != "null":
        return origin == f"{request.scheme}://{request.get_host()}"
    return True
