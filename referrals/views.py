"""The friend's landing page `/s/<token>`: server-rendered HTML, readable without
JavaScript (the copy button is an enhancement from a static file, allowed by the
default `script-src 'self'`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import get_language_from_request
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from backend.api.errors import NotFound
from referrals.feedback_token import (
    feedback_token_issue,
    feedback_token_valid,
    posted_from_our_page,
)
from referrals.landing import LANGUAGES, LandingContent, copy_for, landing_content
from referrals.links import share_url
from referrals.preview import preview_png
from referrals.selectors.shares import share_get_public
from referrals.services.shares import share_feedback_record, visit_record, visitor_from_request
from referrals.sql import PublicShare
from referrals.throttling import PublicVisitorThrottle

LANGUAGE_NAMES = (("nl", "Nederlands"), ("en", "English"))
LOCALES = {"nl": "nl_NL", "en": "en_GB"}


def _private(response: HttpResponse) -> HttpResponse:
    # The token is in the URL: never send it on to the sign-up site, never cache or index it.
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _chosen_language(request: HttpRequest) -> str | None:
    """The friend's nl/en choice lives in the URL (`?lang=`): remembered across reloads,
    the feedback form and shared copies of the link, with no cookie or storage."""
    language = request.GET.get("lang")
    return language if language in LANGUAGES else None


def _fallback_language(request: HttpRequest) -> str:
    chosen = _chosen_language(request)
    if chosen is not None:
        return chosen
    return "nl" if get_language_from_request(request) == "nl" else "en"


def _throttled(request: HttpRequest) -> HttpResponse | None:
    throttle = PublicVisitorThrottle()
    if throttle.allow_request(request, None):  # type: ignore[arg-type]
        return None
    return _message(request, kind="slow", status=429, retry_after=throttle.wait() or 60)


def _message(
    request: HttpRequest,
    *,
    kind: str,
    status: int,
    retry_after: float | None = None,
    language: str | None = None,
) -> HttpResponse:
    language = language or _fallback_language(request)
    context = {"copy": copy_for(language), "kind": kind, "lang": language}
    response = render(request, "referrals/message.html", context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(int(retry_after))
    return _private(response)


def _gone(request: HttpRequest) -> HttpResponse:
    return _message(request, kind="gone", status=404)


def _open_share(request: HttpRequest, token: str) -> PublicShare | HttpResponse:
    """The share behind a public URL, or the page that refuses it (throttled, gone)."""
    refused = _throttled(request)
    if refused is not None:
        return refused
    try:
        return share_get_public(token=token)
    except NotFound:
        return _gone(request)


def _link_preview(content: LandingContent, copy: dict[str, str]) -> dict[str, str]:
    """Open Graph and Twitter card fields; every URL is on our own origin."""
    query = f"?lang={content.language}"
    return {
        "title": content.title or copy["page_title"],
        "description": content.summary or copy["intro_code"],
        "url": f"{share_url(content.token)}{query}",
        "image": f"{share_url(content.token)}/preview.png{query}",
        "image_alt": content.title or copy["page_title"],
        "locale": LOCALES[content.language],
    }


@require_http_methods(["GET", "HEAD"])
def landing_page(request: HttpRequest, token: str) -> HttpResponse:
    share = _open_share(request, token)
    if isinstance(share, HttpResponse):
        return share
    visitor = visitor_from_request(request)
    if request.method == "GET":
        visit_record(share=share, visitor=visitor)
    content = landing_content(share, language=_chosen_language(request))
    copy = copy_for(content.language, name=content.referrer_first_name)
    context = {
        "content": content,
        "lang": content.language,
        "copy": copy,
        "languages": LANGUAGE_NAMES,
        "preview": _link_preview(content, copy),
        "form_token": feedback_token_issue(share_token=share.token, visitor=visitor),
        "thanks": request.GET.get("feedback") == "thanks",
    }
    return _private(render(request, "referrals/landing.html", context))


@require_http_methods(["GET", "HEAD"])
def landing_preview(request: HttpRequest, token: str) -> HttpResponse:
    """The link preview image; fetched by chat apps' crawlers, so it records no visit."""
    share = _open_share(request, token)
    if isinstance(share, HttpResponse):
        return share
    content = landing_content(share, language=_chosen_language(request))
    copy = copy_for(content.language, name=content.referrer_first_name)
    image = preview_png(
        heading=copy["page_title"], title=content.title or copy["intro_code"], code=content.code
    )
    return _private(HttpResponse(image, content_type="image/png"))


@csrf_exempt  # a signed per-page token instead, see referrals.feedback_token
@require_POST
def landing_feedback(request: HttpRequest, token: str) -> HttpResponse:
    """The page's 'did this help?' form, for friends without JavaScript and without
    cookies: a signed per-page token instead of Django's cookie-based CSRF check."""
    share = _open_share(request, token)
    if isinstance(share, HttpResponse):
        return share
    if share.answer is None:
        return _gone(request)
    language = landing_content(share, language=_chosen_language(request)).language
    visitor = visitor_from_request(request)
    valid = feedback_token_valid(
        token=request.POST.get("form_token", ""), share_token=share.token, visitor=visitor
    )
    if not valid or not posted_from_our_page(request):
        return _message(request, kind="expired", status=403, language=language)
    answer = request.POST.get("helpful")
    if answer not in ("yes", "no"):  # our form sends one of its two buttons, nothing else
        return _message(request, kind="expired", status=400, language=language)
    share_feedback_record(share=share, visitor=visitor, helpful=answer == "yes")
    return _private(HttpResponseRedirect(f"/s/{token}?lang={language}&feedback=thanks#feedback"))
