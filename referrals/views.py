"""The friend's landing page `/s/<token>`: server-rendered HTML, readable without
JavaScript (the copy button is an enhancement from a static file, allowed by the
default `script-src 'self'`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import get_language_from_request
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from backend.api.errors import NotFound
from referrals.landing import copy_for, landing_content
from referrals.models import Share
from referrals.selectors import share_get_public
from referrals.services.shares import share_feedback_record, visit_record, visitor_from_request
from referrals.throttling import PublicVisitorThrottle


def _private(response: HttpResponse) -> HttpResponse:
    # The token is in the URL: never send it on to the sign-up site, never cache or index it.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _fallback_language(request: HttpRequest) -> str:
    return "nl" if get_language_from_request(request) == "nl" else "en"


def _throttled(request: HttpRequest) -> HttpResponse | None:
    throttle = PublicVisitorThrottle()
    if throttle.allow_request(request, None):  # type: ignore[arg-type]
        return None
    language = _fallback_language(request)
    context = {"copy": copy_for(language), "kind": "slow", "lang": language}
    response = render(request, "referrals/message.html", context, status=429)
    response["Retry-After"] = str(throttle.wait() or 60)
    return _private(response)


def _gone(request: HttpRequest) -> HttpResponse:
    language = _fallback_language(request)
    context = {"copy": copy_for(language), "kind": "gone", "lang": language}
    return _private(render(request, "referrals/message.html", context, status=404))


def _public_share(token: str) -> Share | None:
    try:
        return share_get_public(token=token)
    except NotFound:
        return None


@require_http_methods(["GET", "HEAD"])
def landing_page(request: HttpRequest, token: str) -> HttpResponse:
    refused = _throttled(request)
    if refused is not None:
        return refused
    share = _public_share(token)
    if share is None:
        return _gone(request)
    if request.method == "GET":
        visit_record(share=share, visitor=visitor_from_request(request))
    content = landing_content(share)
    context = {
        "content": content,
        "lang": content.language,
        "copy": copy_for(content.language, name=content.referrer_first_name),
        "thanks": request.GET.get("feedback") == "thanks",
    }
    return _private(render(request, "referrals/landing.html", context))


@csrf_protect
@require_POST
def landing_feedback(request: HttpRequest, token: str) -> HttpResponse:
    """The page's 'did this help?' form, for friends without JavaScript too."""
    refused = _throttled(request)
    if refused is not None:
        return refused
    share = _public_share(token)
    if share is None or share.article_id is None:
        return _gone(request)
    answer = request.POST.get("helpful")
    if answer in ("yes", "no"):
        share_feedback_record(
            share=share, visitor=visitor_from_request(request), helpful=answer == "yes"
        )
    return _private(HttpResponseRedirect(f"/s/{token}?feedback=thanks#feedback"))
